using Monitor.Web.Features.Packets;
using Monitor.Web.Common;

namespace Monitor.Web.Tests.Features.Packets;

public sealed class PacketsLinksTests
{
    private static readonly TimeRange Window = new(new(2026, 11, 23, 10, 0, 0, TimeSpan.Zero), new(2026, 11, 23, 10, 5, 0, TimeSpan.Zero));

    [Fact]
    public void A_flow_row_links_to_the_pcap_of_its_window_with_a_bpf_of_both_hosts_and_the_port() =>
        Assert.Equal("/api/pcap?from=2026-11-23T10:00:00Z&to=2026-11-23T10:05:00Z&filter=host%20192.0.2.7%20and%20host%202001%3Adb8%3A%3A1%20and%20port%2080&probe=edge%201",
            PacketsLinks.Pcap(Window, PacketsLinks.Conversation("192.0.2.7", "2001:db8::1", 80), "edge 1"));

    [Fact]
    public void Parts_of_a_row_that_are_not_addresses_or_ports_stay_out_of_the_filter() =>
        Assert.Equal("host 192.0.2.7", PacketsLinks.Conversation("192.0.2.7", "(other)", -1));
}
