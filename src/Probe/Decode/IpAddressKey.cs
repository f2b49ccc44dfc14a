using System.Buffers.Binary;
using System.Net;

namespace Monitor.Probe.Decode;

/// <summary>
/// An IPv4 or IPv6 address as two 64-bit halves, so that table keys hash and compare without
/// allocation. IPv4 is kept as ::ffff:a.b.c.d, the IPv4-mapped form.
/// </summary>
public readonly record struct IpAddressKey(ulong High, ulong Low) : IComparable<IpAddressKey>
{
    private const ulong MappedPrefix = 0x0000_FFFF_0000_0000UL;

    public bool IsV4 => High == 0 && (Low & 0xFFFF_FFFF_0000_0000UL) == MappedPrefix;

    public static IpAddressKey FromV4(ReadOnlySpan<byte> address4) =>
        new(0, MappedPrefix | BinaryPrimitives.ReadUInt32BigEndian(address4));

    public static IpAddressKey FromV4(uint hostOrder) => new(0, MappedPrefix | hostOrder);

    public static IpAddressKey FromV6(ReadOnlySpan<byte> address16) =>
        new(BinaryPrimitives.ReadUInt64BigEndian(address16), BinaryPrimitives.ReadUInt64BigEndian(address16[8..]));

    public static IpAddressKey From(IPAddress address)
    {
        Span<byte> bytes = stackalloc byte[16];
        if (address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
        {
            address.TryWriteBytes(bytes, out _);
            return FromV4(bytes[..4]);
        }
        address.TryWriteBytes(bytes, out _);
        return FromV6(bytes);
    }

    public static IpAddressKey Parse(string text) => From(IPAddress.Parse(text));

    public uint V4 => (uint)Low;

    public IPAddress ToIPAddress()
    {
        Span<byte> bytes = stackalloc byte[16];
        if (IsV4)
        {
            BinaryPrimitives.WriteUInt32BigEndian(bytes, V4);
            return new IPAddress(bytes[..4]);
        }
        BinaryPrimitives.WriteUInt64BigEndian(bytes, High);
        BinaryPrimitives.WriteUInt64BigEndian(bytes[8..], Low);
        return new IPAddress(bytes);
    }

    public override string ToString() => ToIPAddress().ToString();

    /// <summary>A well-mixed 64-bit hash; the same for (a, b) and (b, a) when combined with XOR.</summary>
    public ulong Mix()
    {
        var h = High * 0x9E3779B97F4A7C15UL ^ Low;
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53UL;
        return h ^ (h >> 33);
    }

    /// <summary>Numeric order, v4 (mapped) before v6: the stable tie-break of every report.</summary>
    public int CompareTo(IpAddressKey other)
    {
        var byHigh = High.CompareTo(other.High);
        return byHigh != 0 ? byHigh : Low.CompareTo(other.Low);
    }
}
