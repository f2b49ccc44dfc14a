using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Monitor.Probe.Capture;
using Monitor.Probe.Hosting;
using Monitor.Probe.Reports;
using Monitor.Storage;
using Monitor.Storage.Model.Metrics;
using Monitor.Storage.Model.Queries;
using Monitor.Storage.Model.Snapshots;
using Monitor.Storage.Spool;
using Monitor.TestKit.Filesystems;
using Monitor.TestKit.Logging;
using Monitor.TestKit.Packets;
using Xunit.Abstractions;

namespace Monitor.Probe.Tests.Hosting;

/// <summary>
/// What a person reading the probe's log sees, through a real logger provider: one line each for the
/// start, the capture opened, the store going down (its SQLite file on a genuinely full filesystem) and
/// coming back; one warning per interval that lost packets, none while nothing is lost.
/// </summary>
public sealed class ProbeLogLinesTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("monitor-probe-log-").FullName;

    /// <summary>Intervals of one second, each with many distinct talkers so that stored report rows fill a small disk fast.</summary>
    private string Capture(int seconds)
    {
        var path = Path.Combine(_dir, "busy.pcap");
        var start = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 3600);
        using var writer = new PcapFileWriter(path);
        for (var s = 0; s < seconds; s++)
            for (var h = 0; h < 300; h++)
                writer.Write(start.AddSeconds(s).AddMilliseconds(h * 3), PacketBuilder.Udp($"10.{s % 250}.{h / 250}.{h % 250 + 1}", "192.0.2.1", 5000, 53, 40));
        return path;
    }

    [SmallFilesystemFact]
    public async Task A_probe_run_logs_its_start_its_capture_and_the_store_going_down_and_up_once_each()
    {
        const int seconds = 120;
        var capture = Capture(seconds);
        using var disk = SmallFilesystem.Mount(Path.Combine(_dir, "small-disk"), 1024 * 1024);
        var log = new CapturedLog();
        using var loggers = log.Factory();
        var spool = new SpoolOptions
        {
            Directory = Path.Combine(_dir, "spool"),
            RetryMin = TimeSpan.FromMilliseconds(50),
            RetryMax = TimeSpan.FromMilliseconds(200),
            FlushTimeout = TimeSpan.FromSeconds(60),
        };
        var options = new ProbeOptions
        {
            Name = "edge-7",
            Read = [capture],
            Interval = 1,
            Workers = 1,
            Top = 1000,
            Store = "sqlite:" + Path.Combine(disk.Path, "monitor.db"),
        };
        await using var store = StoreFactory.Open(options.Store, loggers);
        var runner = new ProbeRunner(new ProbeLiveFeed(), Options.Create(spool), loggers, () => store);

        var run = runner.RunAsync(options, new ReportOptions(), CancellationToken.None);
        // The run ends only once the spool has delivered (or its flush time is up): grow the disk once it is full.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (log.Matching("Store unavailable").Count == 0 && !run.IsCompleted && DateTime.UtcNow < deadline) await Task.Delay(20);
        Assert.Single(log.Matching("Store unavailable", "full"));
        disk.Resize(64 * 1024 * 1024);
        var result = await run;
        foreach (var line in log.Lines.Where(l => l.Level >= LogLevel.Information && !l.Message.StartsWith("Interval ", StringComparison.Ordinal)))
            output.WriteLine(line.ToString());

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Single(log.Matching("Probe edge-7 starting"));
        Assert.Single(log.Matching("Probe edge-7 counting", capture));
        Assert.Single(log.Matching("Store available again"));
        // The session store shares the full disk: it waits the same way, once, and loses nothing.
        Assert.Equal(log.Matching("Session store refused").Count, log.Matching("Session store is back").Count);
        Assert.True(log.Matching("Session store refused").Count <= 1);
        Assert.Empty(log.Matching("lost packets"));
        Assert.DoesNotContain(log.Lines, l => l.Level >= LogLevel.Error);
        // Nothing counted was lost on the way: every interval is in the store once the disk has room.
        var stored = await store.QueryIntervalsAsync(new IntervalQuery(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow));
        Assert.Equal(result.Intervals, stored.Count);
        Assert.Equal(result.Packets, stored.Sum(i => i.Packets));
    }

    [Fact]
    public void An_interval_with_capture_drops_gets_one_warning_with_its_counts_and_a_clean_one_none()
    {
        var log = new CapturedLog();
        using var loggers = log.Factory();
        var losses = new CaptureLossLog("edge-7", loggers.CreateLogger<ProbeEngine>());
        var start = new DateTimeOffset(2026, 11, 23, 12, 0, 0, TimeSpan.Zero);
        IntervalSnapshot Interval(int offset, double drops, double queueFull) => new()
        {
            Probe = "edge-7",
            Start = start.AddSeconds(30 * offset),
            End = start.AddSeconds(30 * offset + 30),
            Metrics = new Dictionary<string, double> { [MetricCatalog.Drops] = drops, [MetricCatalog.QueueFull] = queueFull },
        };

        var events = new[] { Interval(0, 0, 0), Interval(1, 40, 0), Interval(2, 0, 0), Interval(3, 10, 0.1) }.Select(losses.Observe).ToList();

        Assert.Equal(2, log.Lines.Count);
        Assert.All(log.Lines, l => Assert.Equal(LogLevel.Warning, l.Level));
        Assert.Contains("2026-11-23 12:00:30Z: 1200 dropped by the capture buffer", log.Lines[0].Message);
        Assert.Contains("1200 dropped since start", log.Lines[0].Message);
        Assert.Contains("300 dropped by the capture buffer, 0 by the interface, 3 batch(es)", log.Lines[1].Message);
        Assert.Contains("1500 dropped since start", log.Lines[1].Message);
        // The lossy intervals are capture_loss events for the event log, one per interval.
        Assert.Equal([false, true, false, true], events.Select(e => e is not null));
        var first = events[1]!;
        Assert.Equal((EventKinds.CaptureLoss, start.AddSeconds(30), start.AddSeconds(60)), (first.Kind, first.Time, first.End));
        Assert.Equal("1200", first.Details["kernel"]);
        Assert.Equal("3", events[3]!.Details["queue_full"]);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }
}
