using System.Buffers.Binary;
using System.Net;

namespace Monitor.TestKit.Packets;

/// <summary>
/// Builds well-formed Ethernet frames (optionally VLAN-tagged) carrying IPv4/IPv6 with TCP, UDP or
/// ICMP, with correct length fields, so tests know the truth of every packet they write.
/// </summary>
public static class PacketBuilder
{
    private static readonly byte[] SrcMac = [0x02, 0, 0, 0, 0, 1];
    private static readonly byte[] DstMac = [0x02, 0, 0, 0, 0, 2];

    public static byte[] Tcp(string src, string dst, ushort sport, ushort dport, byte flags, int payload = 0, ushort[]? vlans = null) =>
        Ip(src, dst, 6, TcpHeader(sport, dport, flags), payload, vlans);

    public static byte[] Udp(string src, string dst, ushort sport, ushort dport, int payload = 0, ushort[]? vlans = null)
    {
        var h = new byte[8];
        BinaryPrimitives.WriteUInt16BigEndian(h, sport);
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(2), dport);
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(4), (ushort)(8 + payload));
        return Ip(src, dst, 17, h, payload, vlans);
    }

    /// <summary>ICMP (or ICMPv6 for IPv6 addresses) with an 8-byte header; quote is appended after it (errors).</summary>
    public static byte[] Icmp(string src, string dst, byte type, byte code, int payload = 0, byte[]? quote = null, ushort[]? vlans = null)
    {
        var v6 = IPAddress.Parse(src).AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        var h = new byte[8 + (quote?.Length ?? 0)];
        h[0] = type;
        h[1] = code;
        quote?.CopyTo(h, 8);
        return Ip(src, dst, (byte)(v6 ? 58 : 1), h, payload, vlans);
    }

    /// <summary>The IP packet inside an Ethernet frame built here (no VLAN), for ICMP error quotes.</summary>
    public static byte[] IpPart(byte[] frame) => frame[14..];

    public static byte[] Ip(string src, string dst, byte protocol, byte[] transportHeader, int payload, ushort[]? vlans = null)
    {
        var s = IPAddress.Parse(src);
        var d = IPAddress.Parse(dst);
        var v6 = s.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
        var ipHeader = v6 ? 40 : 20;
        var tags = vlans?.Length ?? 0;
        var frame = new byte[14 + 4 * tags + ipHeader + transportHeader.Length + payload];
        DstMac.CopyTo(frame, 0);
        SrcMac.CopyTo(frame, 6);
        var at = 12;
        for (var i = 0; i < tags; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(at), (ushort)(i == 0 && tags > 1 ? 0x88A8 : 0x8100));
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(at + 2), vlans![i]);
            at += 4;
        }
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(at), (ushort)(v6 ? 0x86DD : 0x0800));
        at += 2;
        var ip = frame.AsSpan(at);
        var l4 = transportHeader.Length + payload;
        if (v6)
        {
            ip[0] = 0x60;
            BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)l4);
            ip[6] = protocol;
            ip[7] = 64;
            s.TryWriteBytes(ip[8..], out _);
            d.TryWriteBytes(ip[24..], out _);
        }
        else
        {
            ip[0] = 0x45;
            BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(20 + l4));
            ip[8] = 64;
            ip[9] = protocol;
            s.TryWriteBytes(ip[12..], out _);
            d.TryWriteBytes(ip[16..], out _);
            BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum(ip[..20]));
        }
        transportHeader.CopyTo(ip[ipHeader..]);
        for (var i = 0; i < payload; i++) ip[ipHeader + transportHeader.Length + i] = (byte)('a' + i % 26);
        return frame;
    }

    /// <summary>An Ethernet frame (optionally VLAN-tagged, outer tag 802.1ad when stacked) around any payload.</summary>
    public static byte[] Ethernet(ushort etherType, ReadOnlySpan<byte> payload, ushort[]? vlans = null)
    {
        var tags = vlans?.Length ?? 0;
        var frame = new byte[14 + 4 * tags + payload.Length];
        DstMac.CopyTo(frame, 0);
        SrcMac.CopyTo(frame, 6);
        var at = 12;
        for (var i = 0; i < tags; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(at), (ushort)(i == 0 && tags > 1 ? 0x88A8 : 0x8100));
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(at + 2), vlans![i]);
            at += 4;
        }
        BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(at), etherType);
        payload.CopyTo(frame.AsSpan(at + 2));
        return frame;
    }

    /// <summary>
    /// A packet behind an MPLS label stack (EtherType 0x8847, or 0x8848 for multicast); the last label
    /// carries the bottom-of-stack bit unless <paramref name="bottomOfStack"/> is false (a broken stack).
    /// </summary>
    public static byte[] Mpls(ReadOnlySpan<byte> inner, uint[] labels, ushort[]? vlans = null, bool multicast = false, bool bottomOfStack = true)
    {
        var payload = new byte[4 * labels.Length + inner.Length];
        for (var i = 0; i < labels.Length; i++)
        {
            var bottom = bottomOfStack && i == labels.Length - 1 ? 1u : 0u;
            BinaryPrimitives.WriteUInt32BigEndian(payload.AsSpan(4 * i), (labels[i] << 12) | (bottom << 8) | 64);
        }
        inner.CopyTo(payload.AsSpan(4 * labels.Length));
        return Ethernet(multicast ? (ushort)0x8848 : (ushort)0x8847, payload, vlans);
    }

    /// <summary>A PPPoE session frame (EtherType 0x8864) carrying a PPP protocol (0x0021 IPv4, 0x0057 IPv6, 0xC021 LCP…), its field compressed to one byte if asked.</summary>
    public static byte[] PppoeSession(ReadOnlySpan<byte> inner, ushort pppProtocol, ushort session = 0x1234, bool compressedProtocol = false, ushort[]? vlans = null)
    {
        var protocolLength = compressedProtocol ? 1 : 2;
        var payload = new byte[6 + protocolLength + inner.Length];
        payload[0] = 0x11; // version 1, type 1
        payload[1] = 0x00; // session data
        BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(2), session);
        BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(4), (ushort)(protocolLength + inner.Length));
        if (compressedProtocol) payload[6] = (byte)pppProtocol;
        else BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(6), pppProtocol);
        inner.CopyTo(payload.AsSpan(6 + protocolLength));
        return Ethernet(0x8864, payload, vlans);
    }

    private static byte[] TcpHeader(ushort sport, ushort dport, byte flags)
    {
        var h = new byte[20];
        BinaryPrimitives.WriteUInt16BigEndian(h, sport);
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(2), dport);
        h[12] = 5 << 4;
        h[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(h.AsSpan(14), 65535);
        return h;
    }

    private static ushort Checksum(ReadOnlySpan<byte> header)
    {
        uint sum = 0;
        for (var i = 0; i < header.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(header[i..]);
        while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }
}
