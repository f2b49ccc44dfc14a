using System.Net;
using System.Runtime.CompilerServices;
using Monitor.Probe.Decode;

namespace Monitor.Probe.Reports;

/// <summary>
/// A set of addresses and CIDR blocks (v4 and v6) with a lock-free, allocation-free lookup: one hash
/// probe per distinct prefix length in the set. IPv4 blocks are stored in their IPv4-mapped form,
/// like <see cref="IpAddressKey"/>.
/// </summary>
public sealed class AddressSet
{
    private readonly (int Length, HashSet<IpAddressKey> Prefixes)[] _byLength;

    public static readonly AddressSet Empty = new([]);

    private AddressSet(IEnumerable<(IpAddressKey Network, int Length)> blocks)
    {
        _byLength = blocks
            .GroupBy(b => b.Length)
            .OrderByDescending(g => g.Key)
            .Select(g => (g.Key, g.Select(b => Mask(b.Network, g.Key)).ToHashSet()))
            .ToArray();
        Count = _byLength.Sum(g => g.Prefixes.Count);
    }

    /// <summary>Number of distinct blocks (single addresses count as blocks).</summary>
    public int Count { get; }

    public bool IsEmpty => _byLength.Length == 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Contains(IpAddressKey address)
    {
        foreach (var (length, prefixes) in _byLength)
            if (prefixes.Contains(Mask(address, length))) return true;
        return false;
    }

    /// <summary>Parses "192.0.2.0/24", "2001:db8::/32" or a bare address; throws FormatException naming the text.</summary>
    public static (IpAddressKey Network, int Length) ParseBlock(string text)
    {
        var trimmed = text.Trim();
        var slash = trimmed.IndexOf('/');
        var addressText = slash < 0 ? trimmed : trimmed[..slash];
        if (!IPAddress.TryParse(addressText, out var address))
            throw new FormatException($"'{text}' is not an IP address or CIDR block");
        var v4 = address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork;
        var max = v4 ? 32 : 128;
        var length = max;
        if (slash >= 0 && (!int.TryParse(trimmed[(slash + 1)..], out length) || length < 0 || length > max))
            throw new FormatException($"'{text}' has a prefix length outside 0..{max}");
        // IPv4 blocks live in the ::ffff:0:0/96 space.
        return (IpAddressKey.From(address), v4 ? length + 96 : length);
    }

    public static AddressSet Parse(IEnumerable<string> blocks) => new(blocks.Select(ParseBlock));

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static IpAddressKey Mask(IpAddressKey address, int length)
    {
        if (length >= 128) return address;
        if (length >= 64)
            return new IpAddressKey(address.High, length == 64 ? 0 : address.Low & ~(ulong.MaxValue >> (length - 64)));
        return new IpAddressKey(length == 0 ? 0 : address.High & ~(ulong.MaxValue >> length), 0);
    }
}
