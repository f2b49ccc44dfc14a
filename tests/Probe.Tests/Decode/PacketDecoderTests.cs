using Monitor.Probe.Capture;
using Monitor.Probe.Decode;
using Monitor.TestKit.Packets;

namespace Monitor.Probe.Tests.Decode;

public sealed class PacketDecoderTests
{
    internal static DecodedPacket Decode(byte[] frame, int linkType = LinkTypes.Ethernet, int wireLength = -1, long ticks = 42)
    {
        var packet = new DecodedPacket();
        PacketDecoder.Decode(new RawPacket(ticks, wireLength < 0 ? frame.Length : wireLength, linkType, frame), ref packet);
        return packet;
    }

    [Fact]
    public void Decodes_an_ipv4_tcp_syn_with_addresses_ports_flags_and_lengths()
    {
        var frame = PacketBuilder.Tcp("192.0.2.1", "198.51.100.2", 40000, 443, 0x02, payload: 10);

        var p = Decode(frame, ticks: 1234);

        Assert.Equal(1234, p.Ticks);
        Assert.Equal(frame.Length, p.WireLength);
        Assert.Equal(frame.Length, p.CapturedLength);
        Assert.Equal(NetworkLayer.IPv4, p.Layer);
        Assert.Equal(Transport.Tcp, p.Transport);
        Assert.Equal(IpAddressKey.Parse("192.0.2.1"), p.Source);
        Assert.Equal(IpAddressKey.Parse("198.51.100.2"), p.Destination);
        Assert.Equal(6, p.IpProtocol);
        Assert.Equal(40000, p.SourcePort);
        Assert.Equal(443, p.DestinationPort);
        Assert.Equal(TcpFlags.Syn, p.TcpFlags);
        Assert.Equal(10, p.PayloadLength);
        Assert.Equal(50, p.IpLength);
        Assert.Equal(CastKind.Unicast, p.Cast);
        Assert.False(p.Malformed);
    }

    [Theory]
    [InlineData(6)]
    [InlineData(17)]
    public void The_first_captured_payload_byte_of_a_tcp_or_udp_segment_is_kept_with_the_packet(int protocol)
    {
        var frame = protocol == 6
            ? PacketBuilder.Tcp("192.0.2.1", "198.51.100.2", 40000, 6667, 0x18, payload: 10)
            : PacketBuilder.Udp("192.0.2.1", "198.51.100.2", 40000, 6881, payload: 10);
        frame[^10] = (byte)'J';

        var p = Decode(frame);

        Assert.Equal(10, p.PayloadCaptured);
        Assert.Equal((byte)'J', p.PayloadFirstByte);
        Assert.Equal((byte)'J', p.Payload(frame)[0]);
    }

    [Fact]
    public void Decodes_an_ipv6_udp_datagram()
    {
        var p = Decode(PacketBuilder.Udp("2001:db8::1", "2001:db8::2", 5353, 53, payload: 7));

        Assert.Equal(NetworkLayer.IPv6, p.Layer);
        Assert.Equal(Transport.Udp, p.Transport);
        Assert.Equal(IpAddressKey.Parse("2001:db8::1"), p.Source);
        Assert.Equal(IpAddressKey.Parse("2001:db8::2"), p.Destination);
        Assert.Equal(5353, p.SourcePort);
        Assert.Equal(53, p.DestinationPort);
        Assert.Equal(7, p.PayloadLength);
        Assert.Equal(40 + 8 + 7, p.IpLength);
        Assert.False(p.Malformed);
    }

    [Fact]
    public void Decodes_icmp_echo_type_and_code_into_the_port_fields_too()
    {
        var p = Decode(PacketBuilder.Icmp("192.0.2.1", "192.0.2.2", 8, 0, payload: 56));

        Assert.Equal(Transport.Icmp, p.Transport);
        Assert.Equal(8, p.IcmpType);
        Assert.Equal(0, p.IcmpCode);
        Assert.Equal(8, p.SourcePort);
        Assert.Equal(56, p.PayloadLength);
        Assert.False(p.IsIcmpError);
        Assert.False(p.HasQuoted);
    }

    [Fact]
    public void An_icmp_port_unreachable_describes_the_udp_datagram_it_quotes()
    {
        var probe = PacketBuilder.Udp("192.0.2.10", "192.0.2.20", 33000, 161, payload: 4);
        var quote = PacketBuilder.IpPart(probe)[..28];
        var p = Decode(PacketBuilder.Icmp("192.0.2.20", "192.0.2.10", 3, 3, quote: quote));

        Assert.True(p.IsIcmpError);
        Assert.True(p.HasQuoted);
        Assert.Equal(IpAddressKey.Parse("192.0.2.10"), p.QuotedSource);
        Assert.Equal(IpAddressKey.Parse("192.0.2.20"), p.QuotedDestination);
        Assert.Equal(17, p.QuotedProtocol);
        Assert.Equal(33000, p.QuotedSourcePort);
        Assert.Equal(161, p.QuotedDestinationPort);
        Assert.Equal(IpAddressKey.Parse("192.0.2.20"), p.Source);
    }

    [Fact]
    public void An_icmpv6_unreachable_describes_the_tcp_segment_it_quotes()
    {
        var probe = PacketBuilder.Tcp("2001:db8::10", "2001:db8::20", 50000, 22, 0x02);
        var p = Decode(PacketBuilder.Icmp("2001:db8::20", "2001:db8::10", 1, 4, quote: PacketBuilder.IpPart(probe)));

        Assert.Equal(Transport.IcmpV6, p.Transport);
        Assert.True(p.IsIcmpError);
        Assert.True(p.HasQuoted);
        Assert.Equal(6, p.QuotedProtocol);
        Assert.Equal(50000, p.QuotedSourcePort);
        Assert.Equal(22, p.QuotedDestinationPort);
    }

    [Theory]
    [InlineData(new ushort[] { 100 })]
    [InlineData(new ushort[] { 100, 200 })]
    [InlineData(new ushort[] { 100, 200, 300 })]
    public void Looks_through_stacked_vlan_tags(ushort[] vlans)
    {
        var p = Decode(PacketBuilder.Tcp("192.0.2.1", "192.0.2.2", 1, 2, 0x12, vlans: vlans));

        Assert.Equal(NetworkLayer.IPv4, p.Layer);
        Assert.Equal(Transport.Tcp, p.Transport);
        Assert.Equal(TcpFlags.Syn | TcpFlags.Ack, p.TcpFlags);
        Assert.False(p.Malformed);
    }

    [Fact]
    public void Tells_broadcast_and_multicast_by_the_destination_mac()
    {
        var broadcast = PacketBuilder.Udp("192.0.2.1", "192.0.2.255", 68, 67);
        broadcast.AsSpan(0, 6).Fill(0xFF);
        var multicast = PacketBuilder.Udp("192.0.2.1", "224.0.0.251", 5353, 5353);
        new byte[] { 0x01, 0x00, 0x5E, 0x00, 0x00, 0xFB }.CopyTo(multicast, 0);

        Assert.Equal(CastKind.Broadcast, Decode(broadcast).Cast);
        Assert.Equal(CastKind.Multicast, Decode(multicast).Cast);
    }

    [Fact]
    public void Pair_hash_is_the_same_in_both_directions_and_zero_for_non_ip()
    {
        var there = PacketBuilder.Tcp("192.0.2.1", "198.51.100.2", 1000, 80, 0x02);
        var back = PacketBuilder.Tcp("198.51.100.2", "192.0.2.1", 80, 1000, 0x12);
        var other = PacketBuilder.Tcp("192.0.2.3", "198.51.100.2", 1000, 80, 0x02);
        var there6 = PacketBuilder.Udp("2001:db8::1", "2001:db8::2", 1, 2, vlans: [7]);
        var back6 = PacketBuilder.Udp("2001:db8::2", "2001:db8::1", 2, 1);
        var arp = new byte[42];
        arp[12] = 0x08;
        arp[13] = 0x06;

        Assert.Equal(PacketDecoder.PairHash(LinkTypes.Ethernet, there), PacketDecoder.PairHash(LinkTypes.Ethernet, back));
        Assert.NotEqual(PacketDecoder.PairHash(LinkTypes.Ethernet, there), PacketDecoder.PairHash(LinkTypes.Ethernet, other));
        Assert.Equal(PacketDecoder.PairHash(LinkTypes.Ethernet, there6), PacketDecoder.PairHash(LinkTypes.Ethernet, back6));
        Assert.NotEqual(0UL, PacketDecoder.PairHash(LinkTypes.Ethernet, there6));
        Assert.Equal(0UL, PacketDecoder.PairHash(LinkTypes.Ethernet, arp));
        Assert.Equal(0UL, PacketDecoder.PairHash(LinkTypes.Ethernet, there[..20]));
    }

    [Fact]
    public void An_ipv4_header_length_under_twenty_bytes_is_malformed_and_not_counted_as_ip()
    {
        var frame = PacketBuilder.Udp("192.0.2.1", "192.0.2.2", 1, 2);
        frame[14] = 0x44;

        var p = Decode(frame);

        Assert.True(p.Malformed);
        Assert.Equal(NetworkLayer.Other, p.Layer);
    }

    [Fact]
    public void A_total_length_longer_than_the_frame_is_malformed()
    {
        var frame = PacketBuilder.Tcp("192.0.2.1", "192.0.2.2", 1, 2, 0x10, payload: 20);
        frame[16] = 0x05;

        var p = Decode(frame);

        Assert.True(p.Malformed);
        Assert.Equal(NetworkLayer.IPv4, p.Layer);
        Assert.Equal(1, p.SourcePort);
    }

    [Fact]
    public void A_frame_cut_by_the_snap_length_after_the_headers_is_not_malformed()
    {
        var frame = PacketBuilder.Tcp("192.0.2.1", "192.0.2.2", 1, 2, 0x10, payload: 1000);

        var p = Decode(frame[..64], wireLength: frame.Length);

        Assert.False(p.Malformed);
        Assert.Equal(1000, p.PayloadLength);
        Assert.Equal(64, p.CapturedLength);
        Assert.Equal(frame.Length, p.WireLength);
    }

    [Fact]
    public void Arp_is_its_own_network_layer()
    {
        var arp = new byte[42];
        arp.AsSpan(0, 6).Fill(0xFF);
        arp[12] = 0x08;
        arp[13] = 0x06;

        var p = Decode(arp);

        Assert.Equal(NetworkLayer.Arp, p.Layer);
        Assert.Equal(CastKind.Broadcast, p.Cast);
        Assert.Equal(Transport.None, p.Transport);
    }

    [Fact]
    public void An_unknown_link_type_is_layer_other_and_never_throws()
    {
        var p = Decode([1, 2, 3], linkType: 147);

        Assert.Equal(NetworkLayer.Other, p.Layer);
        Assert.Equal(3, p.WireLength);
    }
}
