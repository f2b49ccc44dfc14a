using System.Buffers.Binary;
using System.Net;
using Monitor.Probe.Capture;
using Monitor.Probe.Decode;
using Monitor.TestKit.Packets;


namespace Monitor.Probe.Tests.Decode;

/// <summary>Hand-built packets whose truth is known: extension headers, fragments, link types, lying lengths.</summary>
public sealed class GeneratedPacketDecoderTests
{
    private static readonly byte[] UdpHeader = UdpBytes(5000, 53, 4);
    private static readonly byte[] TcpSyn = PacketBuilder.IpPart(PacketBuilder.Tcp("192.0.2.1", "192.0.2.2", 4321, 22, 0x02))[20..];

    private static byte[] UdpBytes(ushort source, ushort destination, int payload)
    {
        var h = new byte[8 + payload];
        BinaryPrimitives.WriteUInt16BigEndian(h, source);
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(2), destination);
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(4), (ushort)h.Length);
        return h;
    }

    /// <summary>An IPv6 packet (no link header) with the given extension headers (type, body without next/length bytes).</summary>
    private static byte[] Ipv6(byte finalProtocol, byte[] transport, params (byte Type, byte[] Body)[] extensions)
    {
        var headers = new List<byte>();
        for (var i = 0; i < extensions.Length; i++)
        {
            var next = i + 1 < extensions.Length ? extensions[i + 1].Type : finalProtocol;
            var (type, body) = extensions[i];
            if (type == 44)
            {
                headers.Add(next);
                headers.AddRange(body);
            }
            else if (type == 51)
            {
                headers.Add(next);
                headers.Add((byte)((body.Length + 2) / 4 - 2));
                headers.AddRange(body);
            }
            else
            {
                headers.Add(next);
                headers.Add((byte)((body.Length + 2) / 8 - 1));
                headers.AddRange(body);
            }
        }
        var ip = new byte[40 + headers.Count + transport.Length];
        ip[0] = 0x60;
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(4), (ushort)(headers.Count + transport.Length));
        ip[6] = extensions.Length > 0 ? extensions[0].Type : finalProtocol;
        ip[7] = 64;
        IPAddress.Parse("2001:db8::a").TryWriteBytes(ip.AsSpan(8), out _);
        IPAddress.Parse("2001:db8::b").TryWriteBytes(ip.AsSpan(24), out _);
        headers.CopyTo(ip, 40);
        transport.CopyTo(ip, 40 + headers.Count);
        return ip;
    }

    private static byte[] Fragment(ushort offsetInBytes, bool more) =>
        [0, (byte)((offsetInBytes | (more ? 1 : 0)) >> 8), (byte)(offsetInBytes | (more ? 1 : 0)), 0, 0, 0, 1];

    private static byte[] Ethernet(ushort etherType, byte[] payload)
    {
        var frame = new byte[14 + payload.Length];
        frame[0] = 0x02;
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(12), etherType);
        payload.CopyTo(frame, 14);
        return frame;
    }

    [Fact]
    public void Hop_by_hop_icmpv6_counts_as_other_by_its_first_header_but_keeps_its_icmp_type()
    {
        byte[] mld = [143, 0, 0, 0, 0, 0, 0, 1];
        var p = PacketDecoderTests.Decode(Ipv6(58, mld, (0, new byte[6])), LinkTypes.Raw);

        Assert.Equal(NetworkLayer.IPv6, p.Layer);
        Assert.Equal(Transport.Other, p.Transport);
        Assert.Equal(58, p.IpProtocol);
        Assert.Equal(143, p.IcmpType);
        Assert.Equal(CastKind.Unicast, p.Cast);
        Assert.False(p.Malformed);
    }

    [Fact]
    public void Destination_options_routing_and_authentication_headers_are_walked_to_tcp()
    {
        var p = PacketDecoderTests.Decode(Ipv6(6, TcpSyn, (60, new byte[14]), (43, new byte[6]), (51, new byte[10])), LinkTypes.Ipv6);

        Assert.Equal(6, p.IpProtocol);
        Assert.Equal(4321, p.SourcePort);
        Assert.Equal(22, p.DestinationPort);
        Assert.Equal(TcpFlags.Syn, p.TcpFlags);
        Assert.False(p.Malformed);
    }

    [Fact]
    public void A_first_ipv6_fragment_has_ports_and_a_later_one_has_none()
    {
        var first = PacketDecoderTests.Decode(Ipv6(17, UdpHeader, (44, Fragment(0, more: true))), LinkTypes.Raw);
        var later = PacketDecoderTests.Decode(Ipv6(17, new byte[24], (44, Fragment(1448, more: false))), LinkTypes.Raw);

        Assert.Equal(5000, first.SourcePort);
        Assert.Equal(17, first.IpProtocol);
        Assert.Equal(0, later.SourcePort);
        Assert.Equal(0, later.DestinationPort);
        Assert.Equal(17, later.IpProtocol);
        Assert.Equal(24, later.PayloadLength);
        Assert.False(later.Malformed);
    }

    [Fact]
    public void An_extension_header_running_past_the_packet_is_malformed()
    {
        var ip = Ipv6(6, TcpSyn, (60, new byte[6]));
        ip[41] = 200;

        var p = PacketDecoderTests.Decode(ip, LinkTypes.Raw);

        Assert.True(p.Malformed);
        Assert.Equal(NetworkLayer.IPv6, p.Layer);
        Assert.Equal(0, p.SourcePort);
    }

    [Fact]
    public void An_ipv6_payload_length_longer_than_the_frame_is_malformed()
    {
        var ip = Ipv6(17, UdpHeader);
        BinaryPrimitives.WriteUInt16BigEndian(ip.AsSpan(4), 1000);

        Assert.True(PacketDecoderTests.Decode(ip, LinkTypes.Raw).Malformed);
    }

    [Fact]
    public void A_later_ipv4_fragment_counts_by_its_protocol_without_ports()
    {
        var frame = PacketBuilder.Udp("192.0.2.1", "192.0.2.2", 5000, 53, payload: 40);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14 + 6), 185);
        var first = PacketBuilder.Udp("192.0.2.1", "192.0.2.2", 5000, 53, payload: 40);
        BinaryPrimitives.WriteUInt16BigEndian(first.AsSpan(14 + 6), 0x2000);

        var later = PacketDecoderTests.Decode(frame);
        var firstDecoded = PacketDecoderTests.Decode(first);

        Assert.Equal(Transport.Udp, later.Transport);
        Assert.Equal(0, later.SourcePort);
        Assert.Equal(48, later.PayloadLength);
        Assert.False(later.Malformed);
        Assert.Equal(5000, firstDecoded.SourcePort);
    }

    [Fact]
    public void A_tcp_data_offset_beyond_the_segment_is_malformed()
    {
        var frame = PacketBuilder.Tcp("192.0.2.1", "192.0.2.2", 1, 2, 0x02);
        frame[14 + 20 + 12] = 0xF0;

        var p = PacketDecoderTests.Decode(frame);

        Assert.True(p.Malformed);
        Assert.Equal(Transport.Tcp, p.Transport);
        Assert.Equal(1, p.SourcePort);
    }

    [Fact]
    public void A_udp_header_cut_inside_an_unsnapped_frame_is_malformed()
    {
        var frame = PacketBuilder.Udp("192.0.2.1", "192.0.2.2", 1, 2)[..(14 + 20 + 6)];

        var p = PacketDecoderTests.Decode(frame);

        Assert.True(p.Malformed);
        Assert.Equal(Transport.Udp, p.Transport);
    }

    [Fact]
    public void An_icmp_error_quoting_only_an_ip_header_has_quoted_addresses_without_ports()
    {
        var quoted = PacketBuilder.IpPart(PacketBuilder.Tcp("192.0.2.5", "192.0.2.6", 1, 2, 0x02))[..20];
        var p = PacketDecoderTests.Decode(PacketBuilder.Icmp("192.0.2.6", "192.0.2.5", 11, 0, quote: quoted));

        Assert.True(p.HasQuoted);
        Assert.Equal(6, p.QuotedProtocol);
        Assert.Equal(IpAddressKey.Parse("192.0.2.5"), p.QuotedSource);
        Assert.Equal(0, p.QuotedSourcePort);
        Assert.False(p.Malformed);
    }

    [Fact]
    public void Linux_cooked_v1_uses_its_packet_type_for_broadcast()
    {
        var ip = PacketBuilder.IpPart(PacketBuilder.Udp("192.0.2.1", "192.0.2.255", 68, 67));
        var frame = new byte[16 + ip.Length];
        frame[1] = 1; // sent to us as a broadcast
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(14), 0x0800);
        ip.CopyTo(frame, 16);

        var p = PacketDecoderTests.Decode(frame, LinkTypes.LinuxSll);

        Assert.Equal(Transport.Udp, p.Transport);
        Assert.Equal(CastKind.Broadcast, p.Cast);
        Assert.Equal(PacketDecoder.PairHash(LinkTypes.Raw, ip), PacketDecoder.PairHash(LinkTypes.LinuxSll, frame));
    }

    [Fact]
    public void Linux_cooked_v2_carries_the_protocol_first()
    {
        var ip = Ipv6(17, UdpHeader);
        var frame = new byte[20 + ip.Length];
        BinaryPrimitives.WriteUInt16BigEndian(frame, 0x86DD);
        frame[10] = 4; // outgoing
        ip.CopyTo(frame, 20);

        var p = PacketDecoderTests.Decode(frame, LinkTypes.LinuxSll2);

        Assert.Equal(NetworkLayer.IPv6, p.Layer);
        Assert.Equal(53, p.DestinationPort);
        Assert.NotEqual(0UL, PacketDecoder.PairHash(LinkTypes.LinuxSll2, frame));
    }

    [Theory]
    [InlineData(LinkTypes.Null, false, 2u)]
    [InlineData(LinkTypes.Null, true, 2u)]
    [InlineData(LinkTypes.Null, false, 30u)]
    [InlineData(LinkTypes.Null, true, 24u)]
    [InlineData(LinkTypes.Loop, true, 28u)]
    [InlineData(LinkTypes.Null, false, 10u)]
    public void Bsd_loopback_family_is_read_in_either_byte_order(int linkType, bool bigEndian, uint family)
    {
        var ip = family == 2 ? PacketBuilder.IpPart(PacketBuilder.Tcp("127.0.0.1", "127.0.0.2", 1, 2, 0x02)) : Ipv6(17, UdpHeader);
        var frame = new byte[4 + ip.Length];
        if (bigEndian) BinaryPrimitives.WriteUInt32BigEndian(frame, family);
        else BinaryPrimitives.WriteUInt32LittleEndian(frame, family);
        ip.CopyTo(frame, 4);

        var p = PacketDecoderTests.Decode(frame, linkType);

        Assert.Equal(family == 2 ? NetworkLayer.IPv4 : NetworkLayer.IPv6, p.Layer);
        Assert.False(p.Malformed);
    }

    [Fact]
    public void Raw_ipv4_and_ipv6_link_types_tell_multicast_by_the_destination_address()
    {
        var v4 = PacketBuilder.IpPart(PacketBuilder.Udp("192.0.2.1", "239.1.2.3", 1, 2));
        var v6 = PacketBuilder.IpPart(PacketBuilder.Udp("2001:db8::1", "ff02::fb", 5353, 5353));
        var broadcast = PacketBuilder.IpPart(PacketBuilder.Udp("0.0.0.0", "255.255.255.255", 68, 67));

        Assert.Equal(CastKind.Multicast, PacketDecoderTests.Decode(v4, LinkTypes.Ipv4).Cast);
        Assert.Equal(CastKind.Multicast, PacketDecoderTests.Decode(v6, LinkTypes.Ipv6).Cast);
        Assert.Equal(CastKind.Broadcast, PacketDecoderTests.Decode(broadcast, LinkTypes.Raw).Cast);
        Assert.Equal(Transport.Udp, PacketDecoderTests.Decode(v6, LinkTypes.Ipv6).Transport);
    }

    [Fact]
    public void An_ethernet_frame_with_a_wrong_ip_version_is_malformed_and_not_ip()
    {
        var packet = Ipv6(17, UdpHeader);
        packet[0] = 0x50;
        var frame = Ethernet(0x0800, packet);

        var p = PacketDecoderTests.Decode(frame);

        Assert.True(p.Malformed);
        Assert.False(p.IsIp);
    }

    [Fact]
    public void An_ipv6_packet_behind_the_ipv4_ethertype_counts_as_ipv6_as_tshark_hands_it_on()
    {
        var frame = Ethernet(0x0800, Ipv6(17, UdpHeader));

        var p = PacketDecoderTests.Decode(frame);

        Assert.False(p.Malformed);
        Assert.Equal(NetworkLayer.IPv6, p.Layer);
        Assert.Equal(Transport.Udp, p.Transport);
    }

    [Fact]
    public void An_ipv4_total_length_of_zero_from_segmentation_offload_takes_the_frame_length()
    {
        var frame = PacketBuilder.Tcp("192.0.2.1", "192.0.2.2", 1, 2, 0x10, payload: 100);
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(16), 0);

        var p = PacketDecoderTests.Decode(frame);

        Assert.False(p.Malformed);
        Assert.Equal(140, p.IpLength);
        Assert.Equal(100, p.PayloadLength);
    }

    [Fact]
    public void An_mpls_frame_counts_by_the_ip_packet_after_the_bottom_of_stack_label_with_its_ports()
    {
        var inner = PacketBuilder.IpPart(PacketBuilder.Tcp("2001:db8::1", "2001:db8::2", 4321, 443, 0x02, payload: 10));
        var frame = PacketBuilder.Mpls(inner, [1000, 2000, 3000], vlans: [7]);

        var p = PacketDecoderTests.Decode(frame);

        Assert.False(p.Malformed);
        Assert.Equal((NetworkLayer.IPv6, Transport.Tcp, (ushort)4321, (ushort)443, 10), (p.Layer, p.Transport, p.SourcePort, p.DestinationPort, p.PayloadLength));
        Assert.Equal(PacketDecoder.PairHash(LinkTypes.Ethernet, PacketBuilder.Tcp("2001:db8::2", "2001:db8::1", 443, 4321, 0x12)), PacketDecoder.PairHash(LinkTypes.Ethernet, frame));
    }

    [Fact]
    public void An_mpls_stack_without_a_bottom_label_is_malformed_and_a_non_ip_payload_is_other()
    {
        var inner = PacketBuilder.IpPart(PacketBuilder.Udp("192.0.2.1", "192.0.2.2", 1, 2));
        var noBottom = PacketBuilder.Mpls(inner, [1000, 2000], bottomOfStack: false)[..24];
        var pseudowire = PacketBuilder.Mpls([0, 0, 0, 0, .. PacketBuilder.Udp("192.0.2.1", "192.0.2.2", 1, 2)], [1000]);

        var broken = PacketDecoderTests.Decode(noBottom);
        var other = PacketDecoderTests.Decode(pseudowire);

        Assert.Equal((NetworkLayer.Other, true), (broken.Layer, broken.Malformed));
        Assert.Equal((NetworkLayer.Other, false), (other.Layer, other.Malformed));
        Assert.Equal(0UL, PacketDecoder.PairHash(LinkTypes.Ethernet, pseudowire));
    }

    [Fact]
    public void A_pppoe_session_frame_counts_its_ip_packet_with_a_full_or_compressed_ppp_protocol()
    {
        var v4 = PacketBuilder.IpPart(PacketBuilder.Udp("192.0.2.1", "192.0.2.2", 5000, 53, payload: 4));
        var v6 = PacketBuilder.IpPart(PacketBuilder.Udp("2001:db8::1", "2001:db8::2", 5000, 53, payload: 4));

        var full = PacketDecoderTests.Decode(PacketBuilder.PppoeSession(v4, 0x0021));
        var compressed = PacketDecoderTests.Decode(PacketBuilder.PppoeSession(v6, 0x0057, compressedProtocol: true));
        var lcp = PacketDecoderTests.Decode(PacketBuilder.PppoeSession([9, 1, 0, 8, 0, 0, 0, 0], 0xC021));
        var cut = PacketDecoderTests.Decode(PacketBuilder.Ethernet(0x8864, [0x11, 0, 0x12, 0x34, 0, 2]));

        Assert.Equal((NetworkLayer.IPv4, Transport.Udp, false), (full.Layer, full.Transport, full.Malformed));
        Assert.Equal((NetworkLayer.IPv6, Transport.Udp, false), (compressed.Layer, compressed.Transport, compressed.Malformed));
        Assert.Equal((NetworkLayer.Other, false), (lcp.Layer, lcp.Malformed));
        Assert.Equal((NetworkLayer.Other, true), (cut.Layer, cut.Malformed));
    }

    [Theory]
    [InlineData(LinkTypes.RawDlt)]
    [InlineData(LinkTypes.RawOpenBsd)]
    [InlineData(LinkTypes.Raw)]
    [InlineData(LinkTypes.Ipv4)]
    public void Raw_ipv4_link_types_read_the_ip_version_from_the_first_nibble(int linkType)
    {
        var v4 = PacketBuilder.IpPart(PacketBuilder.Udp("192.0.2.1", "255.255.255.255", 68, 67));
        var v6 = PacketBuilder.IpPart(PacketBuilder.Udp("2001:db8::1", "ff02::fb", 5353, 5353));

        var four = PacketDecoderTests.Decode(v4, linkType);
        var six = PacketDecoderTests.Decode(v6, linkType);

        Assert.Equal((NetworkLayer.IPv4, CastKind.Broadcast, false), (four.Layer, four.Cast, four.Malformed));
        Assert.Equal((NetworkLayer.IPv6, CastKind.Multicast, false), (six.Layer, six.Cast, six.Malformed));
        Assert.NotEqual(0UL, PacketDecoder.PairHash(linkType, v6));
    }
}
