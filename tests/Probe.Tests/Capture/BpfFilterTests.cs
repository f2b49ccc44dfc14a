using Monitor.Probe.Capture;
using Monitor.TestKit.Packets;

namespace Monitor.Probe.Tests.Capture;

public sealed class BpfFilterTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("monitor-bpf-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static bool Matches(BpfFilter filter, byte[] frame, int linkType = LinkTypes.Ethernet, int wireLength = -1) =>
        filter.Matches(new RawPacket(0, wireLength < 0 ? frame.Length : wireLength, linkType, frame));

    [Fact]
    public void A_compiled_expression_matches_what_libpcap_says_it_matches()
    {
        using var filter = BpfFilter.Compile("tcp dst port 80 and tcp[tcpflags] & tcp-syn != 0", LinkTypes.Ethernet);

        Assert.True(Matches(filter, PacketBuilder.Tcp("192.0.2.1", "192.0.2.2", 1234, 80, 0x02)));
        Assert.True(Matches(filter, PacketBuilder.Tcp("192.0.2.1", "192.0.2.2", 1234, 80, 0x02, vlans: null)));
        Assert.False(Matches(filter, PacketBuilder.Tcp("192.0.2.1", "192.0.2.2", 1234, 80, 0x10)));
        Assert.False(Matches(filter, PacketBuilder.Udp("192.0.2.1", "192.0.2.2", 1234, 80)));
        Assert.False(Matches(filter, PacketBuilder.Tcp("192.0.2.1", "192.0.2.2", 80, 1234, 0x02)));
    }

    [Fact]
    public void Filters_see_the_original_wire_length()
    {
        using var filter = BpfFilter.Compile("greater 1000", LinkTypes.Ethernet);
        var frame = PacketBuilder.Udp("192.0.2.1", "192.0.2.2", 1, 2, payload: 20);

        Assert.True(Matches(filter, frame, wireLength: 1400));
        Assert.False(Matches(filter, frame));
    }

    [Fact]
    public void A_filter_compiled_for_raw_ip_reads_packets_without_a_link_header()
    {
        using var filter = BpfFilter.Compile("ip6 and udp port 53", LinkTypes.Raw);

        Assert.True(Matches(filter, PacketBuilder.IpPart(PacketBuilder.Udp("2001:db8::1", "2001:db8::2", 5000, 53)), LinkTypes.Raw));
        Assert.False(Matches(filter, PacketBuilder.IpPart(PacketBuilder.Udp("192.0.2.1", "192.0.2.2", 5000, 53)), LinkTypes.Raw));
    }

    [Theory]
    [InlineData(LinkTypes.RawDlt)]
    [InlineData(LinkTypes.RawOpenBsd)]
    [InlineData(LinkTypes.Raw)]
    [InlineData(LinkTypes.Ipv4)]
    public void A_filter_compiles_for_every_raw_ipv4_link_type_and_reads_the_packet_from_its_first_byte(int linkType)
    {
        using var filter = BpfFilter.Compile("src host 192.0.2.1 and udp port 53", linkType);

        Assert.True(Matches(filter, PacketBuilder.IpPart(PacketBuilder.Udp("192.0.2.1", "192.0.2.2", 5000, 53)), linkType));
        Assert.False(Matches(filter, PacketBuilder.IpPart(PacketBuilder.Udp("192.0.2.3", "192.0.2.2", 5000, 53)), linkType));
    }

    [Fact]
    public void A_filter_compiles_for_the_ipv6_link_type_and_reads_the_packet_from_its_first_byte()
    {
        using var filter = BpfFilter.Compile("ip6 and udp port 53", LinkTypes.Ipv6);

        Assert.True(Matches(filter, PacketBuilder.IpPart(PacketBuilder.Udp("2001:db8::1", "2001:db8::2", 5000, 53)), LinkTypes.Ipv6));
        Assert.False(Matches(filter, PacketBuilder.IpPart(PacketBuilder.Udp("2001:db8::1", "2001:db8::2", 5000, 54)), LinkTypes.Ipv6));
    }

    [Fact]
    public void An_empty_packet_does_not_match_and_does_not_crash()
    {
        using var filter = BpfFilter.Compile("ip", LinkTypes.Ethernet);

        Assert.False(Matches(filter, []));
    }

    [Fact]
    public void A_bad_expression_is_a_capture_filter_error_quoting_it()
    {
        var error = Assert.Throws<CaptureFilterException>(() => BpfFilter.Compile("tcp port eighty", LinkTypes.Ethernet));

        Assert.Equal("tcp port eighty", error.Expression);
        Assert.Contains("tcp port eighty", error.Message);
    }

    [Fact]
    public void A_file_source_with_a_filter_delivers_only_matching_packets()
    {
        var path = Path.Combine(_dir, "mixed.pcap");
        using (var writer = new PcapFileWriter(path))
        {
            for (var i = 0; i < 100; i++)
            {
                writer.Write(DateTimeOffset.UnixEpoch.AddSeconds(i), i % 4 == 0
                    ? PacketBuilder.Udp("192.0.2.1", "192.0.2.2", 5000, 53)
                    : PacketBuilder.Tcp("192.0.2.1", "192.0.2.2", 5000, 80, 0x10));
            }
        }
        var receiver = new CollectingReceiver();
        using var source = new PcapFileSource([path], "udp port 53");

        source.Run(receiver, CancellationToken.None);

        Assert.Equal(25, receiver.Packets.Count);
        Assert.Equal(100, source.PacketsRead);
    }

    [Theory]
    [InlineData(LinkTypes.RawOpenBsd)]
    [InlineData(LinkTypes.Ipv4)]
    public void A_file_source_filters_a_raw_ip_capture_by_its_own_link_type(int linkType)
    {
        var path = Path.Combine(_dir, $"raw-{linkType}.pcap");
        using (var writer = new PcapFileWriter(path, linkType))
        {
            for (var i = 0; i < 100; i++)
            {
                var frame = i % 4 == 0
                    ? PacketBuilder.Udp("192.0.2.1", "192.0.2.2", 5000, 53)
                    : PacketBuilder.Tcp("192.0.2.1", "192.0.2.2", 5000, 80, 0x10);
                writer.Write(DateTimeOffset.UnixEpoch.AddSeconds(i), PacketBuilder.IpPart(frame));
            }
        }
        var receiver = new CollectingReceiver();
        using var source = new PcapFileSource([path], "udp port 53");

        source.Run(receiver, CancellationToken.None);

        Assert.Equal(25, receiver.Packets.Count);
        Assert.Equal(100, source.PacketsRead);
    }

    [Fact]
    public void A_file_source_rejects_a_bad_filter_before_reading()
    {
        Assert.Throws<CaptureFilterException>(() => new PcapFileSource([Path.Combine(_dir, "never-read.pcap")], "port or"));
    }

    [Fact]
    public void One_filter_can_be_used_from_several_threads_at_once()
    {
        using var filter = BpfFilter.Compile("udp", LinkTypes.Ethernet);
        var udp = PacketBuilder.Udp("192.0.2.1", "192.0.2.2", 1, 2);
        var tcp = PacketBuilder.Tcp("192.0.2.1", "192.0.2.2", 1, 2, 0x02);
        var matched = 0;

        Parallel.For(0, 20_000, i =>
        {
            if (Matches(filter, i % 2 == 0 ? udp : tcp)) Interlocked.Increment(ref matched);
        });

        Assert.Equal(10_000, matched);
    }
}
