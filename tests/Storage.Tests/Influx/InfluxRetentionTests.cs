using Monitor.Storage.Queries;
using Monitor.Storage.Tests.Support;
using TestSnapshots = Monitor.Storage.Tests.Support.Snapshots;

namespace Monitor.Storage.Tests.Influx;

/// <summary>
/// Retention on a real influxd is measured back from each probe's newest data, as in SQLite: intervals from
/// 2009 are kept (a wall-clock retention policy drops them on write), and pruned relative to themselves.
/// </summary>
[Collection(InfluxCollection.Name)]
public sealed class InfluxRetentionTests(InfluxFixture influx)
{
    private static readonly DateTimeOffset Old = new(2009, 3, 14, 15, 0, 0, TimeSpan.Zero);

    private static async Task WriteHourAsync(IMonitorStore store)
    {
        // An hour of 30-second intervals in batches of ten, as a spool delivers a replay.
        for (var batch = 0; batch < 12; batch++)
            await store.WriteIntervalsAsync([.. Enumerable.Range(batch * 10, 10).Select(i => TestSnapshots.Interval("old", Old.AddSeconds(30 * i), 100 + i))]);
    }

    [Fact]
    public async Task Intervals_from_2009_are_kept_with_the_default_retention()
    {
        await using var store = StoreFactory.Open(influx.NewSpec());
        await WriteHourAsync(store);

        var stored = await store.QueryIntervalsAsync(new IntervalQuery(Old, Old.AddHours(1)));

        Assert.Equal(120, stored.Count);
        var top = await store.QueryTopAsync(new TopQuery(Monitor.Storage.Reports.ReportCatalog.Talkers, Old, Old.AddHours(1), N: 10));
        Assert.Equal(["10.0.0.1", "10.0.0.2"], top.Select(r => r.Text("ip")));
    }

    [Fact]
    public async Task Intervals_from_2009_are_pruned_back_from_their_own_newest_not_from_today()
    {
        await using var store = StoreFactory.Open(influx.NewSpec(), new StorageOptions { IntervalRetention = TimeSpan.FromMinutes(20) });
        await WriteHourAsync(store);

        var stored = await store.QueryIntervalsAsync(new IntervalQuery(Old, Old.AddHours(1)));

        var newestEnd = Old.AddHours(1);
        Assert.Equal(Old.AddSeconds(30 * 119), stored[^1].Start);
        // Pruned every 10 minutes of data: what is left starts at most 20 + 10 minutes before the newest data.
        Assert.True(stored[0].Start >= newestEnd.AddMinutes(-30), $"oldest kept interval {stored[0].Start:u}");
        Assert.True(stored[0].Start <= newestEnd.AddMinutes(-20), $"oldest kept interval {stored[0].Start:u}");
    }
}
