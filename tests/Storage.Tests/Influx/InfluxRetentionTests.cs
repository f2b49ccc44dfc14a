using Monitor.Storage.Influx;
using Monitor.Storage.Model;
using Monitor.Storage.Model.Queries;
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

    private static async Task WriteHourAsync(IMonitorStore store, int hours = 1)
    {
        // 30-second intervals in batches of ten minutes' worth, as a spool delivers a replay.
        for (var batch = 0; batch < 6 * hours; batch++)
            await store.WriteIntervalsAsync([.. Enumerable.Range(batch * 20, 20).Select(i => TestSnapshots.Interval("old", Old.AddSeconds(30 * i), 100 + i))]);
    }

    /// <summary>Points of one retention policy's measurement, read straight from influxd.</summary>
    private async Task<long> CountAsync(string spec, string policy, string measurement)
    {
        var database = spec[(spec.LastIndexOf('/') + 1)..];
        using var http = new HttpClient();
        var q = Uri.EscapeDataString($"SELECT count(\"_dur\") FROM \"{database}\".\"{policy}\".\"{measurement}\"");
        var json = await http.GetStringAsync($"http://127.0.0.1:{influx.Server.HttpPort}/query?db={database}&q={q}");
        using var document = System.Text.Json.JsonDocument.Parse(json);
        var result = document.RootElement.GetProperty("results")[0];
        return result.TryGetProperty("series", out var series) ? series[0].GetProperty("values")[0][1].GetInt64() : 0;
    }

    [Fact]
    public async Task Intervals_from_2009_are_kept_with_the_default_retention()
    {
        await using var store = StoreFactory.Open(influx.NewSpec());
        await WriteHourAsync(store);

        var stored = await store.QueryIntervalsAsync(new IntervalQuery(Old, Old.AddHours(1)));

        Assert.Equal(120, stored.Count);
        var top = await store.QueryTopAsync(new TopQuery(Monitor.Storage.Model.Reports.ReportCatalog.Talkers, Old, Old.AddHours(1), N: 10));
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

    [Fact]
    public async Task A_policy_changed_by_hand_to_drop_old_points_makes_the_write_fail_loudly_naming_it()
    {
        var spec = influx.NewSpec();
        await using var store = StoreFactory.Open(spec);
        await store.WriteIntervalsAsync([TestSnapshots.Interval("old", Old, 100)]);
        var database = spec[(spec.LastIndexOf('/') + 1)..];
        using var http = new HttpClient();
        var alter = Uri.EscapeDataString($"ALTER RETENTION POLICY \"monitor_interval\" ON \"{database}\" DURATION 24h SHARD DURATION 1h");
        (await http.PostAsync($"http://127.0.0.1:{influx.Server.HttpPort}/query?q={alter}", null)).EnsureSuccessStatusCode();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => store.WriteIntervalsAsync([TestSnapshots.Interval("old", Old.AddSeconds(30), 100)]));

        Assert.Contains("monitor_interval", error.Message);
        Assert.Contains("DURATION INF", error.Message);
    }

    [Fact]
    public async Task The_five_minute_level_of_2009_is_pruned_by_its_own_retention_while_the_hourly_level_keeps_every_hour()
    {
        var spec = influx.NewSpec();
        await using var store = StoreFactory.Open(spec, new StorageOptions { FiveMinuteRetention = TimeSpan.FromHours(1) });
        await WriteHourAsync(store, hours: 4);

        // The 5-minute policy's hour-long shards that end an hour or more before the newest data are dropped: the
        // last hour's 12 buckets are left. Both levels share the measurement name, so a DELETE would have taken
        // the hourly points too; dropping the 5-minute policy's own shards leaves all four hours.
        Assert.Equal(12, await CountAsync(spec, InfluxStore.FiveMinutePolicy, "consolidated"));
        Assert.Equal(4, await CountAsync(spec, InfluxStore.HourPolicy, "consolidated"));
        Assert.Equal(480, (await store.QueryIntervalsAsync(new IntervalQuery(Old, Old.AddHours(4)))).Count);
    }
}
