using Monitor.Probe.Decode;
using Monitor.Probe.Reports;
using Monitor.Storage.Model.Metrics;
using Monitor.Storage.Model.Reports;
using static Monitor.Probe.Tests.Reports.TestPackets;

namespace Monitor.Probe.Tests.Reports;

public class ScanReportTests
{
    private static readonly ReportOptions Options = new() { Top = 100 };

    [Fact]
    public void Ip_scanners_count_distinct_destinations_per_protocol_and_in_total()
    {
        var packets = new List<DecodedPacket>();
        packets.AddRange(Repeat(5, i => Syn("192.0.2.1", $"198.51.100.{i + 1}")));
        packets.AddRange(Repeat(5, i => Syn("192.0.2.1", $"198.51.100.{i + 1}")));        // retransmits: no new host
        packets.AddRange(Repeat(3, i => Udp("192.0.2.1", $"198.51.100.{i + 1}", 40000, 161)));
        packets.AddRange(Repeat(4, i => Icmp("192.0.2.1", $"198.51.100.{i + 10}", 8, 0)));
        var row = Count(Options, packets).Build(TimeSpan.FromSeconds(30)).Row(ReportCatalog.IpScanners, "ip", "192.0.2.1");

        Assert.Equal(9, row.Long("distinct_destinations"));
        Assert.Equal(5, row.Long("distinct_tcp"));
        Assert.Equal(3, row.Long("distinct_udp"));
        Assert.Equal(4, row.Long("distinct_icmp"));
        Assert.False((bool)row["estimated"]!);
    }

    [Fact]
    public void Port_scanners_count_distinct_tcp_and_udp_ports_of_probe_packets_only()
    {
        var packets = new List<DecodedPacket>();
        packets.AddRange(Repeat(20, i => Syn("192.0.2.1", "198.51.100.1", (ushort)(1 + i))));
        packets.AddRange(Repeat(20, i => Tcp("192.0.2.1", "198.51.100.1", 40000, (ushort)(1 + i), TcpFlags.Fin | TcpFlags.Psh | TcpFlags.Urg)));
        packets.AddRange(Repeat(7, i => Udp("192.0.2.1", "198.51.100.1", 40000, (ushort)(100 + i))));
        // A web server answering many clients' ephemeral ports is not a port scanner.
        packets.AddRange(Repeat(30, i => Tcp("198.51.100.1", "192.0.2.1", 80, (ushort)(50000 + i), TcpFlags.Syn | TcpFlags.Ack)));
        // Nor is a DNS server answering from port 53.
        packets.AddRange(Repeat(30, i => Udp("198.51.100.2", "192.0.2.1", 53, (ushort)(50000 + i))));
        var results = Count(Options, packets).Build(TimeSpan.FromSeconds(30));
        var scanners = results.Report(ReportCatalog.PortScanners);

        var row = Assert.Single(scanners);
        Assert.Equal("192.0.2.1", row.Text("ip"));
        Assert.Equal(20, row.Long("distinct_tcp_ports"));
        Assert.Equal(7, row.Long("distinct_udp_ports"));
        Assert.Equal(27, row.Long("distinct_ports"));
        Assert.Equal(20, results.Row(ReportCatalog.Syn, "ip", "192.0.2.1").Long("distinct_ports"));
    }

    [Fact]
    public void Scanners_metric_counts_hosts_over_the_threshold_or_with_the_worm_signature()
    {
        var packets = new List<DecodedPacket>();
        packets.AddRange(Repeat(10, i => Syn("192.0.2.1", $"198.51.100.{i + 1}")));           // sweep of 10 hosts
        packets.AddRange(Repeat(10, i => Udp("192.0.2.2", "198.51.100.1", 40000, (ushort)(1 + i)))); // 10 ports
        packets.AddRange(Repeat(9, i => Syn("192.0.2.3", "198.51.100.1", 80)));                  // 9 SYNs, 1 port, 1 host
        packets.AddRange(Repeat(3, i => Syn("192.0.2.4", $"198.51.100.{i + 1}")));             // below every threshold
        var results = Count(Options with { ScannerThreshold = 10, WormThreshold = 8 }, packets).Build(TimeSpan.FromSeconds(30));

        Assert.Equal(3, results.Metrics[MetricCatalog.Scanners]);
    }

    [Fact]
    public void A_source_spread_over_two_workers_counts_each_port_once_after_merge()
    {
        var options = Options;
        var first = Count(options, Repeat(10, i => Syn("192.0.2.1", "198.51.100.1", (ushort)(1 + i))));
        var second = Count(options, Repeat(10, i => Syn("192.0.2.1", "198.51.100.2", (ushort)(6 + i))));
        first.MergeFrom(second);
        var row = first.Build(TimeSpan.FromSeconds(30)).Row(ReportCatalog.PortScanners, "ip", "192.0.2.1");

        Assert.Equal(15, row.Long("distinct_tcp_ports"));
    }

    [Fact]
    public void A_source_too_big_for_the_exact_set_is_estimated_within_five_percent()
    {
        // Item set holds 4 x 64 pairs; a sweep of 5000 hosts goes to the sketch.
        var options = new ReportOptions { Top = 10, TableCapacity = 64 };
        var packets = Repeat(5000, i => Syn("192.0.2.1", IpAddressKey.FromV4(0xC6336400u + (uint)i).ToString()));
        var results = Count(options, packets).Build(TimeSpan.FromSeconds(30));
        var row = results.Row(ReportCatalog.IpScanners, "ip", "192.0.2.1");

        Assert.True((bool)row["estimated"]!);
        Assert.InRange(row.Long("distinct_destinations"), 4750, 5250);
        Assert.Contains(results.Report(ReportCatalog.Overflow), r => r.Text("table") == "scans" && r.Long("estimated") == 1);
    }
}
