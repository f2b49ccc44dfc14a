using Monitor.Storage.Model;
using Monitor.Storage.Model.Metrics;
using Monitor.Storage.Model.Queries;
using Monitor.Storage.Model.Reports;
using Monitor.Storage.Model.Snapshots;
using Monitor.Storage.Summaries;
using static Monitor.Storage.Tests.Support.Snapshots;

namespace Monitor.Storage.Tests.Support;

/// <summary>What every store must do the same way; each backend runs these against the real thing.</summary>
public abstract class StoreContractTests
{
    protected abstract Task<IMonitorStore> CreateStoreAsync();

    [Fact]
    public async Task A_replayed_interval_replaces_the_first_write_instead_of_doubling()
    {
        await using var store = await CreateStoreAsync();
        var start = Base.AddHours(1);
        await store.WriteIntervalAsync(Interval("p1", start, 300));
        await store.WriteIntervalAsync(Interval("p1", start, 300));
        await store.WriteIntervalAsync(Interval("p1", start.AddSeconds(30), 600));

        var intervals = await store.QueryIntervalsAsync(new IntervalQuery(start, start.AddMinutes(5)));
        Assert.Equal([300L, 600L], intervals.Select(i => i.Packets));
        Assert.Equal(["10.0.0.1", "10.0.0.2"], intervals[1].Reports[ReportCatalog.Talkers].Select(r => r.Text("ip")));
        Assert.Empty(intervals[1].Seconds);
        var top = await store.QueryTopAsync(new TopQuery(ReportCatalog.Talkers, start, start.AddMinutes(5)));
        Assert.Equal("10.0.0.1", top[0].Text("ip"));
        Assert.Equal(900, top[0].Number("packets"));
        Assert.Equal(2, top[1].Number("packets"));
    }

    [Fact]
    public async Task Series_of_intervals_give_min_avg_and_max_per_bucket()
    {
        await using var store = await CreateStoreAsync();
        var start = Base.AddHours(2);
        for (var i = 0; i < 10; i++) await store.WriteIntervalAsync(Interval("p1", start.AddSeconds(30 * i), 30 * (i + 1)));

        var fine = await store.QuerySeriesAsync(new SeriesQuery(MetricCatalog.Packets, start, start.AddSeconds(299)));
        Assert.Equal(TimeSpan.FromSeconds(30), fine.Resolution);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (double)i), fine.Points.Select(p => Math.Round(p.Avg, 6)));

        var coarse = await store.QuerySeriesAsync(new SeriesQuery(MetricCatalog.Packets, start, start.AddSeconds(299), MaxPoints: 2));
        Assert.True(coarse.Points.Count <= 2);
        Assert.Equal(1, coarse.Points[0].Min, 6);
        Assert.Equal(10, coarse.Points.Max(p => p.Max), 6);
        Assert.Equal(5.5, coarse.Points.Sum(p => p.Avg * 5) / 10, 6);
    }

    [Fact]
    public async Task Rates_are_summed_and_gauges_maxed_across_probes()
    {
        await using var store = await CreateStoreAsync();
        var start = Base.AddHours(3);
        await store.WriteIntervalAsync(Interval("p1", start, 300, udpWeight: 5));
        await store.WriteIntervalAsync(Interval("p2", start, 600, udpWeight: 9));

        var all = await store.QuerySeriesAsync(new SeriesQuery(MetricCatalog.Packets, start, start.AddSeconds(29)));
        Assert.Equal(30, Assert.Single(all.Points).Avg, 6);
        var one = await store.QuerySeriesAsync(new SeriesQuery(MetricCatalog.Packets, start, start.AddSeconds(29), ["p2"]));
        Assert.Equal(20, Assert.Single(one.Points).Avg, 6);
        var both = await store.QuerySeriesAsync(new SeriesQuery(MetricCatalog.Packets, start, start.AddSeconds(29), ["p1", "p2"]));
        Assert.Equal(30, Assert.Single(both.Points).Avg, 6);
        var gauge = await store.QuerySeriesAsync(new SeriesQuery(MetricCatalog.UdpMaxWeight, start, start.AddSeconds(29)));
        Assert.Equal(9, Assert.Single(gauge.Points).Max, 6);

        var probes = await store.QueryProbesAsync();
        Assert.Equal(["p1", "p2"], probes.Select(p => p.Probe));
        Assert.Equal(600, probes[1].LastPackets);
        Assert.Equal(start.AddSeconds(30), probes[1].LastIntervalEnd);
    }

    [Fact]
    public async Task One_second_points_are_kept_and_bucketed()
    {
        await using var store = await CreateStoreAsync();
        var start = Base.AddHours(4);
        await store.WriteSecondsAsync([.. Enumerable.Range(0, 60).Select(i => Second("p1", start.AddSeconds(i), i))]);
        await store.WriteSecondsAsync([Second("p1", start, 0)]);

        var series = await store.QuerySeriesAsync(new SeriesQuery(MetricCatalog.Packets, start, start.AddSeconds(59)));
        Assert.Equal(TimeSpan.FromSeconds(1), series.Resolution);
        Assert.Equal(60, series.Points.Count);
        Assert.Equal(59, series.Points[^1].Avg);
        var tenths = await store.QuerySeriesAsync(new SeriesQuery(MetricCatalog.Packets, start, start.AddSeconds(59), MaxPoints: 6));
        Assert.Equal(TimeSpan.FromSeconds(10), tenths.Resolution);
        Assert.Equal([0.0, 10, 20, 30, 40, 50], tenths.Points.Select(p => p.Min));
        Assert.Equal([9.0, 19, 29, 39, 49, 59], tenths.Points.Select(p => p.Max));
    }

    [Fact]
    public async Task One_second_points_without_a_probe_name_are_refused_before_any_of_the_batch_is_written()
    {
        await using var store = await CreateStoreAsync();
        var start = Base.AddHours(5);

        await Assert.ThrowsAsync<ArgumentException>(() => store.WriteSecondsAsync([Second("p1", start, 1), Second(" ", start, 2)]));
        await Assert.ThrowsAsync<ArgumentException>(() => store.WriteSecondsAsync([Second("", start, 3)]));

        Assert.Empty(await store.QueryProbesAsync());
        Assert.Empty((await store.QuerySeriesAsync(new SeriesQuery(MetricCatalog.Packets, start, start.AddSeconds(59)))).Points);
    }

    [Fact]
    public async Task Top_n_over_a_range_sorts_by_any_field_and_filters_by_host()
    {
        await using var store = await CreateStoreAsync();
        var start = Base.AddHours(5);
        for (var i = 0; i < 4; i++)
        {
            await store.WriteIntervalAsync(Interval("p1", start.AddSeconds(30 * i), 100, reports: new Dictionary<string, IReadOnlyList<ReportRow>>
            {
                [ReportCatalog.Udp] = [Udp("10.1.1.1", 100, 1, 2.5 + i), Udp("10.1.1.2", 10, 50, 0.5)],
                [ReportCatalog.Talkers] = [Talker("10.1.1.1", 101, 9000), Talker("10.1.1.3", 5, 99000)],
            }));
        }
        var udp = await store.QueryTopAsync(new TopQuery(ReportCatalog.Udp, start, start.AddMinutes(2)));
        Assert.Equal(["10.1.1.1", "10.1.1.2"], udp.Select(r => r.Text("ip")));
        Assert.Equal(400, udp[0].Number("sent"));
        // (sent - received) x ICMP errors over the range, recomputed from the sums (no errors here), not the largest interval's 5.5.
        Assert.Equal(0, udp[0].Number("weight"));
        var byReceived = await store.QueryTopAsync(new TopQuery(ReportCatalog.Udp, start, start.AddMinutes(2), SortBy: "received", N: 1));
        Assert.Equal("10.1.1.2", Assert.Single(byReceived).Text("ip"));
        var host = await store.QueryTopAsync(new TopQuery(ReportCatalog.Talkers, start, start.AddMinutes(2), Host: "10.1.1.3"));
        Assert.Equal(396000, Assert.Single(host).Number("bytes"));
    }

    [Fact]
    public async Task Events_are_kept_once_per_id_and_filtered_by_kind_and_probe()
    {
        await using var store = await CreateStoreAsync();
        var t = Base.AddHours(6);
        var start = new MonitorEvent
        {
            Id = "e1", Probe = "p1", Time = t, Kind = EventKinds.ProbeStart, Message = "probe p1 started",
            Details = new Dictionary<string, string> { ["version"] = "1.2.3" },
        };
        await store.WriteEventsAsync([start, start]);
        await store.WriteEventsAsync([new MonitorEvent { Id = "e2", Probe = "p2", Time = t.AddSeconds(1), Kind = EventKinds.Alert, Severity = "warning", Message = "high \"udp\", weight" }]);
        var all = await store.QueryEventsAsync(new EventQuery(t.AddMinutes(-1), t.AddMinutes(1)));
        Assert.Equal(["e1", "e2"], all.Select(e => e.Id));
        Assert.Equal("1.2.3", all[0].Details["version"]);
        Assert.Equal("high \"udp\", weight", all[1].Message);
        Assert.Equal("e2", Assert.Single(await store.QueryEventsAsync(new EventQuery(t.AddMinutes(-1), t.AddMinutes(1), Kind: EventKinds.Alert))).Id);
        Assert.Equal("e1", Assert.Single(await store.QueryEventsAsync(new EventQuery(t.AddMinutes(-1), t.AddMinutes(1), ["p1"]))).Id);
    }

    [Fact]
    public async Task Newest_events_come_newest_first_so_a_small_limit_keeps_the_latest()
    {
        await using var store = await CreateStoreAsync();
        var t = Base.AddHours(6);
        await store.WriteEventsAsync([.. Enumerable.Range(0, 20).Select(i =>
            new MonitorEvent { Id = $"e{i:D2}", Probe = "p1", Time = t.AddMinutes(i), Kind = EventKinds.Spike, Message = $"event {i}" })]);

        var newest = await store.QueryEventsAsync(new EventQuery(t, t.AddHours(1), Limit: 3, Newest: true));
        var oldest = await store.QueryEventsAsync(new EventQuery(t, t.AddHours(1), Limit: 3));

        Assert.Equal(["e19", "e18", "e17"], newest.Select(e => e.Id));
        Assert.Equal(["e00", "e01", "e02"], oldest.Select(e => e.Id));
    }

    [Fact]
    public async Task Bad_arguments_are_clear_errors()
    {
        await using var store = await CreateStoreAsync();
        var t = Base;
        var reversed = await Assert.ThrowsAsync<StoreQueryException>(() => store.QuerySeriesAsync(new SeriesQuery(MetricCatalog.Packets, t, t.AddHours(-1))));
        Assert.Contains("after", reversed.Message);
        var unknown = await Assert.ThrowsAsync<StoreQueryException>(() => store.QuerySeriesAsync(new SeriesQuery("nope", t, t.AddHours(1))));
        Assert.Contains("'nope'", unknown.Message);
        await Assert.ThrowsAsync<StoreQueryException>(() => store.QuerySeriesAsync(new SeriesQuery(MetricCatalog.Packets, t, t.AddHours(1), MaxPoints: 0)));
        await Assert.ThrowsAsync<StoreQueryException>(() => store.QueryTopAsync(new TopQuery("nope", t, t.AddHours(1))));
        await Assert.ThrowsAsync<StoreQueryException>(() => store.QueryTopAsync(new TopQuery(ReportCatalog.Talkers, t, t.AddHours(1), Host: "not-an-ip")));
        await Assert.ThrowsAsync<StoreQueryException>(() => store.QueryEventsAsync(new EventQuery(t, t.AddHours(-1))));
        var huge = await store.QuerySeriesAsync(new SeriesQuery(MetricCatalog.Packets, t.AddYears(-20), t.AddYears(1)));
        Assert.Empty(huge.Points);
    }

    [Fact]
    public async Task A_day_summary_covers_hours_and_stays_right_for_a_late_replay()
    {
        await using var store = await CreateStoreAsync();
        var day = Base;
        for (var h = 0; h < 26; h++)
            await store.WriteIntervalAsync(Interval("p1", day.AddHours(h), 10 + h, seconds: 3600));
        await store.WriteIntervalAsync(Interval("p1", day.AddHours(3), 1000, seconds: 3600));

        var top = await store.QueryTopAsync(new TopQuery(ReportCatalog.Talkers, day, day.AddDays(1)));
        var expected = Enumerable.Range(0, 24).Sum(h => 10L + h) - 13 + 1000;
        Assert.Equal(expected, top[0].Number("packets"));
        var host = await store.QueryTopAsync(new TopQuery(ReportCatalog.Talkers, day, day.AddDays(1).AddHours(1), Host: "10.0.0.2"));
        Assert.Equal(25, Assert.Single(host).Number("packets"));
        var hourly = await store.QuerySeriesAsync(new SeriesQuery(MetricCatalog.Packets, day, day.AddDays(1).AddSeconds(-1), MaxPoints: 24));
        Assert.Equal(TimeSpan.FromHours(1), hourly.Resolution);
        Assert.Equal(1000 / 3600.0, hourly.Points[3].Avg, 9);
    }

    [Fact]
    public async Task Long_ranges_read_five_minute_and_hourly_consolidations_with_the_right_min_avg_and_max()
    {
        await using var store = await CreateStoreAsync();
        var start = Base.AddHours(12);
        var values = Enumerable.Range(0, 240).Select(i => (long)((i * 37) % 101 + 1) * 30).ToList();
        for (var i = 0; i < values.Count; i++) await store.WriteIntervalAsync(Interval("p1", start.AddSeconds(30 * i), values[i]));
        var end = start.AddHours(2).AddSeconds(-1);

        var hourly = await store.QuerySeriesAsync(new SeriesQuery(MetricCatalog.Packets, start, end, MaxPoints: 2));
        Assert.Equal(TimeSpan.FromHours(1), hourly.Resolution);
        Assert.Equal(2, hourly.Points.Count);
        for (var h = 0; h < 2; h++)
        {
            var hour = values.Skip(120 * h).Take(120).Select(v => v / 30.0).ToList();
            Assert.Equal(hour.Min(), hourly.Points[h].Min, 9);
            Assert.Equal(hour.Average(), hourly.Points[h].Avg, 9);
            Assert.Equal(hour.Max(), hourly.Points[h].Max, 9);
        }

        var fiveMinutes = await store.QuerySeriesAsync(new SeriesQuery(MetricCatalog.Packets, start, end, MaxPoints: 24));
        Assert.Equal(TimeSpan.FromMinutes(5), fiveMinutes.Resolution);
        Assert.Equal(24, fiveMinutes.Points.Count);
        for (var b = 0; b < 24; b++)
        {
            var bucket = values.Skip(10 * b).Take(10).Select(v => v / 30.0).ToList();
            Assert.Equal(start.AddMinutes(5 * b), fiveMinutes.Points[b].Time);
            Assert.Equal(bucket.Min(), fiveMinutes.Points[b].Min, 9);
            Assert.Equal(bucket.Average(), fiveMinutes.Points[b].Avg, 9);
            Assert.Equal(bucket.Max(), fiveMinutes.Points[b].Max, 9);
        }

        var year = await store.QuerySeriesAsync(new SeriesQuery(MetricCatalog.Packets, start.AddDays(-364), end));
        Assert.True(year.Points.Count <= 2000);
        Assert.True(year.Resolution >= TimeSpan.FromHours(4));
        Assert.Equal(values.Average() / 30.0, year.Points.Sum(p => p.Avg) / year.Points.Count, 9);
    }

    [Fact]
    public async Task A_bulk_write_stores_the_same_series_tops_and_summaries_as_writing_interval_by_interval()
    {
        await using var store = await CreateStoreAsync();
        var day = Base;
        IntervalSnapshot Quarter(string probe, int i) => Interval(probe, day.AddMinutes(15 * i), 900 + 37 * (i % 11), seconds: 900,
            reports: new Dictionary<string, IReadOnlyList<ReportRow>>
            {
                [ReportCatalog.Talkers] = [Talker("10.0.0.1", 10 + i, 1000), Talker($"10.0.1.{i % 5}", i, 50)],
                [ReportCatalog.Udp] = [Udp("10.0.2.1", i, 1, i % 7)],
            });
        var quarters = Enumerable.Range(0, 26 * 4).ToList();
        var bulk = quarters.Select(i => Quarter("bulk", i)).ToList();
        await store.WriteIntervalsAsync(bulk[..37]);
        await store.WriteIntervalsAsync(bulk[37..]);
        foreach (var i in quarters) await store.WriteIntervalAsync(Quarter("single", i));

        var end = day.AddHours(26).AddSeconds(-1);
        Assert.Equal(
            (await store.QueryIntervalsAsync(new IntervalQuery(day, end, ["single"]))).Select(i => (i.Start, i.Packets)),
            (await store.QueryIntervalsAsync(new IntervalQuery(day, end, ["bulk"]))).Select(i => (i.Start, i.Packets)));
        foreach (var maxPoints in new[] { 2000, 200, 26 })
        {
            var single = await store.QuerySeriesAsync(new SeriesQuery(MetricCatalog.Packets, day, end, ["single"], maxPoints));
            var fromBulk = await store.QuerySeriesAsync(new SeriesQuery(MetricCatalog.Packets, day, end, ["bulk"], maxPoints));
            Assert.Equal(single.Resolution, fromBulk.Resolution);
            Assert.NotEmpty(fromBulk.Points);
            Assert.Equal(Rounded(single.Points), Rounded(fromBulk.Points));
        }
        foreach (var (from, to) in new[] { (day, day.AddDays(1)), (day.AddHours(3), day.AddHours(5)), (day.AddMinutes(50), day.AddHours(25).AddMinutes(10)) })
        {
            var single = await store.QueryTopAsync(new TopQuery(ReportCatalog.Talkers, from, to, ["single"], N: 20));
            var fromBulk = await store.QueryTopAsync(new TopQuery(ReportCatalog.Talkers, from, to, ["bulk"], N: 20));
            Assert.Equal(single, fromBulk);
            var inRange = quarters.Where(i => day.AddMinutes(15 * i) >= from && day.AddMinutes(15 * i) < to).ToList();
            Assert.Equal(inRange.Sum(i => 10L + i), fromBulk[0].Number("packets"));
        }
        Assert.Equal(
            await store.QueryTopAsync(new TopQuery(ReportCatalog.Udp, day, day.AddDays(1), ["single"])),
            await store.QueryTopAsync(new TopQuery(ReportCatalog.Udp, day, day.AddDays(1), ["bulk"])));
        var probes = await store.QueryProbesAsync();
        Assert.Equal(probes[1].LastPackets, probes[0].LastPackets);
        Assert.Equal(day.AddHours(26), probes[0].LastIntervalEnd);

        static List<(DateTimeOffset, double, double, double)> Rounded(IEnumerable<SeriesBucket> points) =>
            points.Select(p => (p.Time, Math.Round(p.Min, 9), Math.Round(p.Avg, 9), Math.Round(p.Max, 9))).ToList();
    }

    [Fact]
    public async Task Range_reports_recompute_ratios_union_distinct_sets_keep_first_and_last_seen_and_mark_lower_bounds()
    {
        await using var store = await CreateStoreAsync();
        var day = Base;
        var quarters = Enumerable.Range(0, 26 * 4).ToList();
        await store.WriteIntervalsAsync([.. quarters.Select(i => Interval("p1", day.AddMinutes(15 * i), 100, seconds: 900, reports: RangeReports(day, i)))]);

        foreach (var (from, to) in new[] { (day, day.AddDays(1)), (day.AddMinutes(50), day.AddHours(25).AddMinutes(10)) })
        {
            var inRange = quarters.Where(i => day.AddMinutes(15 * i) >= from && day.AddMinutes(15 * i) < to).ToList();
            var syn = await store.QueryTopAsync(new TopQuery(ReportCatalog.Syn, from, to));
            // Both scanners weigh 100; the documented tie-break (then syn_sent) puts the one with more SYNs first.
            Assert.Equal(["10.9.0.1", "10.9.0.0", "10.9.0.2"], syn.Select(r => r.Text("ip")));
            var client = syn[2];
            var tcp = inRange.Sum(i => i == 0 ? 1.0 : 1000);
            Assert.Equal(Math.Round(100 * inRange.Count / tcp, 2), client.Number("work_weight"));
            Assert.Equal("", client.Text("flag"));
            Assert.Null(client[TopAggregator.LowerBound]);
            Assert.DoesNotContain(syn.SelectMany(r => r.Fields), f => f.Name.EndsWith(TopAggregator.SetSuffix, StringComparison.Ordinal));

            var udp = Assert.Single(await store.QueryTopAsync(new TopQuery(ReportCatalog.Udp, from, to)));
            Assert.Equal((inRange.Count * 50L - inRange.Count) * inRange.Count(i => i % 7 == 0), udp.Number("weight"));

            var sweeper = Assert.Single(await store.QueryTopAsync(new TopQuery(ReportCatalog.IpScanners, from, to)));
            var swept = inRange.SelectMany(i => Enumerable.Range(i * 20, 30)).Distinct().Count();
            Assert.InRange(sweeper.Number("distinct_destinations"), swept * 0.9, swept * 1.1);
            Assert.True(sweeper["estimated"] is true);
            var ports = Assert.Single(await store.QueryTopAsync(new TopQuery(ReportCatalog.PortScanners, from, to)));
            Assert.Equal(inRange.SelectMany(i => Enumerable.Range(i % 10, 5)).Distinct().Count(), ports.Number("distinct_ports"));
            Assert.True(ports["estimated"] is false);

            var tunnel = Assert.Single(await store.QueryTopAsync(new TopQuery(ReportCatalog.IcmpTunnels, from, to)));
            var early = inRange.Contains(3);
            Assert.Equal(Stamp(day, early ? 3 : 50, 0), tunnel.Text("first_seen"));
            Assert.Equal(Stamp(day, 50, 10), tunnel.Text("last_seen"));
            Assert.Equal(early ? (56 * 2 + 600 * 6) / 8.0 : 600, tunnel.Number("avg_size_ab"));
            Assert.True(tunnel[TopAggregator.LowerBound] is true);
            var hit = Assert.Single(await store.QueryTopAsync(new TopQuery(ReportCatalog.Blacklist, from, to)));
            Assert.Equal(Stamp(day, 10, 0), hit.Text("first_seen"));
            Assert.Equal(Stamp(day, 80, 10), hit.Text("last_seen"));
            Assert.True(hit[TopAggregator.LowerBound] is true);
            var hostOnly = Assert.Single(await store.QueryTopAsync(new TopQuery(ReportCatalog.Blacklist, from, to, Host: "10.6.0.1")));
            Assert.True(hostOnly[TopAggregator.LowerBound] is true);
        }
    }

    [Fact]
    public async Task Irc_channels_over_a_range_union_members_and_scanners_sum_messages_and_stay_evil()
    {
        await using var store = await CreateStoreAsync();
        var day = Base;
        var quarters = Enumerable.Range(0, 26 * 4).ToList();
        await store.WriteIntervalsAsync([.. quarters.Select(i => Interval("p1", day.AddMinutes(15 * i), 100, seconds: 900, reports: IrcReports(i)))]);

        foreach (var (from, to) in new[] { (day, day.AddDays(1)), (day.AddMinutes(50), day.AddHours(25).AddMinutes(10)) })
        {
            var inRange = quarters.Where(i => day.AddMinutes(15 * i) >= from && day.AddMinutes(15 * i) < to).ToList();
            var channels = await store.QueryTopAsync(new TopQuery(ReportCatalog.IrcChannels, from, to));
            Assert.Equal(["#bots", "#chat"], channels.Select(c => c.Text("channel")));
            var bots = channels[0];
            Assert.Equal(8, bots.Number("hosts"));
            Assert.Equal(2, bots.Number("scanners"));
            Assert.True(bots["evil"] is true);
            Assert.Equal(inRange.Count * 2, bots.Number("joins"));
            Assert.Equal(95.5, bots.Number("max_work_weight"));
            Assert.Equal(8, bots.Text("members").Split(' ').Distinct().Count());
            Assert.Equal("203.0.113.66:8585", bots.Text("servers"));
            var chat = channels[1];
            Assert.Equal(10, chat.Number("hosts"));
            Assert.Equal(0, chat.Number("scanners"));
            Assert.True(chat["evil"] is false);
            Assert.DoesNotContain(channels.SelectMany(r => r.Fields), f => f.Name.EndsWith(TopAggregator.SetSuffix, StringComparison.Ordinal));

            var host = Assert.Single(await store.QueryTopAsync(new TopQuery(ReportCatalog.IrcHosts, from, to)));
            Assert.Equal(inRange.Count, host.Number("pings"));
            Assert.Equal("#bots #other", host.Text("channels"));
            var talker = (await store.QueryTopAsync(new TopQuery(ReportCatalog.Talkers, from, to, Host: "10.1.0.1"))).Single();
            Assert.Equal("BI", talker.Text("app_flags"));
        }
    }

    /// <summary>
    /// Quarter i: #bots has members i % 8 and (i + 1) % 8, the first scanning when i % 4 == 0 (members 0 and 4 over a
    /// day); #chat has the same ten talkers every quarter and no scanner.
    /// </summary>
    private static Dictionary<string, IReadOnlyList<ReportRow>> IrcReports(int i)
    {
        static string Set(IEnumerable<int> members)
        {
            var set = new DistinctUnion();
            foreach (var m in members) set.Add(SplitMix((ulong)m));
            return set.ToText();
        }
        var bots = new[] { i % 8, (i + 1) % 8 };
        var scanners = i % 4 == 0 ? new[] { i % 8 } : [];
        ReportRow Channel(string name, int[] members, int[] scanning, double weight, string server) => new(
        [
            new("channel", name), new("hosts", (long)members.Length), new("scanners", (long)scanning.Length),
            new("max_work_weight", weight), new("joins", 2L), new("privmsgs", 1L), new("servers", server),
            new("members", string.Join(' ', members.Select(m => $"10.1.{name.Length}.{m}"))), new("evil", scanning.Length > 0),
            new("hosts_set", Set(members)), new("scanners_set", Set(scanning)),
        ]);
        return new Dictionary<string, IReadOnlyList<ReportRow>>
        {
            [ReportCatalog.IrcChannels] =
            [
                Channel("#bots", bots, scanners, i == 7 ? 95.5 : 40, "203.0.113.66:8585"),
                Channel("#chat", [.. Enumerable.Range(100, 10)], [], 5, "192.0.2.10:6667"),
            ],
            [ReportCatalog.IrcHosts] = [new(
            [
                new("ip", "10.1.0.1"), new("channels", i % 2 == 0 ? "#bots" : "#bots #other"), new("joins", 1L), new("privmsgs", 0L),
                new("pings", 1L), new("pongs", 1L), new("work_weight", 12.5), new("server", "203.0.113.66:8585"),
            ])],
            [ReportCatalog.Talkers] = [new(
            [
                new("ip", "10.1.0.1"), new("packets", 10L), new("bytes", 1000L), new("packets_sent", 5L), new("bytes_sent", 500L),
                new("packets_received", 5L), new("bytes_received", 500L), new("app_flags", i == 5 ? "B" : i % 4 == 1 ? "I" : ""),
            ])],
        };
    }

    private static string Stamp(DateTimeOffset day, int quarter, int seconds) =>
        day.AddMinutes(15 * quarter).AddSeconds(seconds).ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Quarter i's rows as the probe makes them, with the sets behind the distinct counts.</summary>
    private static Dictionary<string, IReadOnlyList<ReportRow>> RangeReports(DateTimeOffset day, int i)
    {
        static string Set(IEnumerable<int> items, int dimension)
        {
            var set = new DistinctUnion();
            foreach (var item in items) set.Add(SplitMix((ulong)item * 8 + (ulong)dimension));
            return set.ToText();
        }
        static ReportRow Syn(string ip, long syn, long tcpSent, long tcpReceived) => new(
        [
            new("ip", ip), new("syn_sent", syn), new("synack_sent", 0L), new("fin_sent", 0L), new("rst_sent", 0L),
            new("rst_received", 0L), new("tcp_sent", tcpSent), new("tcp_received", tcpReceived), new("icmp_errors_received", 0L),
            new("distinct_ports", 1L), new("distinct_hosts", 1L),
            new("work_weight", Math.Round(100.0 * syn / (tcpSent + tcpReceived), 2)), new("flag", 100.0 * syn / (tcpSent + tcpReceived) >= 90 ? "W" : ""),
            new("worm", false), new("distinct_hosts_set", Set([1], 1)), new("distinct_ports_set", Set([80], 5)),
        ]);
        var swept = Enumerable.Range(i * 20, 30).ToList();
        var ports = Enumerable.Range(i % 10, 5).ToList();
        var reports = new Dictionary<string, IReadOnlyList<ReportRow>>
        {
            [ReportCatalog.Syn] = [Syn("10.9.0.0", 50, 50, 0), Syn("10.9.0.1", 100, 100, 0), i == 0 ? Syn("10.9.0.2", 1, 1, 0) : Syn("10.9.0.2", 1, 500, 500)],
            [ReportCatalog.Udp] = [new(
            [
                new("ip", "10.5.0.1"), new("sent", 50L), new("received", 1L), new("icmp_errors_received", i % 7 == 0 ? 1L : 0L),
                new("distinct_ports", 1L), new("weight", i % 7 == 0 ? 49L : 0L), new("distinct_ports_set", Set([53], 6)),
            ])],
            [ReportCatalog.IpScanners] = [new(
            [
                new("ip", "10.8.0.1"), new("distinct_destinations", 30L), new("distinct_tcp", 30L), new("distinct_udp", 0L),
                new("distinct_icmp", 0L), new("estimated", false),
                new("distinct_destinations_set", Set(swept, 0)), new("distinct_tcp_set", Set(swept, 1)),
                new("distinct_udp_set", Set([], 2)), new("distinct_icmp_set", Set([], 3)),
            ])],
            [ReportCatalog.PortScanners] = [new(
            [
                new("ip", "10.8.0.2"), new("distinct_ports", 5L), new("distinct_tcp_ports", 5L), new("distinct_udp_ports", 0L),
                new("estimated", false), new("distinct_tcp_ports_set", Set(ports, 5)), new("distinct_udp_ports_set", Set([], 6)),
            ])],
        };
        // The probe writes every report each interval, an empty list when nothing qualified.
        reports[ReportCatalog.IcmpTunnels] = [];
        reports[ReportCatalog.Blacklist] = [];
        if (i is 3 or 50)
            reports[ReportCatalog.IcmpTunnels] = [new(
            [
                new("a", "10.7.0.1"), new("b", "10.7.0.2"), new("packets_ab", i == 3 ? 2L : 6L), new("bytes_ab", 1000L),
                new("packets_ba", 0L), new("bytes_ba", 0L), new("avg_size_ab", i == 3 ? 56.0 : 600.0), new("avg_size_ba", 0.0),
                new("suspect", true), new("reason", "sizes vary"), new("first_seen", Stamp(day, i, 0)), new("last_seen", Stamp(day, i, 10)),
            ])];
        if (i is 10 or 80)
            reports[ReportCatalog.Blacklist] = [new(
            [
                new("src", "10.6.0.1"), new("dst", "203.0.113.7"), new("proto", "udp"), new("sport", 40000L), new("dport", 123L),
                new("packets", 1L), new("bytes", 60L), new("listed", "dst"),
                new("first_seen", Stamp(day, i, 0)), new("last_seen", Stamp(day, i, 10)),
            ])];
        return reports;
    }

    private static ulong SplitMix(ulong x)
    {
        x += 0x9E3779B97F4A7C15UL;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9UL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBUL;
        return x ^ (x >> 31);
    }

    [Fact]
    public async Task A_bulk_replay_out_of_order_and_with_repeats_counts_every_interval_once_and_the_last_copy_wins()
    {
        await using var store = await CreateStoreAsync();
        var start = Base.AddHours(7).AddMinutes(40);
        var intervals = Enumerable.Range(0, 60).Select(i => Interval("p1", start.AddSeconds(30 * i), 100 + i)).ToList();
        await store.WriteIntervalsAsync(intervals);
        await store.WriteIntervalsAsync([.. Enumerable.Reverse(intervals), Interval("p1", start.AddSeconds(150), 999)]);

        var expected = Enumerable.Range(0, 60).Select(i => i == 5 ? 999L : 100 + i).ToList();
        var stored = await store.QueryIntervalsAsync(new IntervalQuery(start, start.AddHours(1)));
        Assert.Equal(expected, stored.Select(i => i.Packets));
        Assert.Equal(intervals.Select(i => i.Start), stored.Select(i => i.Start));
        var top = await store.QueryTopAsync(new TopQuery(ReportCatalog.Talkers, start, start.AddHours(1)));
        Assert.Equal(expected.Sum(), top[0].Number("packets"));
        Assert.Equal(60, top[1].Number("packets"));
        var hour = start.AddMinutes(20);
        var summarized = await store.QueryTopAsync(new TopQuery(ReportCatalog.Talkers, hour, hour.AddHours(1)));
        Assert.Equal(expected.Skip(40).Sum(), summarized[0].Number("packets"));
        var series = await store.QuerySeriesAsync(new SeriesQuery(MetricCatalog.Packets, start, start.AddSeconds(30 * 60 - 1)));
        Assert.Equal(expected.Select(p => Math.Round(p / 30.0, 9)), series.Points.Select(p => Math.Round(p.Avg, 9)));
        var fiveMinutes = await store.QuerySeriesAsync(new SeriesQuery(MetricCatalog.Packets, start, start.AddSeconds(30 * 60 - 1), MaxPoints: 6));
        Assert.Equal(expected.Chunk(10).Select(c => Math.Round(c.Average() / 30, 9)), fiveMinutes.Points.Select(p => Math.Round(p.Avg, 9)));
        var probe = Assert.Single(await store.QueryProbesAsync());
        Assert.Equal(159, probe.LastPackets);
    }

    [Fact]
    public async Task A_replay_with_fewer_reports_or_rows_leaves_nothing_of_the_first_write()
    {
        await using var store = await CreateStoreAsync();
        var start = Base.AddHours(9);
        await store.WriteIntervalAsync(Interval("p1", start, 300, reports: new Dictionary<string, IReadOnlyList<ReportRow>>
        {
            [ReportCatalog.Talkers] = [Talker("10.0.0.1", 300, 3000), Talker("10.0.0.2", 20, 200), Talker("10.0.0.3", 10, 100)],
            [ReportCatalog.Udp] = [Udp("10.0.0.9", 50, 0, 80)],
        }));
        await store.WriteIntervalAsync(Interval("p1", start.AddSeconds(30), 40, reports: new Dictionary<string, IReadOnlyList<ReportRow>>
        {
            [ReportCatalog.Talkers] = [Talker("10.0.0.4", 40, 400)],
        }));
        await store.WriteIntervalAsync(Interval("p1", start, 200, reports: new Dictionary<string, IReadOnlyList<ReportRow>>
        {
            [ReportCatalog.Talkers] = [Talker("10.0.0.1", 200, 2000)],
        }));

        var replayed = Assert.Single(await store.QueryIntervalsAsync(new IntervalQuery(start, start)));
        Assert.Equal(200, replayed.Packets);
        Assert.Equal([ReportCatalog.Talkers], replayed.Reports.Keys);
        Assert.Equal(["10.0.0.1"], replayed.Reports[ReportCatalog.Talkers].Select(r => r.Text("ip")));
        Assert.Empty(await store.QueryTopAsync(new TopQuery(ReportCatalog.Udp, start, start.AddMinutes(1))));
        var talkers = await store.QueryTopAsync(new TopQuery(ReportCatalog.Talkers, start, start.AddMinutes(1)));
        Assert.Equal([("10.0.0.1", 200.0), ("10.0.0.4", 40.0)], talkers.Select(r => (r.Text("ip"), r.Number("packets"))));
    }

    [Fact]
    public async Task A_bulk_write_of_several_probes_keeps_each_probe_apart()
    {
        await using var store = await CreateStoreAsync();
        var start = Base.AddHours(11);
        await store.WriteIntervalsAsync([.. Enumerable.Range(0, 20).SelectMany(i => new[]
        {
            Interval("east", start.AddSeconds(30 * i), 100 + i),
            Interval("west", start.AddSeconds(30 * i), 500 + i),
        })]);

        var east = await store.QueryIntervalsAsync(new IntervalQuery(start, start.AddHours(1), ["east"]));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => 100L + i), east.Select(i => i.Packets));
        var west = await store.QueryTopAsync(new TopQuery(ReportCatalog.Talkers, start, start.AddHours(1), ["west"]));
        Assert.Equal(Enumerable.Range(0, 20).Sum(i => 500L + i), west[0].Number("packets"));
        var both = await store.QuerySeriesAsync(new SeriesQuery(MetricCatalog.Packets, start, start.AddSeconds(599)));
        Assert.Equal(Enumerable.Range(0, 20).Select(i => Math.Round((600 + 2 * i) / 30.0, 9)), both.Points.Select(p => Math.Round(p.Avg, 9)));
        Assert.Equal([("east", 119L), ("west", 519L)], (await store.QueryProbesAsync()).Select(p => (p.Probe, p.LastPackets)));
    }
}
