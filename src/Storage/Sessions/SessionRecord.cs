using System.Buffers.Binary;
using System.Net;

namespace Monitor.Storage.Sessions;

/// <summary>Zeek's conn_state vocabulary (conn.log), decided from the flags each side sent.</summary>
public enum SessionState : byte { S0, S1, SF, REJ, S2, S3, RSTO, RSTR, RSTOS0, RSTRH, SH, SHR, OTH }

/// <summary>Why a record was written: the session ended, or (<see cref="Open"/>) it is a status record at an interval's end.</summary>
public enum SessionEnd : byte { Open, Closed, Idle, Evicted, Stopped }

/// <summary>
/// One session record, as the probe writes it and the stores keep it. A session open at an
/// interval's end gets a status record then (<see cref="SessionEnd.Open"/>), as Argus does: every
/// record's packet and byte counts are those since the session's previous record, so sums over any
/// window are true, while <see cref="Start"/> stays the session's first packet. Addresses are
/// 128-bit, IPv4 as ::ffff:a.b.c.d. Src is the initiator (the SYN's sender for TCP, else the first
/// packet's sender). For ICMP, ports are Zeek's port equivalents: the type, and the counterpart type
/// (echo request ↔ reply, …) or else the code.
/// </summary>
public readonly record struct SessionRecord(
    DateTimeOffset Start,
    DateTimeOffset End,
    byte Proto,
    UInt128 Src,
    ushort SrcPort,
    UInt128 Dst,
    ushort DstPort,
    long PacketsSrc,
    long BytesSrc,
    long PacketsDst,
    long BytesDst,
    byte FlagsSrc,
    byte FlagsDst,
    SessionState State,
    byte IcmpType,
    byte IcmpCode,
    ushort Vlan,
    SessionEnd Reason)
{
    public TimeSpan Duration => End - Start;
    public long Packets => PacketsSrc + PacketsDst;
    public long Bytes => BytesSrc + BytesDst;
}

/// <summary>Addresses as the sessions keep them: 128 bits, IPv4 mapped into ::ffff:0:0/96.</summary>
public static class SessionAddress
{
    private static readonly UInt128 MappedPrefix = new(0, 0x0000_FFFF_0000_0000UL);
    private static readonly UInt128 MappedMask = new(ulong.MaxValue, 0xFFFF_FFFF_0000_0000UL);

    public static bool IsV4(UInt128 address) => (address & MappedMask) == MappedPrefix;

    public static UInt128 FromV4(uint hostOrder) => MappedPrefix | hostOrder;

    public static UInt128 From(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            address.TryWriteBytes(bytes, out _);
            return FromV4(BinaryPrimitives.ReadUInt32BigEndian(bytes));
        }
        address.TryWriteBytes(bytes, out _);
        return BinaryPrimitives.ReadUInt128BigEndian(bytes);
    }

    public static UInt128 Parse(string text) => From(IPAddress.Parse(text));

    public static IPAddress ToIPAddress(UInt128 address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (IsV4(address))
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, (uint)address);
            return new IPAddress(bytes[..4]);
        }
        BinaryPrimitives.WriteUInt128BigEndian(bytes, address);
        return new IPAddress(bytes);
    }

    public static string ToText(UInt128 address) => ToIPAddress(address).ToString();

    /// <summary>Longest text <see cref="FormatUtf8"/> writes (an IPv6 address with an embedded IPv4 one).</summary>
    public const int MaxTextLength = 45;

    /// <summary>
    /// The address as <see cref="ToText"/> gives it, written as ASCII into <paramref name="utf8"/>; IPv4, the
    /// common case of a busy writer, without allocating.
    /// </summary>
    public static int FormatUtf8(UInt128 address, Span<byte> utf8)
    {
        if (!IsV4(address))
        {
            ToIPAddress(address).TryFormat(utf8, out var written);
            return written;
        }
        var v4 = (uint)address;
        var at = 0;
        for (var shift = 24; shift >= 0; shift -= 8)
        {
            var octet = (v4 >> shift) & 0xFF;
            if (octet >= 100) utf8[at++] = (byte)('0' + octet / 100);
            if (octet >= 10) utf8[at++] = (byte)('0' + octet / 10 % 10);
            utf8[at++] = (byte)('0' + octet % 10);
            if (shift != 0) utf8[at++] = (byte)'.';
        }
        return at;
    }

    /// <summary>The first and last address of a CIDR, in this 128-bit form (an IPv4 prefix counts from bit 96).</summary>
    public static (UInt128 First, UInt128 Last) Range(IPNetwork network)
    {
        var first = From(network.BaseAddress);
        var bits = network.BaseAddress.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork
            ? 96 + network.PrefixLength : network.PrefixLength;
        var host = bits >= 128 ? UInt128.Zero : UInt128.MaxValue >> bits;
        return (first & ~host, first | host);
    }
}

/// <summary>Names of the protocols, session states and TCP flags as the JSON Lines, the API and the filters spell them.</summary>
public static class SessionNames
{
    public static string Proto(byte proto) => proto switch
    {
        6 => "tcp",
        17 => "udp",
        1 => "icmp",
        58 => "icmp6",
        _ => proto.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    public static bool TryParseProto(string text, out byte proto)
    {
        switch (text.ToLowerInvariant())
        {
            case "tcp": proto = 6; return true;
            case "udp": proto = 17; return true;
            case "icmp": proto = 1; return true;
            case "icmp6": proto = 58; return true;
            default: return byte.TryParse(text, out proto);
        }
    }

    public static string Reason(SessionEnd reason) => reason switch
    {
        SessionEnd.Open => "open",
        SessionEnd.Closed => "closed",
        SessionEnd.Idle => "idle",
        SessionEnd.Evicted => "evicted",
        _ => "stopped",
    };

    public static SessionEnd ParseReason(string text) => text switch
    {
        "open" => SessionEnd.Open,
        "closed" => SessionEnd.Closed,
        "idle" => SessionEnd.Idle,
        "evicted" => SessionEnd.Evicted,
        _ => SessionEnd.Stopped,
    };

    /// <summary>TCP flags as tcpdump's letters, in the order of the bits: F S R P . U E W (. is ACK).</summary>
    public static string Flags(byte flags)
    {
        if (flags == 0) return "";
        Span<char> letters = stackalloc char[8];
        var n = 0;
        ReadOnlySpan<char> names = "FSRP.UEW";
        for (var bit = 0; bit < 8; bit++)
            if ((flags & (1 << bit)) != 0) letters[n++] = names[bit];
        return new string(letters[..n]);
    }

    public static byte ParseFlags(string text)
    {
        byte flags = 0;
        foreach (var c in text)
        {
            var bit = "FSRP.UEW".IndexOf(c);
            if (bit >= 0) flags |= (byte)(1 << bit);
        }
        return flags;
    }
}
