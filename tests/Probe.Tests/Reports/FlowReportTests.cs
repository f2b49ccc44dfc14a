using Monitor.Probe.Decode;
using Monitor.Probe.Reports;
using Monitor.Storage.Model.Metrics;
using Monitor.Storage.Model.Reports;
using static Monitor.Probe.Tests.Reports.TestPackets;

namespace Monitor.Probe.Tests.Reports;

public class FlowReportTests
{
    private static readonly ReportOptions Options = new() { Top = 100 };

    [Fact]
    public void Flows_are_one_way_by_bytes_and_split_by_protocol()
    {
        var packets = new List<DecodedPacket>
        {
            Tcp("192.0.2.1", "192.0.2.2", 40000, 80, TcpFlags.Syn, 60),
            Tcp("192.0.2.2", "192.0.2.1", 80, 40000, TcpFlags.Syn | TcpFlags.Ack, 1500),
            Tcp("192.0.2.1", "192.0.2.2", 40000, 80, TcpFlags.Ack, 60),
            Udp("192.0.2.1", "192.0.2.3", 5000, 53, 80),
            Icmp("192.0.2.1", "192.0.2.4", 8, 0, 56),
        };
        var results = Count(Options, packets).Build(TimeSpan.FromSeconds(10));

        var flows = results.Report(ReportCatalog.Flows);
        Assert.Equal(4, flows.Count);
        Assert.Equal(("192.0.2.2", "192.0.2.1", "tcp", 80L, 40000L, 1L, 1500L),
            (flows[0].Text("src"), flows[0].Text("dst"), flows[0].Text("proto"), flows[0].Long("sport"), flows[0].Long("dport"),
                flows[0].Long("packets"), flows[0].Long("bytes")));
        Assert.Equal(2, results.Report(ReportCatalog.TcpFlows).Count);
        Assert.Equal(120, results.Report(ReportCatalog.TcpFlows)[1].Long("bytes"));
        Assert.Equal("udp", Assert.Single(results.Report(ReportCatalog.UdpFlows)).Text("proto"));
        var icmp = Assert.Single(results.Report(ReportCatalog.IcmpFlows));
        Assert.Equal((8L, 0L), (icmp.Long("sport"), icmp.Long("dport")));
        Assert.Equal(4 / 10.0, results.Metrics[MetricCatalog.NewFlows]);
    }

    [Fact]
    public void Top_sets_the_length_of_every_list()
    {
        var packets = Repeat(50, i => Syn($"192.0.2.{i + 1}", $"198.51.100.{i + 1}", (ushort)(1 + i)));
        var results = Count(new ReportOptions { Top = 3 }, packets).Build(TimeSpan.FromSeconds(30));

        foreach (var name in new[] { ReportCatalog.Talkers, ReportCatalog.Flows, ReportCatalog.TcpFlows, ReportCatalog.Ports,
                     ReportCatalog.Syn, ReportCatalog.IpScanners, ReportCatalog.PortScanners })
            Assert.Equal(3, results.Report(name).Count);
    }

    [Fact]
    public void Ports_report_counts_tcp_and_udp_destination_ports_by_packets_and_bytes()
    {
        var packets = new List<DecodedPacket>
        {
            Tcp("192.0.2.1", "192.0.2.2", 40000, 443, TcpFlags.Ack, 100),
            Tcp("192.0.2.1", "192.0.2.2", 40000, 443, TcpFlags.Ack, 100),
            Udp("192.0.2.1", "192.0.2.2", 40000, 443, 70),
            Udp("192.0.2.1", "192.0.2.2", 40000, 53, 70),
            Icmp("192.0.2.1", "192.0.2.2", 8, 0),
        };
        var ports = Count(Options, packets).Build(TimeSpan.FromSeconds(30)).Report(ReportCatalog.Ports);

        Assert.Equal(3, ports.Count);
        Assert.Equal(("tcp", 443L, 2L, 200L), (ports[0].Text("proto"), ports[0].Long("port"), ports[0].Long("packets"), ports[0].Long("bytes")));
        Assert.Contains(ports, r => r.Text("proto") == "udp" && r.Long("port") == 443 && r.Long("packets") == 1);
        Assert.Equal(["proto", "port", "packets", "bytes"], ports[0].Fields.Select(f => f.Name));
    }
}
