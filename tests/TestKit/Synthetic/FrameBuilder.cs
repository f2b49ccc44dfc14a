using System.Buffers.Binary;

namespace Monitor.TestKit.Synthetic;

/// <summary>Up to two 802.1Q tags (two = QinQ, the outer one with TPID 0x88A8); 0 = absent.</summary>
internal readonly record struct VlanTags(ushort Outer, ushort Inner)
{
    public static readonly VlanTags None = default;
    public int Count => Outer == 0 ? 0 : Inner == 0 ? 1 : 2;
}

/// <summary>
/// Writes Ethernet/IP/transport headers in place into one reusable buffer, so generating millions of
/// packets allocates nothing. Only the bytes a snap length keeps are written; the caller passes the
/// full length for the length fields and the wire length.
/// </summary>
internal sealed class FrameBuilder(SyntheticHosts hosts)
{
    private static readonly byte[] Filler = MakeFiller();

    public readonly byte[] Buffer = new byte[2048];
    private ushort _ipId;

    public static ReadOnlySpan<byte> BroadcastMac => [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF];

    /// <summary>Ethernet header from host to host (MACs derived from the host index); returns where L3 starts.</summary>
    public int Ethernet(int source, int destination, VlanTags vlan, ushort etherType)
    {
        var f = Buffer.AsSpan();
        WriteMac(f, destination);
        WriteMac(f[6..], source);
        return Tags(f, vlan, etherType);
    }

    /// <summary>Ethernet header to a fixed (broadcast or multicast) MAC.</summary>
    public int Ethernet(int source, ReadOnlySpan<byte> destinationMac, VlanTags vlan, ushort etherType)
    {
        var f = Buffer.AsSpan();
        destinationMac.CopyTo(f);
        WriteMac(f[6..], source);
        return Tags(f, vlan, etherType);
    }

    /// <summary>An IPv4 or IPv6 header (by the hosts' family); returns where the transport header starts.</summary>
    public int Ip(int at, int source, int destination, byte protocol, int transportLength)
    {
        var ip = Buffer.AsSpan(at);
        var ttl = (byte)(source % 3 switch { 0 => 64, 1 => 128, _ => 255 } - (destination & 7));
        if (hosts.IsV6(source))
        {
            BinaryPrimitives.WriteUInt32BigEndian(ip, 0x6000_0000u | (uint)(source & 0xFFFFF));
            BinaryPrimitives.WriteUInt16BigEndian(ip[4..], (ushort)transportLength);
            ip[6] = protocol;
            ip[7] = ttl;
            hosts.Address(source).CopyTo(ip[8..]);
            hosts.Address(destination).CopyTo(ip[24..]);
            return at + 40;
        }
        ip[0] = 0x45;
        ip[1] = 0;
        BinaryPrimitives.WriteUInt16BigEndian(ip[2..], (ushort)(20 + transportLength));
        BinaryPrimitives.WriteUInt16BigEndian(ip[4..], _ipId++);
        BinaryPrimitives.WriteUInt16BigEndian(ip[6..], 0x4000);
        ip[8] = ttl;
        ip[9] = protocol;
        ip[10] = 0;
        ip[11] = 0;
        hosts.Address(source).CopyTo(ip[12..]);
        hosts.Address(destination).CopyTo(ip[16..]);
        BinaryPrimitives.WriteUInt16BigEndian(ip[10..], Checksum(ip[..20]));
        return at + 20;
    }

    public int Tcp(int at, ushort sourcePort, ushort destinationPort, uint sequence, uint acknowledgment, byte flags)
    {
        var h = Buffer.AsSpan(at);
        BinaryPrimitives.WriteUInt16BigEndian(h, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(h[2..], destinationPort);
        BinaryPrimitives.WriteUInt32BigEndian(h[4..], sequence);
        BinaryPrimitives.WriteUInt32BigEndian(h[8..], acknowledgment);
        h[12] = 5 << 4;
        h[13] = flags;
        BinaryPrimitives.WriteUInt16BigEndian(h[14..], 64240);
        BinaryPrimitives.WriteUInt32BigEndian(h[16..], 0);
        return at + 20;
    }

    public int Udp(int at, ushort sourcePort, ushort destinationPort, int payloadLength)
    {
        var h = Buffer.AsSpan(at);
        BinaryPrimitives.WriteUInt16BigEndian(h, sourcePort);
        BinaryPrimitives.WriteUInt16BigEndian(h[2..], destinationPort);
        BinaryPrimitives.WriteUInt16BigEndian(h[4..], (ushort)(8 + payloadLength));
        BinaryPrimitives.WriteUInt16BigEndian(h[6..], 0);
        return at + 8;
    }

    /// <summary>ICMP/ICMPv6 header; rest is the identifier and sequence for echoes, zero for errors.</summary>
    public int Icmp(int at, byte type, byte code, ushort identifier, ushort sequence)
    {
        var h = Buffer.AsSpan(at);
        h[0] = type;
        h[1] = code;
        BinaryPrimitives.WriteUInt16BigEndian(h[2..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(h[4..], identifier);
        BinaryPrimitives.WriteUInt16BigEndian(h[6..], sequence);
        return at + 8;
    }

    /// <summary>ARP request or reply for IPv4 hosts; returns the end of the ARP body.</summary>
    public int Arp(int at, bool reply, int sender, int target)
    {
        var a = Buffer.AsSpan(at);
        BinaryPrimitives.WriteUInt16BigEndian(a, 1);
        BinaryPrimitives.WriteUInt16BigEndian(a[2..], 0x0800);
        a[4] = 6;
        a[5] = 4;
        BinaryPrimitives.WriteUInt16BigEndian(a[6..], (ushort)(reply ? 2 : 1));
        WriteMac(a[8..], sender);
        hosts.Address(sender).CopyTo(a[14..]);
        if (reply) WriteMac(a[18..], target);
        else a.Slice(18, 6).Clear();
        hosts.Address(target).CopyTo(a[24..]);
        return at + 28;
    }

    /// <summary>Copies bytes from the buffer (e.g. a quoted header) to another place in it.</summary>
    public void Copy(int from, int length, int to) => Buffer.AsSpan(from, length).CopyTo(Buffer.AsSpan(to));

    public void Write(int at, ReadOnlySpan<byte> bytes) => bytes.CopyTo(Buffer.AsSpan(at));

    /// <summary>Fills payload and Ethernet padding from the end of the headers up to the captured length.</summary>
    public void Fill(int from, int capturedLength)
    {
        if (capturedLength > from) Filler.AsSpan(0, capturedLength - from).CopyTo(Buffer.AsSpan(from));
    }

    private static int Tags(Span<byte> f, VlanTags vlan, ushort etherType)
    {
        var at = 12;
        if (vlan.Outer != 0)
        {
            BinaryPrimitives.WriteUInt16BigEndian(f[at..], (ushort)(vlan.Inner != 0 ? 0x88A8 : 0x8100));
            BinaryPrimitives.WriteUInt16BigEndian(f[(at + 2)..], vlan.Outer);
            at += 4;
            if (vlan.Inner != 0)
            {
                BinaryPrimitives.WriteUInt16BigEndian(f[at..], 0x8100);
                BinaryPrimitives.WriteUInt16BigEndian(f[(at + 2)..], vlan.Inner);
                at += 4;
            }
        }
        BinaryPrimitives.WriteUInt16BigEndian(f[at..], etherType);
        return at + 2;
    }

    private static void WriteMac(Span<byte> mac, int host)
    {
        mac[0] = 0x02;
        mac[1] = 0x00;
        BinaryPrimitives.WriteInt32BigEndian(mac[2..], host + 1);
    }

    private static ushort Checksum(ReadOnlySpan<byte> header)
    {
        uint sum = 0;
        for (var i = 0; i < header.Length; i += 2) sum += BinaryPrimitives.ReadUInt16BigEndian(header[i..]);
        while (sum > 0xFFFF) sum = (sum & 0xFFFF) + (sum >> 16);
        return (ushort)~sum;
    }

    private static byte[] MakeFiller()
    {
        var filler = new byte[2048];
        for (var i = 0; i < filler.Length; i++) filler[i] = (byte)('a' + i % 26);
        return filler;
    }
}
