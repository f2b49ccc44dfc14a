using Monitor.Probe.Tests.EndToEnd;
using Monitor.Storage;
using Monitor.Storage.Model.Queries;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Probe.Tests.Output;

public sealed class StoreSinkTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("probe-store-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task The_probe_stores_its_intervals_and_start_and_stop_events_in_sqlite()
    {
        var capture = SyntheticCapture.Write(Path.Combine(_folder, "s.pcap"), 9, 4000,
            new DateTimeOffset(2024, 3, 3, 8, 0, 2, TimeSpan.Zero), TimeSpan.FromSeconds(50), TimeSpan.FromSeconds(30));
        var config = Path.Combine(_folder, "probe.json");
        await File.WriteAllTextAsync(config, $$"""{ "Spool": { "Directory": "{{Path.Combine(_folder, "spool")}}" } }""");
        var database = Path.Combine(_folder, "monitor.db");

        var run = await ProbeRun.RunAsync("--read", capture.Path, "--store", $"sqlite:{database}", "--config", config,
            "--probe-name", "stored", "--interval", "30");

        Assert.True(run.ExitCode == 0, run.Stderr);
        await using var store = StoreFactory.Open($"sqlite:{database}");
        var intervals = await store.QueryIntervalsAsync(new IntervalQuery(DateTimeOffset.UnixEpoch, DateTimeOffset.UtcNow.AddDays(1), ["stored"]));
        Assert.Equal(2, intervals.Count);
        Assert.Equal(capture.Packets, intervals.Sum(i => i.Packets));
        Assert.Equal(capture.Bytes, intervals.Sum(i => i.Bytes));
        var events = await store.QueryEventsAsync(new EventQuery(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1), ["stored"]));
        Assert.Contains(events, e => e.Kind == EventKinds.ProbeStart);
        Assert.Contains(events, e => e.Kind == EventKinds.ProbeStop);
    }

    [Fact]
    public async Task A_bad_store_spec_is_bad_input()
    {
        var capture = SyntheticCapture.Write(Path.Combine(_folder, "b.pcap"), 9, 10,
            new DateTimeOffset(2024, 3, 3, 8, 0, 2, TimeSpan.Zero), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30));

        var run = await ProbeRun.RunAsync("--read", capture.Path, "--store", "mysql://nowhere");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("mysql://nowhere", run.Stderr);
    }
}
