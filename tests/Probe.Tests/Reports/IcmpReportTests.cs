using Monitor.Probe.Decode;
using Monitor.Probe.Reports;
using Monitor.Storage.Model.Metrics;
using Monitor.Storage.Model.Reports;
using static Monitor.Probe.Tests.Reports.TestPackets;

namespace Monitor.Probe.Tests.Reports;

public class IcmpReportTests
{
    private static readonly ReportOptions Options = new() { Top = 100 };

    [Fact]
    public void Icmp_errors_are_counted_per_emitter_target_type_and_code_and_their_total_is_a_rate()
    {
        var packets = new List<DecodedPacket>();
        packets.AddRange(Repeat(4, _ => Icmp("192.0.2.9", "192.0.2.1", 3, 3)));
        packets.AddRange(Repeat(2, _ => Icmp("192.0.2.9", "192.0.2.1", 3, 1)));
        packets.AddRange(Repeat(3, _ => Icmp("192.0.2.254", "192.0.2.1", 11, 0)));
        packets.Add(Icmp("192.0.2.254", "192.0.2.2", 5, 1));
        packets.Add(Icmp("192.0.2.1", "192.0.2.9", 8, 0));
        var results = Count(Options, packets).Build(TimeSpan.FromSeconds(5));
        var errors = results.Report(ReportCatalog.IcmpErrors);

        Assert.Equal(4, errors.Count);
        Assert.Equal(("192.0.2.9", "192.0.2.1", 3L, 3L, "port unreachable", 4L),
            (errors[0].Text("ip"), errors[0].Text("target"), errors[0].Long("type"), errors[0].Long("code"), errors[0].Text("kind"), errors[0].Long("packets")));
        Assert.Contains(errors, r => r.Text("kind") == "TTL exceeded" && r.Long("packets") == 3);
        Assert.Contains(errors, r => r.Text("kind") == "redirect" && r.Text("target") == "192.0.2.2");
        Assert.Equal(10 / 5.0, results.Metrics[MetricCatalog.IcmpErrors]);
    }

    [Theory]
    [InlineData(56)]   // Linux, BSD, macOS ping
    [InlineData(32)]   // Windows ping
    public void An_ordinary_ping_is_not_suspect(int size)
    {
        var packets = Enumerable.Range(0, 4).SelectMany(i => new[]
        {
            Icmp("192.0.2.1", "192.0.2.2", 8, 0, size, i * TimeSpan.TicksPerSecond),
            Icmp("192.0.2.2", "192.0.2.1", 0, 0, size, i * TimeSpan.TicksPerSecond + 20_000),
        });
        var row = Assert.Single(Count(Options, packets).Build(TimeSpan.FromSeconds(30)).Report(ReportCatalog.IcmpTunnels));

        Assert.Equal(("192.0.2.1", "192.0.2.2", 4L, 4L), (row.Text("a"), row.Text("b"), row.Long("packets_ab"), row.Long("packets_ba")));
        Assert.Equal((double)size, row["avg_size_ab"]);
        Assert.False((bool)row["suspect"]!);
    }

    [Fact]
    public void Echo_payloads_of_varying_size_are_a_suspect_tunnel()
    {
        var packets = new[] { 120, 300, 64, 900 }.SelectMany(size => new[]
        {
            Icmp("192.0.2.1", "192.0.2.2", 8, 0, size),
            Icmp("192.0.2.2", "192.0.2.1", 0, 0, size),
        });
        var row = Assert.Single(Count(Options, packets).Build(TimeSpan.FromSeconds(30)).Report(ReportCatalog.IcmpTunnels));

        Assert.True((bool)row["suspect"]!);
        Assert.Equal("request sizes vary", row.Text("reason"));
        Assert.Equal(346.0, row["avg_size_ab"]);
    }

    [Fact]
    public void Replies_of_a_different_size_than_requests_are_suspect()
    {
        var packets = new[] { Icmp("192.0.2.1", "192.0.2.2", 8, 0, 56), Icmp("192.0.2.2", "192.0.2.1", 0, 0, 400) };
        var row = Assert.Single(Count(Options, packets).Build(TimeSpan.FromSeconds(30)).Report(ReportCatalog.IcmpTunnels));

        Assert.True((bool)row["suspect"]!);
        Assert.Equal("request and reply sizes differ", row.Text("reason"));
    }

    [Fact]
    public void Standard_pings_sent_faster_than_every_200_ms_are_suspect()
    {
        var packets = Repeat(10, i => Icmp("192.0.2.1", "192.0.2.2", 8, 0, 56, i * 10 * TimeSpan.TicksPerMillisecond));
        var row = Assert.Single(Count(Options, packets).Build(TimeSpan.FromSeconds(30)).Report(ReportCatalog.IcmpTunnels));

        Assert.True((bool)row["suspect"]!);
        Assert.Equal("requests every 10.0 ms", row.Text("reason"));
    }

    [Fact]
    public void A_fixed_non_standard_payload_size_is_suspect_even_one_way()
    {
        var packets = Repeat(5, i => Icmp("2001:db8::1", "2001:db8::2", 128, 0, 95, i * TimeSpan.TicksPerSecond));
        var row = Assert.Single(Count(Options, packets).Build(TimeSpan.FromSeconds(30)).Report(ReportCatalog.IcmpTunnels));

        Assert.True((bool)row["suspect"]!);
        Assert.Equal("non-standard request size 95", row.Text("reason"));
        Assert.Equal(0, row.Long("packets_ba"));
    }
}
