using Monitor.Storage.Model.Metrics;
using Monitor.Web.Common;

namespace Monitor.Web.Tests.Common;

public sealed class LinksTests
{
    private static readonly TimeRange Window = new(new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero), new(2026, 11, 23, 10, 0, 30, TimeSpan.Zero));

    [Fact]
    public void A_host_link_carries_the_window_and_probe_of_the_view_it_is_on()
    {
        Assert.Equal("hosts/203.0.113.66?from=2026-11-23T10%3A00%3A00Z&to=2026-11-23T10%3A00%3A30Z&probe=edge-1",
            Links.Host("203.0.113.66", Window, "edge-1"));
        Assert.Equal("hosts/2001%3Adb8%3A%3A5?from=2026-11-23T10%3A00%3A00Z&to=2026-11-23T10%3A00%3A30Z",
            Links.Host("2001:db8::5", Window));
    }

    [Fact]
    public void A_host_link_without_a_window_leaves_the_range_to_the_host_page()
    {
        Assert.Equal("hosts/192.0.2.10", Links.Host("192.0.2.10"));
    }

    [Theory]
    [InlineData(MetricCatalog.UdpMaxWeight, "udp")]
    [InlineData(MetricCatalog.Syn, "syn")]
    [InlineData(MetricCatalog.IcmpErrors, "icmp_errors")]
    [InlineData(MetricCatalog.NewFlows, "flows")]
    [InlineData(MetricCatalog.Scanners, "ip_scanners")]
    [InlineData(MetricCatalog.Packets, "talkers")]
    [InlineData("protocol.udp.packets", "talkers")]
    [InlineData("bpf.web.http", "talkers")]
    public void Each_series_opens_the_report_that_explains_it(string metric, string report)
    {
        Assert.Equal(report, Links.ReportFor(metric));
    }
}
