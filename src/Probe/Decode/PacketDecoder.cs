using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using Monitor.Probe.Capture;

namespace Monitor.Probe.Decode;

/// <summary>
/// Decodes the headers the probe counts straight from the captured bytes, without allocation and
/// without throwing: every length is checked against what was captured, and anything cut short or
/// inconsistent sets <see cref="DecodedPacket.Malformed"/>. Packets are counted by their outermost IP
/// header, as tshark's oracles do: an IPv4 header with a bogus length, or one cut before its addresses,
/// is not IP at all (Layer Other), and an IPv6 packet whose first next header is an extension header
/// counts as transport Other even though its final protocol and ports are still decoded. Like tshark, the
/// decoder looks through VLAN tags, MPLS label stacks and PPPoE sessions to the IP packet inside, and
/// wherever IPv4 is expected (EtherType 0x0800, LINKTYPE_IPV4, raw IP, PPP 0x0021) a version-6 packet
/// is decoded as the IPv6 packet it is.
/// </summary>
public static class PacketDecoder
{
    private const ushort EtherTypeIpv4 = 0x0800;
    private const ushort EtherTypeIpv6 = 0x86DD;
    private const ushort EtherTypeArp = 0x0806;
    private const ushort EtherTypeVlan = 0x8100;
    private const ushort EtherTypeQinQ = 0x88A8;
    private const ushort EtherTypeQinQOld = 0x9100;
    private const ushort EtherTypeQinQOld2 = 0x9200;
    private const ushort EtherTypeMpls = 0x8847;
    private const ushort EtherTypeMplsMulticast = 0x8848;
    private const ushort EtherTypePppoeSession = 0x8864;
    private const ushort PppIpv4 = 0x0021;
    private const ushort PppIpv6 = 0x0057;

    /// <summary>The most VLAN tags followed before giving up; real networks stack two or three.</summary>
    private const int MaxVlanTags = 8;
    private const int MaxIpv6ExtensionHeaders = 16;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Decode(in RawPacket raw, ref DecodedPacket packet)
    {
        packet = default;
        packet.Ticks = raw.Ticks;
        packet.WireLength = raw.WireLength;
        var data = raw.Data;
        packet.CapturedLength = data.Length;
        // Bytes of the frame on the wire past the captured ones: IP length fields may claim them.
        var uncaptured = Math.Max(0, raw.WireLength - data.Length);

        switch (raw.LinkType)
        {
            case LinkTypes.Ethernet:
                DecodeEthernet(data, uncaptured, ref packet);
                break;
            case LinkTypes.LinuxSll:
                DecodeSll(data, uncaptured, ref packet);
                break;
            case LinkTypes.LinuxSll2:
                DecodeSll2(data, uncaptured, ref packet);
                break;
            case LinkTypes.Raw:
            case LinkTypes.RawDlt:
            case LinkTypes.RawOpenBsd:
            case LinkTypes.Ipv4:
                // Either version, by the first nibble: DecodeIpv4 hands version 6 on, as tshark's raw and IPv4 dissectors do.
                DecodeIpv4(data, uncaptured, ref packet);
                packet.Cast = IpCast(in packet);
                break;
            case LinkTypes.Ipv6:
                DecodeIpv6(data, uncaptured, ref packet);
                packet.Cast = IpCast(in packet);
                break;
            case LinkTypes.Null:
            case LinkTypes.Loop:
                DecodeNull(data, uncaptured, ref packet);
                packet.Cast = IpCast(in packet);
                break;
            default:
                packet.Layer = NetworkLayer.Other;
                break;
        }
    }

    /// <summary>
    /// A hash of the outermost IP header's address pair, the same in both directions, so that both
    /// halves of a conversation go to the same worker; 0 when the frame carries no IP header.
    /// </summary>
    public static ulong PairHash(int linkType, ReadOnlySpan<byte> frame)
    {
        var offset = NetworkOffset(linkType, frame, out var etherType);
        if (offset < 0) return 0;
        var ip = frame[offset..];
        if (etherType is 0 or EtherTypeIpv4 && ip.Length > 0)
        {
            // Where IPv4 is expected, a version-6 packet is IPv6 (as the decoder reads it).
            etherType = (ip[0] >> 4) switch { 4 => EtherTypeIpv4, 6 => EtherTypeIpv6, _ => (ushort)0 };
        }
        ulong a, b;
        if (etherType == EtherTypeIpv4)
        {
            if (ip.Length < 20) return 0;
            a = BinaryPrimitives.ReadUInt32BigEndian(ip[12..]);
            b = BinaryPrimitives.ReadUInt32BigEndian(ip[16..]);
        }
        else if (etherType == EtherTypeIpv6)
        {
            if (ip.Length < 40) return 0;
            a = Fold(ip.Slice(8, 16));
            b = Fold(ip.Slice(24, 16));
        }
        else
        {
            return 0;
        }
        var h = Math.Min(a, b) * 0x9E3779B97F4A7C15UL + Math.Max(a, b);
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53UL;
        h ^= h >> 33;
        return h == 0 ? 1 : h;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static ulong Fold(ReadOnlySpan<byte> address16)
    {
        var high = BinaryPrimitives.ReadUInt64BigEndian(address16);
        var low = BinaryPrimitives.ReadUInt64BigEndian(address16[8..]);
        return (high * 0xC2B2AE3D27D4EB4FUL) ^ low;
    }

    /// <summary>Where the network header starts and its EtherType (0 = tell by the IP version nibble); -1 when not IP.</summary>
    private static int NetworkOffset(int linkType, ReadOnlySpan<byte> frame, out ushort etherType)
    {
        etherType = 0;
        switch (linkType)
        {
            case LinkTypes.Ethernet:
            {
                if (frame.Length < 14) return -1;
                var offset = 12;
                var type = BinaryPrimitives.ReadUInt16BigEndian(frame[offset..]);
                for (var tags = 0; IsVlan(type) && tags < MaxVlanTags; tags++)
                {
                    offset += 4;
                    if (frame.Length < offset + 2) return -1;
                    type = BinaryPrimitives.ReadUInt16BigEndian(frame[offset..]);
                }
                etherType = type;
                return IsEncapsulation(type) ? InnerNetworkOffset(frame, offset + 2, ref etherType) : offset + 2;
            }
            case LinkTypes.LinuxSll:
                if (frame.Length < 16) return -1;
                etherType = BinaryPrimitives.ReadUInt16BigEndian(frame[14..]);
                return IsEncapsulation(etherType) ? InnerNetworkOffset(frame, 16, ref etherType) : 16;
            case LinkTypes.LinuxSll2:
                if (frame.Length < 20) return -1;
                etherType = BinaryPrimitives.ReadUInt16BigEndian(frame);
                return IsEncapsulation(etherType) ? InnerNetworkOffset(frame, 20, ref etherType) : 20;
            case LinkTypes.Raw:
            case LinkTypes.RawDlt:
            case LinkTypes.RawOpenBsd:
            case LinkTypes.Ipv4:
                return 0;
            case LinkTypes.Ipv6:
                etherType = EtherTypeIpv6;
                return 0;
            case LinkTypes.Null:
            case LinkTypes.Loop:
                return frame.Length < 4 ? -1 : 4;
            default:
                return -1;
        }
    }

    /// <summary>MPLS or a PPPoE session: the IP packet is further in (checked inline so plain IP pays no call).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsEncapsulation(ushort etherType) =>
        etherType is EtherTypeMpls or EtherTypeMplsMulticast or EtherTypePppoeSession;

    /// <summary>
    /// For an MPLS or PPPoE session payload (see <see cref="IsEncapsulation"/>) at <paramref name="offset"/>, where
    /// the IP packet inside starts and its EtherType (0 = by the version nibble); -1 when it carries no IP.
    /// </summary>
    private static int InnerNetworkOffset(ReadOnlySpan<byte> frame, int offset, ref ushort etherType)
    {
        if (etherType == EtherTypePppoeSession)
        {
            var payload = PppPayload(frame[offset..], out var protocol);
            etherType = protocol switch { PppIpv4 => EtherTypeIpv4, PppIpv6 => EtherTypeIpv6, _ => 0 };
            return payload < 0 || etherType == 0 ? -1 : offset + payload;
        }
        var inner = BottomOfLabelStack(frame[offset..]);
        etherType = 0;
        return inner < 0 ? -1 : offset + inner;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsVlan(ushort etherType) =>
        etherType is EtherTypeVlan or EtherTypeQinQ or EtherTypeQinQOld or EtherTypeQinQOld2;

    private static void DecodeEthernet(ReadOnlySpan<byte> frame, int uncaptured, ref DecodedPacket packet)
    {
        if (frame.Length < 14)
        {
            packet.Malformed = true;
            return;
        }
        // The destination MAC's group bit says multicast; all ones is broadcast.
        if ((frame[0] & 1) != 0)
        {
            packet.Cast = BinaryPrimitives.ReadUInt32BigEndian(frame) == 0xFFFFFFFF
                          && BinaryPrimitives.ReadUInt16BigEndian(frame[4..]) == 0xFFFF
                ? CastKind.Broadcast
                : CastKind.Multicast;
        }
        var offset = 12;
        var type = BinaryPrimitives.ReadUInt16BigEndian(frame[offset..]);
        for (var tags = 0; IsVlan(type); tags++)
        {
            offset += 4;
            if (tags == MaxVlanTags || frame.Length < offset + 2)
            {
                packet.Malformed = true;
                return;
            }
            if (tags == 0) packet.VlanId = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(frame[(offset - 2)..]) & 0x0FFF);
            type = BinaryPrimitives.ReadUInt16BigEndian(frame[offset..]);
        }
        DecodeEtherType(type, frame[(offset + 2)..], uncaptured, ref packet);
    }

    private static void DecodeSll(ReadOnlySpan<byte> frame, int uncaptured, ref DecodedPacket packet)
    {
        if (frame.Length < 16)
        {
            packet.Malformed = true;
            return;
        }
        var packetType = BinaryPrimitives.ReadUInt16BigEndian(frame);
        DecodeCookedPayload(BinaryPrimitives.ReadUInt16BigEndian(frame[14..]), frame[16..], uncaptured, packetType, ref packet);
    }

    private static void DecodeSll2(ReadOnlySpan<byte> frame, int uncaptured, ref DecodedPacket packet)
    {
        if (frame.Length < 20)
        {
            packet.Malformed = true;
            return;
        }
        DecodeCookedPayload(BinaryPrimitives.ReadUInt16BigEndian(frame), frame[20..], uncaptured, frame[10], ref packet);
    }

    /// <summary>Linux cooked captures: the packet type says broadcast (1) or multicast (2) for received frames.</summary>
    private static void DecodeCookedPayload(ushort protocol, ReadOnlySpan<byte> payload, int uncaptured, int packetType, ref DecodedPacket packet)
    {
        var offset = 0;
        for (var tags = 0; IsVlan(protocol); tags++)
        {
            if (tags == MaxVlanTags || payload.Length < offset + 4)
            {
                packet.Malformed = true;
                return;
            }
            if (tags == 0) packet.VlanId = (ushort)(BinaryPrimitives.ReadUInt16BigEndian(payload[offset..]) & 0x0FFF);
            protocol = BinaryPrimitives.ReadUInt16BigEndian(payload[(offset + 2)..]);
            offset += 4;
        }
        DecodeEtherType(protocol, payload[offset..], uncaptured, ref packet);
        packet.Cast = packetType switch
        {
            1 => CastKind.Broadcast,
            2 => CastKind.Multicast,
            _ => IpCast(in packet),
        };
    }

    private static void DecodeNull(ReadOnlySpan<byte> frame, int uncaptured, ref DecodedPacket packet)
    {
        if (frame.Length < 4)
        {
            packet.Malformed = true;
            return;
        }
        // The address family is in the capturing host's byte order (NULL) or network order (LOOP): accept both.
        var family = BinaryPrimitives.ReadUInt32LittleEndian(frame);
        if (family > 0xFFFF) family = BinaryPrimitives.ReverseEndianness(family);
        switch (family)
        {
            case 2:
                DecodeIpv4(frame[4..], uncaptured, ref packet);
                break;
            case 10 or 24 or 28 or 30:
                DecodeIpv6(frame[4..], uncaptured, ref packet);
                break;
            default:
                packet.Layer = NetworkLayer.Other;
                break;
        }
    }

    private static void DecodeEtherType(ushort type, ReadOnlySpan<byte> payload, int uncaptured, ref DecodedPacket packet)
    {
        // IPv4 first and alone: most frames are, and a switch over all the EtherTypes would search for it.
        if (type == EtherTypeIpv4)
        {
            DecodeIpv4(payload, uncaptured, ref packet);
            return;
        }
        switch (type)
        {
            case EtherTypeIpv6:
                DecodeIpv6(payload, uncaptured, ref packet);
                break;
            case EtherTypeArp:
                packet.Layer = NetworkLayer.Arp;
                if (payload.Length < 8) packet.Malformed = true;
                break;
            case EtherTypeMpls:
            case EtherTypeMplsMulticast:
                DecodeMpls(payload, uncaptured, ref packet);
                break;
            case EtherTypePppoeSession:
                DecodePppoeSession(payload, uncaptured, ref packet);
                break;
            default:
                packet.Layer = NetworkLayer.Other;
                break;
        }
    }

    /// <summary>
    /// MPLS (unicast or multicast): past the label stack, the packet's first nibble says IPv4 or IPv6, as
    /// tshark guesses it; anything else there (pseudowire control words, Ethernet over MPLS) is not IP.
    /// </summary>
    private static void DecodeMpls(ReadOnlySpan<byte> payload, int uncaptured, ref DecodedPacket packet)
    {
        var offset = BottomOfLabelStack(payload);
        if (offset < 0 || offset == payload.Length)
        {
            // The stack runs past the captured bytes, or nothing follows it.
            packet.Layer = NetworkLayer.Other;
            packet.Malformed = true;
            return;
        }
        switch (payload[offset] >> 4)
        {
            case 4:
                DecodeIpv4(payload[offset..], uncaptured, ref packet);
                break;
            case 6:
                DecodeIpv6(payload[offset..], uncaptured, ref packet);
                break;
            default:
                packet.Layer = NetworkLayer.Other;
                break;
        }
    }

    /// <summary>The offset just past the label with the bottom-of-stack bit; -1 when the captured bytes end first.</summary>
    private static int BottomOfLabelStack(ReadOnlySpan<byte> labels)
    {
        for (var offset = 0; offset + 4 <= labels.Length; offset += 4)
        {
            if ((labels[offset + 2] & 1) != 0) return offset + 4;
        }
        return -1;
    }

    /// <summary>PPPoE session frames: the 6-byte PPPoE header, then PPP carrying IPv4 (0x0021) or IPv6 (0x0057).</summary>
    private static void DecodePppoeSession(ReadOnlySpan<byte> payload, int uncaptured, ref DecodedPacket packet)
    {
        var offset = PppPayload(payload, out var protocol);
        if (offset < 0)
        {
            packet.Layer = NetworkLayer.Other;
            packet.Malformed = true;
            return;
        }
        switch (protocol)
        {
            case PppIpv4:
                DecodeIpv4(payload[offset..], uncaptured, ref packet);
                break;
            case PppIpv6:
                DecodeIpv6(payload[offset..], uncaptured, ref packet);
                break;
            default:
                // LCP, IPCP, authentication: the session's own control traffic.
                packet.Layer = NetworkLayer.Other;
                break;
        }
    }

    /// <summary>
    /// Where the PPP payload of a PPPoE session starts and its protocol; -1 when cut short. An odd first
    /// byte is a one-byte (compressed) protocol field, as tshark reads it.
    /// </summary>
    private static int PppPayload(ReadOnlySpan<byte> pppoe, out ushort protocol)
    {
        protocol = 0;
        if (pppoe.Length < 7) return -1;
        if ((pppoe[6] & 1) != 0)
        {
            protocol = pppoe[6];
            return 7;
        }
        if (pppoe.Length < 8) return -1;
        protocol = BinaryPrimitives.ReadUInt16BigEndian(pppoe[6..]);
        return 8;
    }

    /// <summary>An IPv4 packet, or the IPv6 packet its version nibble says it is (tshark's IPv4 dissector hands those on).</summary>
    private static void DecodeIpv4(ReadOnlySpan<byte> ip, int uncaptured, ref DecodedPacket packet)
    {
        var headerLength = ip.Length > 0 ? (ip[0] & 0x0F) * 4 : 0;
        if (ip.Length < 20 || ip[0] >> 4 != 4 || headerLength < 20)
        {
            if (ip.Length > 0 && ip[0] >> 4 == 6)
            {
                DecodeIpv6(ip, uncaptured, ref packet);
                return;
            }
            // Not decodable as IP: no trustworthy addresses, so not counted as IP (as tshark).
            packet.Layer = NetworkLayer.Other;
            packet.Malformed = true;
            return;
        }
        var totalLength = (int)BinaryPrimitives.ReadUInt16BigEndian(ip[2..]);
        var available = ip.Length + uncaptured;
        if (totalLength == 0)
        {
            // TCP segmentation offload leaves the length unset: the frame says how long the packet is.
            totalLength = available;
        }
        else if (totalLength < headerLength)
        {
            packet.Layer = NetworkLayer.Other;
            packet.Malformed = true;
            return;
        }
        packet.Layer = NetworkLayer.IPv4;
        packet.Source = IpAddressKey.FromV4(BinaryPrimitives.ReadUInt32BigEndian(ip[12..]));
        packet.Destination = IpAddressKey.FromV4(BinaryPrimitives.ReadUInt32BigEndian(ip[16..]));
        var protocol = ip[9];
        packet.IpProtocol = protocol;
        packet.Transport = TransportOf(protocol, v6: false);
        packet.IpLength = totalLength;
        if (totalLength > available || headerLength > ip.Length)
        {
            packet.Malformed = true;
            if (headerLength > ip.Length) return;
        }
        var fragmentOffset = BinaryPrimitives.ReadUInt16BigEndian(ip[6..]) & 0x1FFF;
        var transportLength = Math.Max(0, totalLength - headerLength);
        if (fragmentOffset != 0)
        {
            // Later fragments carry no transport header: all of it is payload.
            packet.PayloadLength = transportLength;
            return;
        }
        var transportEnd = Math.Min(ip.Length, Math.Max(headerLength, totalLength));
        DecodeTransport(protocol, ip[headerLength..transportEnd], transportLength, ref packet, quoted: false);
        // The IP packet is always the frame's tail (bar the link trailer past transportEnd): see DecodedPacket.Payload.
        if (packet.PayloadCaptured > 0) packet.PayloadFromEnd = ip.Length - transportEnd + packet.PayloadCaptured;
    }

    private static void DecodeIpv6(ReadOnlySpan<byte> ip, int uncaptured, ref DecodedPacket packet)
    {
        if (ip.Length < 40 || ip[0] >> 4 != 6)
        {
            packet.Layer = NetworkLayer.Other;
            packet.Malformed = true;
            return;
        }
        packet.Layer = NetworkLayer.IPv6;
        packet.Source = IpAddressKey.FromV6(ip.Slice(8, 16));
        packet.Destination = IpAddressKey.FromV6(ip.Slice(24, 16));
        var payloadLength = (int)BinaryPrimitives.ReadUInt16BigEndian(ip[4..]);
        var available = ip.Length - 40 + uncaptured;
        if (payloadLength == 0)
        {
            // Jumbograms and offloaded segments: the frame says how long the packet is.
            payloadLength = available;
        }
        else if (payloadLength > available)
        {
            packet.Malformed = true;
        }
        packet.IpLength = 40 + payloadLength;
        var next = ip[6];
        // The outermost header's next header decides the count (tshark's ipv6.nxt).
        packet.Transport = TransportOf(next, v6: true);
        var end = Math.Min(ip.Length, 40 + payloadLength);
        var offset = 40;
        var remaining = payloadLength;
        for (var hops = 0; IsIpv6Extension(next); hops++)
        {
            if (hops == MaxIpv6ExtensionHeaders || end < offset + 8)
            {
                packet.IpProtocol = next;
                packet.Malformed = true;
                return;
            }
            int length;
            if (next == 44)
            {
                var fragment = BinaryPrimitives.ReadUInt16BigEndian(ip[(offset + 2)..]);
                length = 8;
                if ((fragment & 0xFFF8) != 0)
                {
                    // A later fragment: what follows is payload of the protocol named here.
                    packet.IpProtocol = ip[offset];
                    packet.PayloadLength = Math.Max(0, remaining - length);
                    return;
                }
            }
            else if (next == 51)
            {
                length = (ip[offset + 1] + 2) * 4;
            }
            else
            {
                length = (ip[offset + 1] + 1) * 8;
            }
            next = ip[offset];
            offset += length;
            remaining -= length;
            if (remaining < 0)
            {
                packet.IpProtocol = next;
                packet.Malformed = true;
                return;
            }
        }
        packet.IpProtocol = next;
        var transport = ip[Math.Min(offset, end)..end];
        DecodeTransport(next, transport, remaining, ref packet, quoted: false);
        if (packet.PayloadCaptured > 0) packet.PayloadFromEnd = ip.Length - end + packet.PayloadCaptured;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool IsIpv6Extension(byte next) => next is 0 or 43 or 44 or 51 or 60;

    private static bool IsEcho(byte protocol, byte type) => protocol == 1 ? type is 0 or 8 : type is 128 or 129;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Transport TransportOf(byte protocol, bool v6) => protocol switch
    {
        6 => Transport.Tcp,
        17 => Transport.Udp,
        1 when !v6 => Transport.Icmp,
        58 when v6 => Transport.IcmpV6,
        _ => Transport.Other,
    };

    /// <summary>
    /// Ports, flags, ICMP type/code; <paramref name="length"/> is the transport length per the IP header,
    /// <paramref name="segment"/> the part of it that was captured.
    /// </summary>
    private static void DecodeTransport(byte protocol, ReadOnlySpan<byte> segment, int length, ref DecodedPacket packet, bool quoted)
    {
        switch (protocol)
        {
            case 6:
            {
                if (segment.Length < 14)
                {
                    packet.Malformed = true;
                    if (segment.Length >= 4) ReadPorts(segment, ref packet);
                    return;
                }
                ReadPorts(segment, ref packet);
                packet.TcpFlags = (TcpFlags)segment[13];
                var headerLength = (segment[12] >> 4) * 4;
                if (headerLength < 20 || headerLength > length) packet.Malformed = true;
                packet.PayloadLength = Math.Max(0, length - Math.Max(20, headerLength));
                if (packet.PayloadLength > 0 && headerLength >= 20 && segment.Length > headerLength)
                {
                    packet.PayloadCaptured = Math.Min(segment.Length - headerLength, packet.PayloadLength);
                    packet.PayloadFirstByte = segment[headerLength];
                }
                break;
            }
            case 17:
                if (segment.Length < 8)
                {
                    packet.Malformed = true;
                    if (segment.Length >= 4) ReadPorts(segment, ref packet);
                    return;
                }
                ReadPorts(segment, ref packet);
                if (length < 8) packet.Malformed = true;
                packet.PayloadLength = Math.Max(0, length - 8);
                if (packet.PayloadLength > 0 && segment.Length > 8)
                {
                    packet.PayloadCaptured = Math.Min(segment.Length - 8, packet.PayloadLength);
                    packet.PayloadFirstByte = segment[8];
                }
                break;
            case 1 when packet.Layer == NetworkLayer.IPv4:
            case 58 when packet.Layer == NetworkLayer.IPv6:
                if (segment.Length < 2)
                {
                    packet.Malformed = true;
                    return;
                }
                packet.IcmpType = segment[0];
                packet.IcmpCode = segment[1];
                packet.SourcePort = segment[0];
                packet.DestinationPort = segment[1];
                packet.PayloadLength = Math.Max(0, length - 8);
                if (length < 8) packet.Malformed = true;
                if (!quoted && segment.Length >= 6 && IsEcho(protocol, segment[0]))
                    packet.IcmpEchoId = BinaryPrimitives.ReadUInt16BigEndian(segment[4..]);
                if (!quoted && segment.Length > 8 && IsIcmpError(protocol, segment[0]))
                {
                    DecodeQuoted(segment[8..], ref packet);
                }
                break;
            default:
                packet.PayloadLength = Math.Max(0, length);
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ReadPorts(ReadOnlySpan<byte> segment, ref DecodedPacket packet)
    {
        packet.SourcePort = BinaryPrimitives.ReadUInt16BigEndian(segment);
        packet.DestinationPort = BinaryPrimitives.ReadUInt16BigEndian(segment[2..]);
    }

    private static bool IsIcmpError(byte protocol, byte type) =>
        protocol == 1 ? type is 3 or 4 or 5 or 11 or 12 : type is >= 1 and <= 4;

    /// <summary>The packet an ICMP error quotes: addresses, protocol and (when quoted) ports. Never marks the outer packet malformed.</summary>
    private static void DecodeQuoted(ReadOnlySpan<byte> inner, ref DecodedPacket packet)
    {
        if (inner.Length < 1) return;
        ReadOnlySpan<byte> transport;
        byte protocol;
        switch (inner[0] >> 4)
        {
            case 4:
            {
                var headerLength = (inner[0] & 0x0F) * 4;
                if (inner.Length < 20 || headerLength < 20) return;
                packet.QuotedSource = IpAddressKey.FromV4(BinaryPrimitives.ReadUInt32BigEndian(inner[12..]));
                packet.QuotedDestination = IpAddressKey.FromV4(BinaryPrimitives.ReadUInt32BigEndian(inner[16..]));
                protocol = inner[9];
                var firstFragment = (BinaryPrimitives.ReadUInt16BigEndian(inner[6..]) & 0x1FFF) == 0;
                transport = firstFragment && inner.Length > headerLength ? inner[headerLength..] : default;
                break;
            }
            case 6:
            {
                if (inner.Length < 40) return;
                packet.QuotedSource = IpAddressKey.FromV6(inner.Slice(8, 16));
                packet.QuotedDestination = IpAddressKey.FromV6(inner.Slice(24, 16));
                protocol = inner[6];
                var offset = 40;
                for (var hops = 0; IsIpv6Extension(protocol) && hops < MaxIpv6ExtensionHeaders; hops++)
                {
                    if (inner.Length < offset + 8) break;
                    if (protocol == 44 && (BinaryPrimitives.ReadUInt16BigEndian(inner[(offset + 2)..]) & 0xFFF8) != 0)
                    {
                        protocol = inner[offset];
                        offset = inner.Length;
                        break;
                    }
                    var length = protocol switch { 44 => 8, 51 => (inner[offset + 1] + 2) * 4, _ => (inner[offset + 1] + 1) * 8 };
                    protocol = inner[offset];
                    offset += length;
                }
                transport = offset < inner.Length ? inner[offset..] : default;
                break;
            }
            default:
                return;
        }
        packet.HasQuoted = true;
        packet.QuotedProtocol = protocol;
        if (protocol is 6 or 17 && transport.Length >= 4)
        {
            packet.QuotedSourcePort = BinaryPrimitives.ReadUInt16BigEndian(transport);
            packet.QuotedDestinationPort = BinaryPrimitives.ReadUInt16BigEndian(transport[2..]);
        }
    }

    /// <summary>Without a MAC header, the destination address says multicast or (limited) broadcast.</summary>
    private static CastKind IpCast(in DecodedPacket packet)
    {
        if (packet.Layer == NetworkLayer.IPv4)
        {
            var destination = packet.Destination.V4;
            if (destination == 0xFFFFFFFF) return CastKind.Broadcast;
            if (destination >> 28 == 0xE) return CastKind.Multicast;
        }
        else if (packet.Layer == NetworkLayer.IPv6 && packet.Destination.High >> 56 == 0xFF)
        {
            return CastKind.Multicast;
        }
        return CastKind.Unicast;
    }
}
