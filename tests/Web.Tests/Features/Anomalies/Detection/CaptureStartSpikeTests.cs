using Monitor.TestKit.Filesystems;
using Monitor.Web.Features.Anomalies.Detection;
using Monitor.Storage.Model.Metrics;
using Monitor.Storage.Model.Snapshots;
using Monitor.Storage.Sqlite;

namespace Monitor.Web.Tests.Features.Anomalies.Detection;

/// <summary>A capture that opens with its incidents, stored in a real SQLite file and analysed as the day page does.</summary>
public sealed class CaptureStartSpikeTests : IDisposable
{
    private static readonly DateTimeOffset Day = new(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>
    /// Three hours of 30-second intervals from 00:00:30: a SYN scan in minutes 2-4, a one-interval UDP weight of 1.8e9
    /// (0 otherwise) at minute 6, steady traffic otherwise.
    /// </summary>
    private static IEnumerable<IntervalSnapshot> Capture()
    {
        var random = new Random(7);
        for (var i = 0; i < 360; i++)
        {
            var start = Day.AddSeconds(30 + 30 * i);
            var syn = i is >= 4 and < 8 ? 900 : 5 + random.Next(3);
            yield return new IntervalSnapshot
            {
                Probe = "capture",
                Start = start,
                End = start.AddSeconds(30),
                Packets = 3000,
                Bytes = 3_000_000,
                Metrics = new Dictionary<string, double>
                {
                    [MetricCatalog.Packets] = 100 + random.Next(5),
                    [MetricCatalog.Syn] = syn,
                    [MetricCatalog.UdpMaxWeight] = i == 12 ? 1.8e9 : 0,
                },
            };
        }
    }

    private async Task<SqliteStore> StoreAsync()
    {
        var store = new SqliteStore(_dir.File("monitor.db"));
        await store.WriteIntervalsAsync([.. Capture()]);
        return store;
    }

    private static AnomalyOptions Options => new() { Series = [MetricCatalog.Packets, MetricCatalog.Syn, MetricCatalog.UdpMaxWeight] };

    [Fact]
    public async Task Incidents_in_the_first_minutes_of_a_capture_are_spikes_of_its_day()
    {
        await using var store = await StoreAsync();
        var analysis = await new SpikeDetector(store, Options).AnalyzeDayAsync("capture", DateOnly.FromDateTime(Day.UtcDateTime));

        var spikes = analysis.Spikes.ToList();
        var scan = Assert.Single(spikes, s => s.Series == MetricCatalog.Syn);
        Assert.Equal(Day.AddSeconds(150), scan.Start);
        var flood = Assert.Single(spikes, s => s.Series == MetricCatalog.UdpMaxWeight);
        Assert.Equal(Day.AddSeconds(390), flood.Start);
        Assert.Equal(1.8e9, flood.Peak);
        Assert.DoesNotContain(spikes, s => s.Series == MetricCatalog.Packets);
        // The first hour is scored (against its own median), not left out.
        Assert.All(analysis.Series.Single(s => s.Series == MetricCatalog.Syn).Points.Take(120), p => Assert.True(p.Scored));
    }

    [Fact]
    public async Task Detection_as_the_capture_is_stored_finds_the_first_minutes_spikes_with_the_ids_of_the_day_analysis()
    {
        var intervals = Capture().ToList();
        await using var store = new SqliteStore(_dir.File("live.db"));
        var live = new IncrementalSpikeDetector(store, Options);
        var found = new Dictionary<string, Spike>();
        // Fed as a probe stores it: a batch every 5 minutes, the detector catching up after each.
        for (var i = 0; i < intervals.Count; i += 10)
        {
            await store.WriteIntervalsAsync(intervals[i..Math.Min(i + 10, intervals.Count)]);
            foreach (var spike in await live.CatchUpAsync("capture", intervals[Math.Min(i + 10, intervals.Count) - 1].End))
                found[spike.Id] = spike;
        }
        var recomputed = (await new SpikeDetector(store, Options).AnalyzeDayAsync("capture", DateOnly.FromDateTime(Day.UtcDateTime))).Spikes.ToList();

        Assert.Contains(recomputed, s => s.Series == MetricCatalog.UdpMaxWeight);
        Assert.Contains(recomputed, s => s.Series == MetricCatalog.Syn);
        Assert.Equal(recomputed.Select(s => s.Id).Order(), found.Keys.Order());
    }
}
