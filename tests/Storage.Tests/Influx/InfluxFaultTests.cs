using Monitor.TestKit.Filesystems;
using Monitor.TestKit.Servers;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Monitor.Storage.Model.Metrics;
using Monitor.Storage.Model.Queries;
using Monitor.Storage.Model.Reports;
using Monitor.Storage.Model.Snapshots;
using Monitor.Storage.Spool;
using Monitor.Storage.Tests.Spool;
using Monitor.Storage.Tests.Support;
using static Monitor.Storage.Tests.Support.Snapshots;

namespace Monitor.Storage.Tests.Influx;

public sealed class InfluxFaultTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public async Task Influxd_stopped_mid_run_gets_every_interval_exactly_once_after_it_starts_again()
    {
        await using var server = new InfluxServer();
        await server.StartAsync();
        await using var store = StoreFactory.Open(server.Spec("outage"));
        var options = new SpoolOptions
        {
            Directory = _dir.File("spool"),
            RetryMin = TimeSpan.FromMilliseconds(100),
            RetryMax = TimeSpan.FromMilliseconds(500),
            FlushTimeout = TimeSpan.FromSeconds(30),
        };
        var start = Base.AddHours(8);
        var writer = new SpooledStoreWriter(store, options, NullLogger.Instance);
        for (var i = 0; i < 20; i++) writer.Enqueue(Interval("edge", start.AddSeconds(30 * i), 100 + i));
        await SpooledStoreWriterTests.WaitUntil(() => writer.Status.Pending == 0);

        await server.StopAsync();
        for (var i = 20; i < 40; i++)
        {
            writer.Enqueue(Interval("edge", start.AddSeconds(30 * i), 100 + i));
            writer.Enqueue([Second("edge", start.AddSeconds(30 * i), i)]);
        }
        await SpooledStoreWriterTests.WaitUntil(() => !writer.Status.StoreAvailable);
        Assert.Contains("unreachable", writer.Status.LastError);
        Assert.True(writer.Status.Pending >= 39);

        await server.StartAsync();
        for (var i = 40; i < 50; i++) writer.Enqueue(Interval("edge", start.AddSeconds(30 * i), 100 + i));
        await writer.DisposeAsync();
        Assert.Equal(0, writer.Status.Pending);
        Assert.Equal(0, writer.Status.Lost);

        var intervals = await store.QueryIntervalsAsync(new IntervalQuery(start, start.AddHours(1)));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => 100L + i), intervals.Select(i => i.Packets));
        Assert.Equal(Enumerable.Range(0, 50).Select(i => start.AddSeconds(30 * i)), intervals.Select(i => i.Start));
        var top = await store.QueryTopAsync(new TopQuery(ReportCatalog.Talkers, start, start.AddHours(1)));
        Assert.Equal(Enumerable.Range(0, 50).Sum(i => 100L + i), top[0].Number("packets"));
        var seconds = await store.QuerySeriesAsync(new SeriesQuery(MetricCatalog.Packets, start.AddSeconds(600), start.AddSeconds(1199), MaxPoints: 1000));
        Assert.Equal(TimeSpan.FromSeconds(1), seconds.Resolution);
        Assert.Equal(Enumerable.Range(20, 20).Select(i => (double)i), seconds.Points.Select(p => p.Avg));
    }

    [Fact]
    public async Task Two_probe_processes_write_to_one_influxdb_and_queries_take_one_or_both()
    {
        await using var server = new InfluxServer();
        await server.StartAsync();
        var spec = server.Spec("shared");
        var start = Base.AddHours(9);
        var seconds = start.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var children = new[] { "north", "south" }
            .Select(probe => ChildProcess.StartSpoolChild(_dir.File("spool-" + probe), spec, probe, "0", "40", seconds))
            .ToList();
        foreach (var child in children)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
            var output = await child.StandardOutput.ReadToEndAsync(timeout.Token);
            await child.WaitForExitAsync(timeout.Token);
            Assert.True(child.ExitCode == 0, output + await child.StandardError.ReadToEndAsync(timeout.Token));
            child.Dispose();
        }

        await using var store = StoreFactory.Open(spec);
        var probes = await store.QueryProbesAsync();
        Assert.Equal(["north", "south"], probes.Select(p => p.Probe));
        Assert.All(probes, p => Assert.Equal(1039, p.LastPackets));
        var both = await store.QueryIntervalsAsync(new IntervalQuery(start, start.AddHours(1)));
        Assert.Equal(80, both.Count);
        var north = await store.QueryIntervalsAsync(new IntervalQuery(start, start.AddHours(1), ["north"]));
        Assert.Equal(Enumerable.Range(0, 40).Select(i => 1000L + i), north.Select(i => i.Packets));

        var sum = await store.QuerySeriesAsync(new SeriesQuery(MetricCatalog.Packets, start, start.AddSeconds(29)));
        Assert.Equal(2 * 1000 / 30.0, Assert.Single(sum.Points).Avg, 9);
        var one = await store.QuerySeriesAsync(new SeriesQuery(MetricCatalog.Packets, start, start.AddSeconds(29), ["south"]));
        Assert.Equal(1000 / 30.0, Assert.Single(one.Points).Avg, 9);
    }

    [Fact]
    public async Task Names_and_text_that_need_escaping_round_trip_through_influxdb()
    {
        await using var server = new InfluxServer();
        await server.StartAsync();
        await using var store = StoreFactory.Open(server.Spec("escape"));
        var probe = "edge 1,rack=2 \"x\"";
        var metric = "bpf.web out,a=b.\"all\" ports";
        var start = Base.AddHours(10);
        var snapshot = Interval(probe, start, 300) with
        {
            Metrics = new Dictionary<string, double> { [metric] = 42.5, [MetricCatalog.Packets] = 10 },
        };
        await store.WriteIntervalAsync(snapshot);
        var text = "said \"hi\" \\ back, a=b\tx";
        await store.WriteEventsAsync([new MonitorEvent { Id = "id with space,comma=eq", Probe = probe, Time = start, Kind = EventKinds.Alert, Message = text }]);

        var series = await store.QuerySeriesAsync(new SeriesQuery(metric, start, start.AddSeconds(29), [probe]));
        Assert.Equal(42.5, Assert.Single(series.Points).Avg);
        var interval = Assert.Single(await store.QueryIntervalsAsync(new IntervalQuery(start, start, [probe])));
        Assert.Equal(probe, interval.Probe);
        Assert.Equal(42.5, interval.Metrics[metric]);
        var e = Assert.Single(await store.QueryEventsAsync(new EventQuery(start, start, [probe])));
        Assert.Equal(text, e.Message);
        Assert.Equal("id with space,comma=eq", e.Id);
        Assert.Equal(probe, Assert.Single(await store.QueryProbesAsync()).Probe);
    }

    public void Dispose() => _dir.Dispose();
}
