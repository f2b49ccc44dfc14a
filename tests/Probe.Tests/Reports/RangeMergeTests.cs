using Monitor.Probe.Decode;
using Monitor.Probe.Reports;
using Monitor.Storage.Model.Reports;
using Monitor.Storage.Model.Snapshots;
using Monitor.Storage.Summaries;
using static Monitor.Probe.Tests.Reports.TestPackets;

namespace Monitor.Probe.Tests.Reports;

/// <summary>
/// The probe's rows of five intervals merged as the stores merge a range, against one interval counted over all the
/// same packets (the truth for the range): ratios from summed counters, distinct counts from the stored sets,
/// first/last seen as min/max, the documented order.
/// </summary>
public sealed class RangeMergeTests : IDisposable
{
    private const int Intervals = 5;
    private const long Second = TimeSpan.TicksPerSecond;
    private readonly string _blacklist = Path.Combine(Path.GetTempPath(), $"range-blacklist-{Guid.NewGuid():N}.txt");
    private readonly ReportOptions _options;

    public RangeMergeTests()
    {
        File.WriteAllText(_blacklist, "203.0.113.7\n");
        _options = new ReportOptions { Top = 100, Blacklist = _blacklist };
    }

    public void Dispose() => File.Delete(_blacklist);

    /// <summary>Interval i's packets: a sweep, a port scan, a busy client, a UDP sender hit by errors, a tunnel, a blacklisted flow.</summary>
    private static List<DecodedPacket> IntervalPackets(int i)
    {
        var packets = new List<DecodedPacket>();
        var at = i * 30 * Second;
        // 10,000 hosts swept, 2,000 new ones an interval plus 500 seen before: the busiest interval has 2,500.
        for (var h = i * 2000 - (i == 0 ? 0 : 500); h < (i + 1) * 2000; h++)
            packets.Add(At(Syn("192.0.2.1", $"10.{h / 65536}.{h / 256 % 256}.{h % 256}"), at));
        // 10 ports an interval, 5 of them new: 30 over the range.
        for (var port = i * 5 + 1; port <= i * 5 + 10; port++)
            packets.Add(At(Syn("192.0.2.2", "198.51.100.9", (ushort)port), at));
        // A busy client: one SYN and 300 established packets each way every interval, an unanswered SYN burst in one.
        packets.Add(At(Syn("192.0.2.4", "198.51.100.80", 443, 50000), at));
        for (var k = 0; k < 300; k++)
        {
            packets.Add(At(Tcp("192.0.2.4", "198.51.100.80", 50000, 443, TcpFlags.Ack), at));
            packets.Add(At(Tcp("198.51.100.80", "192.0.2.4", 443, 50000, TcpFlags.Ack), at));
        }
        if (i == 2)
            for (var k = 0; k < 40; k++) packets.Add(At(Syn("192.0.2.4", "198.51.100.81", 22, (ushort)(51000 + k)), at));
        // A UDP sender whose ICMP errors come in one interval only.
        for (var k = 0; k < 100 + i; k++) packets.Add(At(Udp("192.0.2.3", "198.51.100.53", 40000, 53), at));
        packets.Add(At(Udp("198.51.100.53", "192.0.2.3", 53, 40000), at));
        if (i == 3)
            for (var k = 0; k < 7; k++) packets.Add(At(Icmp("198.51.100.53", "192.0.2.3", 3, 3), at));
        // Echo requests of two sizes in intervals 1 and 3.
        if (i is 1 or 3)
        {
            packets.Add(Icmp("192.0.2.5", "198.51.100.7", 8, 0, payload: i == 1 ? 56 : 600, ticks: at + Second));
            packets.Add(Icmp("192.0.2.5", "198.51.100.7", 8, 0, payload: i == 1 ? 56 : 600, ticks: at + 2 * Second));
        }
        // A listed destination reached at the start of interval 0 and the end of interval 4.
        if (i is 0 or 4) packets.Add(Udp("192.0.2.6", "203.0.113.7", 40000, 123, ticks: at + (i == 0 ? 1 : 29) * Second));
        return packets;
    }

    private static DecodedPacket At(DecodedPacket packet, long ticks)
    {
        packet.Ticks = Start + ticks;
        return packet;
    }

    private (IReadOnlyList<ReportRow> Merged, IReadOnlyList<ReportRow> Truth) Range(string report, string? sortBy = null)
    {
        var aggregator = new TopAggregator(ReportCatalog.Find(report)!);
        var all = new List<DecodedPacket>();
        for (var i = 0; i < Intervals; i++)
        {
            var packets = IntervalPackets(i);
            all.AddRange(packets);
            aggregator.AddRange(Count(_options, packets).Build(TimeSpan.FromSeconds(30)).Report(report));
        }
        return (aggregator.Top(100, sortBy), Count(_options, all).Build(TimeSpan.FromSeconds(150)).Report(report));
    }

    private static ReportRow Of(IReadOnlyList<ReportRow> rows, string field, string value) => rows.Single(r => r.Text(field) == value);

    [Fact]
    public void A_range_syn_work_weight_is_recomputed_from_the_summed_counters_and_ties_go_by_syn_sent()
    {
        var (merged, truth) = Range(ReportCatalog.Syn);

        var client = Of(merged, "ip", "192.0.2.4");
        Assert.Equal(Of(truth, "ip", "192.0.2.4").Number("work_weight"), client.Number("work_weight"));
        Assert.True(client.Number("work_weight") < 10, $"the busy client's range weight is {client.Number("work_weight")}");
        Assert.Equal("", client.Text("flag"));
        Assert.Equal(45, client.Number("syn_sent"));
        // Both scanners have weight 100 over the range; the one with more SYNs comes first, as in one interval.
        Assert.Equal(truth.Select(r => r.Text("ip")), merged.Select(r => r.Text("ip")));
        Assert.Equal(["192.0.2.1", "192.0.2.2", "192.0.2.4"], merged.Select(r => r.Text("ip")));
        Assert.Equal(Of(truth, "ip", "192.0.2.2").Number("distinct_ports"), Of(merged, "ip", "192.0.2.2").Number("distinct_ports"));
        Assert.DoesNotContain(merged.SelectMany(r => r.Fields), f => f.Name.EndsWith(TopAggregator.SetSuffix, StringComparison.Ordinal));
    }

    [Fact]
    public void A_range_udp_weight_is_recomputed_from_the_summed_counters()
    {
        var (merged, truth) = Range(ReportCatalog.Udp);

        var sender = Of(merged, "ip", "192.0.2.3");
        Assert.Equal((510 - 5) * 7, sender.Number("weight"));
        Assert.Equal(Of(truth, "ip", "192.0.2.3").Number("weight"), sender.Number("weight"));
        Assert.Equal(510, sender.Number("sent"));
    }

    [Fact]
    public void A_range_ip_scanner_count_is_the_union_of_the_intervals_destinations_marked_estimated_when_large()
    {
        var (merged, truth) = Range(ReportCatalog.IpScanners);

        var sweeper = Of(merged, "ip", "192.0.2.1");
        Assert.Equal(10000, Of(truth, "ip", "192.0.2.1").Number("distinct_destinations"));
        Assert.InRange(sweeper.Number("distinct_destinations"), 9000, 11000);
        Assert.InRange(sweeper.Number("distinct_tcp"), 9000, 11000);
        Assert.True((bool)sweeper["estimated"]!);
        Assert.Equal(0, sweeper.Number("distinct_udp"));
        var small = Of(merged, "ip", "192.0.2.3");
        Assert.Equal(1, small.Number("distinct_destinations"));
        Assert.False((bool)small["estimated"]!);
    }

    [Fact]
    public void A_range_port_scanner_count_is_the_exact_union_of_small_port_sets()
    {
        var (merged, truth) = Range(ReportCatalog.PortScanners);

        var scanner = Of(merged, "ip", "192.0.2.2");
        Assert.Equal(30, Of(truth, "ip", "192.0.2.2").Number("distinct_ports"));
        Assert.Equal(30, scanner.Number("distinct_ports"));
        Assert.Equal(30, scanner.Number("distinct_tcp_ports"));
        Assert.False((bool)scanner["estimated"]!);
    }

    [Fact]
    public void A_range_icmp_tunnel_and_blacklist_hit_keep_the_first_and_last_time_seen_and_the_mean_size()
    {
        var (tunnels, tunnelTruth) = Range(ReportCatalog.IcmpTunnels);
        var tunnel = Of(tunnels, "a", "192.0.2.5");
        var tunnelExpected = Of(tunnelTruth, "a", "192.0.2.5");
        Assert.Equal(tunnelExpected.Text("first_seen"), tunnel.Text("first_seen"));
        Assert.Equal(tunnelExpected.Text("last_seen"), tunnel.Text("last_seen"));
        Assert.NotEqual(tunnel.Text("first_seen"), tunnel.Text("last_seen"));
        Assert.Equal(tunnelExpected.Number("avg_size_ab"), tunnel.Number("avg_size_ab"));
        Assert.True((bool)tunnel["suspect"]!);

        var (hits, hitTruth) = Range(ReportCatalog.Blacklist);
        var hit = Of(hits, "dst", "203.0.113.7");
        Assert.Equal(Of(hitTruth, "dst", "203.0.113.7").Text("first_seen"), hit.Text("first_seen"));
        Assert.Equal(Of(hitTruth, "dst", "203.0.113.7").Text("last_seen"), hit.Text("last_seen"));
        Assert.Equal(2, hit.Number("packets"));
    }

    [Fact]
    public void A_row_missing_from_some_merged_intervals_is_marked_a_lower_bound_and_one_in_all_of_them_is_not()
    {
        var (merged, _) = Range(ReportCatalog.Blacklist);
        Assert.True(Of(merged, "dst", "203.0.113.7")[TopAggregator.LowerBound] is true);

        var (udp, _) = Range(ReportCatalog.Udp);
        Assert.Null(Of(udp, "ip", "192.0.2.3")[TopAggregator.LowerBound]);
    }
}
