using Monitor.TestKit.Stores;
using Monitor.Web.Features.Anomalies.Detection;
using Monitor.Storage.Model;
using Monitor.Storage.Model.Metrics;
using Monitor.Storage.Model.Queries;
using Monitor.Storage.Model.Snapshots;
using Monitor.TestKit.History;
using Xunit.Abstractions;

namespace Monitor.Web.Tests.Features.Anomalies.Detection;

/// <summary>The detector on two generated weeks stored in a real backend (each backend subclasses this).</summary>
public abstract class SpikeDetectionTests(HistoryStoreFixture fixture, ITestOutputHelper output)
{
    private HistoryPlan Plan => fixture.Plan;

    private async Task<List<Spike>> AllSpikesAsync() => (await fixture.AllDaysAsync()).SelectMany(d => d.Spikes).ToList();

    private static bool Overlaps(Spike s, PlannedEvent e) => e.Overlaps(s.Start, s.End, TimeSpan.FromMinutes(1));

    [Fact]
    public async Task The_udp_flood_and_the_syn_scan_are_new_spikes()
    {
        var spikes = await AllSpikesAsync();
        output.WriteLine($"history written in {fixture.WriteTime.TotalSeconds:F1} s");
        foreach (var s in spikes)
            output.WriteLine($"{s.Start:yyyy-MM-dd HH:mm:ss}-{s.End:HH:mm:ss} {s.Series} {s.KindName} peak {s.Peak:G4} baseline {s.Baseline:G4}: {s.Reason}");

        var flood = spikes.Where(s => Overlaps(s, Plan.Flood)).ToList();
        Assert.Contains(flood, s => s.Series == MetricCatalog.UdpMaxWeight);
        Assert.Contains(flood, s => s.Series == MetricCatalog.ProtocolPackets("udp"));
        Assert.Contains(flood, s => s.Series == MetricCatalog.Packets);
        Assert.All(flood, s =>
        {
            Assert.Equal(SpikeKind.New, s.Kind);
            Assert.Equal($"new: not seen at this time on the last 7 days", s.Reason);
            Assert.True(s.Peak > s.Baseline * 2, $"{s.Series} peak {s.Peak} against baseline {s.Baseline}");
        });

        var scan = spikes.Where(s => Overlaps(s, Plan.Scan)).ToList();
        Assert.Contains(scan, s => s.Series == MetricCatalog.Syn);
        Assert.Contains(scan, s => s.Series == MetricCatalog.Scanners);
        Assert.All(scan, s => Assert.Equal(SpikeKind.New, s.Kind));
    }

    [Fact]
    public async Task The_nightly_transfer_is_recurring_from_the_third_night_on()
    {
        var spikes = await AllSpikesAsync();
        for (var night = 1; night <= Plan.Days; night++)
        {
            var transfer = Plan.Transfers[night - 1];
            var bits = Assert.Single(spikes, s => s.Series == MetricCatalog.Bits && Overlaps(s, transfer));
            Assert.Equal(night >= 3 ? SpikeKind.Recurring : SpikeKind.New, bits.Kind);
            var earlier = Math.Min(night - 1, 7);
            if (night >= 3) Assert.Equal($"repeats daily, {earlier} of the last {earlier} days", bits.Reason);
            Assert.All(spikes.Where(s => Overlaps(s, transfer)), s => Assert.Equal(bits.Kind, s.Kind));
        }
    }

    [Fact]
    public async Task Quiet_hours_have_no_spike()
    {
        var spikes = await AllSpikesAsync();
        var unexplained = spikes.Where(s => !Plan.All.Any(e => Overlaps(s, e))).ToList();
        Assert.True(unexplained.Count == 0,
            "spikes outside the planned events: " + string.Join("; ", unexplained.Select(s => $"{s.Series} at {s.Start:O}")));

        var analyses = await fixture.AllDaysAsync();
        var quietDay = analyses.First(a => a.Day != Plan.DayOf(Plan.Flood) && a.Day != Plan.DayOf(Plan.Scan) && a.Day > Plan.FirstDay);
        Assert.All(quietDay.Spikes, s => Assert.InRange(s.Start.Hour, 3, 3));
        var packets = quietDay.Series.Single(s => s.Series == MetricCatalog.Packets);
        Assert.Equal(2880, packets.Points.Count);
        Assert.All(packets.Points.Where(p => p.Time.Hour is >= 6 and < 24), p => Assert.False(p.Fails(6)));
    }

    [Fact]
    public async Task Recomputing_a_day_rewrites_each_spike_event_once_under_a_stable_id()
    {
        var detector = new SpikeDetector(fixture.Store, new AnomalyOptions());
        var day = Plan.DayOf(Plan.Flood);
        var first = await detector.RecomputeDayAsync(day, Plan.Probe);
        var second = await detector.RecomputeDayAsync(day);

        Assert.Equal(first.Select(s => s.Id).Order(), second.Select(s => s.Id).Order());
        var (from, to) = SpikeDetector.DayRange(day);
        var stored = await fixture.Store.QueryEventsAsync(new EventQuery(from, to.AddTicks(-1), Kind: EventKinds.Spike));
        var ours = stored.Where(e => first.Any(s => s.Id == e.Id)).ToList();
        Assert.Equal(first.Count, ours.Count);
        Assert.Equal(ours.Count, ours.Select(e => e.Id).Distinct().Count());

        var flood = ours.Single(e => e.Details["series"] == MetricCatalog.UdpMaxWeight);
        Assert.Equal("new", flood.Details["kind"]);
        Assert.Equal(Plan.Flood.Start, Spike.FromEvent(flood)!.Start);
        Assert.Equal("warning", flood.Severity);
    }

    [Fact]
    public async Task Detection_as_intervals_arrive_finds_the_flood_with_the_ids_and_kinds_of_a_recompute()
    {
        var incremental = new IncrementalSpikeDetector(fixture.Store, new AnomalyOptions());
        var seen = new List<Spike>();
        incremental.SpikeChanged += seen.Add;
        for (var t = Plan.Flood.Start.AddHours(-1); t <= Plan.Flood.End.AddMinutes(10); t += Plan.Interval)
            await incremental.CatchUpAsync(Plan.Probe, t);

        var recomputed = (await fixture.AllDaysAsync()).Single(a => a.Day == Plan.DayOf(Plan.Flood))
            .Spikes.Where(s => Overlaps(s, Plan.Flood)).ToList();
        var finals = seen.GroupBy(s => s.Id).Select(g => g.Last()).ToList();
        Assert.Equal(recomputed.Select(s => s.Id).Order(), finals.Select(s => s.Id).Order());
        Assert.All(finals, s => Assert.False(s.Open));
        Assert.All(finals, s => Assert.Equal(recomputed.Single(r => r.Id == s.Id), s));

        var firstNews = seen.GroupBy(s => s.Id).Select(g => g.First()).ToList();
        Assert.All(firstNews, s => Assert.True(s.Open));
        Assert.All(firstNews, s => Assert.InRange(s.End, Plan.Flood.Start, Plan.Flood.Start.AddMinutes(3)));
    }

    [Fact]
    public async Task A_spike_whose_event_write_failed_is_written_by_the_next_catch_up()
    {
        var store = new FlakyEventStore(fixture.Store) { FailNextEventWrite = true };
        var incremental = new IncrementalSpikeDetector(store, new AnomalyOptions());
        var t = Plan.Flood.Start.AddHours(-1);
        for (; store.FailNextEventWrite && t <= Plan.Flood.End; t += Plan.Interval)
        {
            try { await incremental.CatchUpAsync(Plan.Probe, t); }
            catch (StoreWriteException) { }
        }
        Assert.NotEmpty(store.Refused);

        var next = await incremental.CatchUpAsync(Plan.Probe, t);

        Assert.All(store.Refused, refused =>
        {
            Assert.Contains(store.Written, w => w.Id == refused.Id && w.Details.Count == refused.Details.Count && !w.Details.Except(refused.Details).Any());
            Assert.Contains(next, s => s.Id == refused.Id);
        });
    }

    [Fact]
    public async Task A_catch_up_to_a_time_already_fed_reads_nothing_but_still_writes_the_unsent_spikes()
    {
        var store = new FlakyEventStore(fixture.Store);
        var incremental = new IncrementalSpikeDetector(store, new AnomalyOptions());
        await incremental.CatchUpAsync(Plan.Probe, Plan.Flood.Start.AddMinutes(-30));
        var reads = store.SeriesQueries;
        Assert.Empty(await incremental.CatchUpAsync(Plan.Probe, Plan.Flood.Start.AddMinutes(-30)));
        Assert.Empty(await incremental.CatchUpAsync(Plan.Probe, Plan.Flood.Start.AddMinutes(-31)));
        Assert.Equal(reads, store.SeriesQueries);

        store.FailNextEventWrite = true;
        var t = Plan.Flood.Start.AddMinutes(-30);
        while (store.FailNextEventWrite && t < Plan.Flood.End)
        {
            t += Plan.Interval;
            try { await incremental.CatchUpAsync(Plan.Probe, t); }
            catch (StoreWriteException) { }
        }
        Assert.NotEmpty(store.Refused);
        reads = store.SeriesQueries;
        var written = store.Written.Count;

        var retried = await incremental.CatchUpAsync(Plan.Probe, t);

        Assert.Equal(reads, store.SeriesQueries);
        Assert.Equal(store.Refused.Select(e => e.Id), retried.Select(s => s.Id));
        Assert.Equal(store.Refused.Select(e => e.Id), store.Written.Skip(written).Select(e => e.Id));
        Assert.Empty(await incremental.CatchUpAsync(Plan.Probe, t));
    }
}

[CollectionDefinition(nameof(SqliteHistory))]
public sealed class SqliteHistory : ICollectionFixture<SqliteHistoryFixture>;

[Collection(nameof(SqliteHistory))]
public sealed class SqliteSpikeDetectionTests(SqliteHistoryFixture fixture, ITestOutputHelper output)
    : SpikeDetectionTests(fixture, output);

[CollectionDefinition(nameof(InfluxHistory))]
public sealed class InfluxHistory : ICollectionFixture<InfluxHistoryFixture>;

[Collection(nameof(InfluxHistory))]
public sealed class InfluxSpikeDetectionTests(InfluxHistoryFixture fixture, ITestOutputHelper output)
    : SpikeDetectionTests(fixture, output);
