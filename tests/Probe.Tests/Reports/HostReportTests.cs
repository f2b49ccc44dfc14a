using Monitor.Probe.Decode;
using Monitor.Probe.Reports;
using Monitor.Storage.Model.Metrics;
using Monitor.Storage.Model.Reports;
using static Monitor.Probe.Tests.Reports.TestPackets;

namespace Monitor.Probe.Tests.Reports;

public class HostReportTests
{
    private static readonly ReportOptions Options = new() { Top = 100 };

    [Fact]
    public void Talkers_count_every_packet_sent_and_received_sorted_by_bytes()
    {
        var set = Count(Options,
        [
            Udp("192.0.2.1", "192.0.2.2", 1000, 53, 100),
            Udp("192.0.2.2", "192.0.2.1", 53, 1000, 300),
            Udp("192.0.2.3", "192.0.2.2", 1000, 53, 50),
        ]);
        var talkers = set.Build(TimeSpan.FromSeconds(30)).Report(ReportCatalog.Talkers);

        Assert.Equal(["192.0.2.2", "192.0.2.1", "192.0.2.3"], talkers.Select(r => r.Text("ip")));
        var two = talkers[0];
        Assert.Equal(3, two.Long("packets"));
        Assert.Equal(450, two.Long("bytes"));
        Assert.Equal(1, two.Long("packets_sent"));
        Assert.Equal(300, two.Long("bytes_sent"));
        Assert.Equal(2, two.Long("packets_received"));
        Assert.Equal(150, two.Long("bytes_received"));
        Assert.Equal(["ip", "packets", "bytes", "packets_sent", "bytes_sent", "packets_received", "bytes_received", "app_flags"],
            two.Fields.Select(f => f.Name));
    }

    [Fact]
    public void Syn_report_counts_syn_without_ack_synack_fin_and_rst_per_source()
    {
        var set = Count(Options,
        [
            Syn("192.0.2.1", "192.0.2.9"),
            Syn("192.0.2.1", "192.0.2.9"),
            Tcp("192.0.2.9", "192.0.2.1", 80, 40000, TcpFlags.Syn | TcpFlags.Ack),
            Tcp("192.0.2.1", "192.0.2.9", 40000, 80, TcpFlags.Ack),
            Tcp("192.0.2.1", "192.0.2.9", 40000, 80, TcpFlags.Fin | TcpFlags.Ack),
            Tcp("192.0.2.9", "192.0.2.1", 80, 40000, TcpFlags.Rst),
            Icmp("192.0.2.254", "192.0.2.1", 3, 1),
        ]);
        var results = set.Build(TimeSpan.FromSeconds(10));
        var one = results.Row(ReportCatalog.Syn, "ip", "192.0.2.1");

        Assert.Equal(2, one.Long("syn_sent"));
        Assert.Equal(0, one.Long("synack_sent"));
        Assert.Equal(1, one.Long("fin_sent"));
        Assert.Equal(0, one.Long("rst_sent"));
        Assert.Equal(1, one.Long("rst_received"));
        Assert.Equal(4, one.Long("tcp_sent"));
        Assert.Equal(2, one.Long("tcp_received"));
        Assert.Equal(1, one.Long("icmp_errors_received"));
        Assert.Equal(1, one.Long("distinct_hosts"));
        Assert.Equal(1, one.Long("distinct_ports"));
        // The responder sent a SYN-ACK and a RST but no SYN: it is not a SYN sender.
        Assert.DoesNotContain(results.Report(ReportCatalog.Syn), r => r.Text("ip") == "192.0.2.9");
        Assert.Equal(2 / 10.0, results.Metrics[MetricCatalog.Syn]);
    }

    [Fact]
    public void Work_weight_is_syn_plus_fin_plus_rst_received_over_tcp_sent_and_received_in_percent()
    {
        // 3 SYN + 1 FIN sent, 2 RST received, 8 TCP packets in all: (3 + 1 + 2) / 8 = 75 %.
        var packets = new List<DecodedPacket>
        {
            Syn("192.0.2.1", "192.0.2.9"), Syn("192.0.2.1", "192.0.2.9"), Syn("192.0.2.1", "192.0.2.9"),
            Tcp("192.0.2.1", "192.0.2.9", 40000, 80, TcpFlags.Fin | TcpFlags.Ack),
            Tcp("192.0.2.9", "192.0.2.1", 80, 40000, TcpFlags.Rst | TcpFlags.Ack),
            Tcp("192.0.2.9", "192.0.2.1", 80, 40000, TcpFlags.Rst | TcpFlags.Ack),
            Tcp("192.0.2.9", "192.0.2.1", 80, 40000, TcpFlags.Ack),
            Tcp("192.0.2.9", "192.0.2.1", 80, 40000, TcpFlags.Ack),
        };
        var row = Count(Options, packets).Build(TimeSpan.FromSeconds(30)).Row(ReportCatalog.Syn, "ip", "192.0.2.1");

        Assert.Equal(75.0, (double)row["work_weight"]!);
        Assert.Equal("w", row.Text("flag"));
        Assert.False((bool)row["worm"]!);
    }

    [Theory]
    [InlineData(9, 1, "W")]   // 9 SYNs, 1 other packet: 90 %
    [InlineData(1, 1, "w")]   // 50 %
    [InlineData(1, 2, "")]    // 33 %
    public void Syn_report_flags_W_at_90_percent_and_w_at_50_percent(int syns, int acks, string flag)
    {
        var packets = Repeat(syns, i => Syn("192.0.2.1", "192.0.2.9", (ushort)(1 + i)))
            .Concat(Repeat(acks, _ => Tcp("192.0.2.1", "192.0.2.9", 40000, 80, TcpFlags.Ack)));
        var row = Count(Options, packets).Build(TimeSpan.FromSeconds(30)).Row(ReportCatalog.Syn, "ip", "192.0.2.1");

        Assert.Equal(flag, row.Text("flag"));
    }

    [Fact]
    public void Worm_is_true_when_syns_minus_fins_exceed_the_configured_threshold()
    {
        var packets = Repeat(6, i => Syn("192.0.2.1", $"192.0.2.{10 + i}"))
            .Append(Tcp("192.0.2.1", "192.0.2.10", 40000, 80, TcpFlags.Fin | TcpFlags.Ack))
            .ToList();

        var strict = Count(Options with { WormThreshold = 5 }, packets).Build(TimeSpan.FromSeconds(30));
        var loose = Count(Options with { WormThreshold = 4 }, packets).Build(TimeSpan.FromSeconds(30));

        Assert.False((bool)strict.Row(ReportCatalog.Syn, "ip", "192.0.2.1")["worm"]!);   // 6 - 1 = 5, not > 5
        Assert.True((bool)loose.Row(ReportCatalog.Syn, "ip", "192.0.2.1")["worm"]!);
        Assert.Equal(20, new ReportOptions().WormThreshold);
    }

    [Fact]
    public void Syn_report_sorts_by_work_weight_then_by_syn_count()
    {
        var packets = new List<DecodedPacket>();
        packets.AddRange(Repeat(2, _ => Syn("192.0.2.1", "192.0.2.9")));        // 100 %, 2 SYNs
        packets.AddRange(Repeat(5, _ => Syn("192.0.2.2", "192.0.2.9")));        // 100 %, 5 SYNs
        packets.AddRange(Repeat(50, _ => Syn("192.0.2.3", "192.0.2.9")));       // 50 %, 50 SYNs
        packets.AddRange(Repeat(50, _ => Tcp("192.0.2.3", "192.0.2.9", 1, 2, TcpFlags.Ack)));
        var syn = Count(Options, packets).Build(TimeSpan.FromSeconds(30)).Report(ReportCatalog.Syn);

        Assert.Equal(["192.0.2.2", "192.0.2.1", "192.0.2.3"], syn.Select(r => r.Text("ip")));
    }

    [Fact]
    public void A_host_with_zero_tcp_packets_has_no_syn_row_and_a_zero_udp_weight_without_errors()
    {
        var results = Count(Options, Repeat(3, _ => Udp("192.0.2.1", "192.0.2.2", 5000, 53))).Build(TimeSpan.FromSeconds(30));

        Assert.Empty(results.Report(ReportCatalog.Syn));
        var udp = results.Row(ReportCatalog.Udp, "ip", "192.0.2.1");
        Assert.Equal(3, udp.Long("sent"));
        Assert.Equal(0, udp.Long("weight"));
        Assert.Equal(0, results.Metrics[MetricCatalog.Syn]);
        Assert.Equal(0, results.Metrics[MetricCatalog.UdpMaxWeight]);
    }

    [Fact]
    public void Udp_weight_is_sent_minus_received_times_icmp_errors_received()
    {
        var packets = new List<DecodedPacket>();
        packets.AddRange(Repeat(100, i => Udp("192.0.2.1", "192.0.2.2", 50000, (ushort)(1 + i))));
        packets.AddRange(Repeat(10, _ => Udp("192.0.2.2", "192.0.2.1", 53, 50000)));
        packets.AddRange(Repeat(30, _ => Icmp("192.0.2.2", "192.0.2.1", 3, 3)));  // port unreachable
        packets.Add(Icmp("192.0.2.254", "192.0.2.1", 11, 0));                        // TTL exceeded
        packets.Add(Icmp("192.0.2.254", "192.0.2.1", 5, 1));                         // redirect
        packets.Add(Icmp("192.0.2.254", "192.0.2.1", 4, 0));                         // source quench
        packets.Add(Icmp("192.0.2.254", "192.0.2.1", 12, 0));                        // parameter problem
        packets.Add(Icmp("192.0.2.254", "192.0.2.1", 0, 0));                         // echo reply: no error
        var results = Count(Options, packets).Build(TimeSpan.FromSeconds(30));
        var row = results.Row(ReportCatalog.Udp, "ip", "192.0.2.1");

        Assert.Equal(100, row.Long("sent"));
        Assert.Equal(10, row.Long("received"));
        Assert.Equal(34, row.Long("icmp_errors_received"));
        Assert.Equal(100, row.Long("distinct_ports"));
        Assert.Equal((100 - 10) * 34, row.Long("weight"));
        Assert.Equal((100 - 10) * 34, results.Metrics[MetricCatalog.UdpMaxWeight]);
        Assert.Equal("192.0.2.1", results.Report(ReportCatalog.Udp)[0].Text("ip"));
    }

    [Fact]
    public void Udp_weight_is_negative_when_a_host_received_more_than_it_sent()
    {
        var packets = new List<DecodedPacket>();
        packets.AddRange(Repeat(2, _ => Udp("192.0.2.1", "192.0.2.2", 5000, 53)));
        packets.AddRange(Repeat(7, _ => Udp("192.0.2.2", "192.0.2.1", 53, 5000)));
        packets.AddRange(Repeat(3, _ => Icmp("192.0.2.2", "192.0.2.1", 3, 3)));
        var results = Count(Options, packets).Build(TimeSpan.FromSeconds(30));

        Assert.Equal((2 - 7) * 3, results.Row(ReportCatalog.Udp, "ip", "192.0.2.1").Long("weight"));
        Assert.Equal(0, results.Metrics[MetricCatalog.UdpMaxWeight]);
    }

    [Fact]
    public void Ipv6_hosts_are_counted_in_talkers_syn_udp_and_by_icmpv6_errors()
    {
        var packets = new List<DecodedPacket>
        {
            Syn("2001:db8::1", "2001:db8::2"),
            Udp("2001:db8::1", "2001:db8::2", 40000, 53),
            Udp("2001:db8::1", "2001:db8::2", 40000, 54),
            Icmp("2001:db8::2", "2001:db8::1", 1, 4),   // ICMPv6 port unreachable
            Icmp("2001:db8::2", "2001:db8::1", 128, 0), // echo request: no error
        };
        var results = Count(Options, packets).Build(TimeSpan.FromSeconds(30));

        Assert.Equal(5, results.Row(ReportCatalog.Talkers, "ip", "2001:db8::1").Long("packets"));
        Assert.Equal(1, results.Row(ReportCatalog.Syn, "ip", "2001:db8::1").Long("syn_sent"));
        var udp = results.Row(ReportCatalog.Udp, "ip", "2001:db8::1");
        Assert.Equal(1, udp.Long("icmp_errors_received"));
        Assert.Equal(2, udp.Long("weight"));
        var error = Assert.Single(results.Report(ReportCatalog.IcmpErrors));
        Assert.Equal("icmpv6", error.Text("proto"));
        Assert.Equal("port unreachable", error.Text("kind"));
    }

    [Fact]
    public void Malformed_packets_count_for_hosts_but_not_for_flows_ports_and_scans()
    {
        var broken = Udp("192.0.2.1", "192.0.2.2", 40000, 53);
        broken.Malformed = true;
        var results = Count(Options, [broken]).Build(TimeSpan.FromSeconds(30));

        Assert.Equal(1, results.Row(ReportCatalog.Talkers, "ip", "192.0.2.1").Long("packets"));
        Assert.Equal(1, results.Row(ReportCatalog.Udp, "ip", "192.0.2.1").Long("sent"));
        Assert.Empty(results.Report(ReportCatalog.Ports));
        Assert.Empty(results.Report(ReportCatalog.Flows));
        Assert.Empty(results.Report(ReportCatalog.IpScanners));
    }

    [Fact]
    public void A_packet_to_itself_counts_once_as_a_talker_but_as_sent_and_received_udp()
    {
        var results = Count(Options, [Udp("192.0.2.1", "192.0.2.1", 40000, 53, 100)]).Build(TimeSpan.FromSeconds(30));
        var talker = results.Row(ReportCatalog.Talkers, "ip", "192.0.2.1");
        var udp = results.Row(ReportCatalog.Udp, "ip", "192.0.2.1");

        Assert.Equal((1L, 100L, 0L), (talker.Long("packets"), talker.Long("bytes"), talker.Long("packets_received")));
        Assert.Equal((1L, 1L), (udp.Long("sent"), udp.Long("received")));
    }
}
