using System.Numerics;
using System.Runtime.CompilerServices;
using Monitor.Probe.Decode;

namespace Monitor.Probe.Reports.Tables;

internal static class Hashing
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Mix(ulong h)
    {
        h ^= h >> 33;
        h *= 0xFF51AFD7ED558CCDUL;
        h ^= h >> 33;
        h *= 0xC4CEB9FE1A85EC53UL;
        return h ^ (h >> 33);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Fold(IpAddressKey ip) => ip.High * 0x9E3779B97F4A7C15UL ^ ip.Low;
}

/// <summary>
/// The table hashes of one packet, computed once when its slots are prefetched and used again when it
/// is counted a few packets later. Zero where a table does not see the packet.
/// </summary>
public struct PacketHashes
{
    public ulong Source;
    public ulong Destination;
    public ulong Flow;
    /// <summary>The scan table's first item (the destination in the packet's protocol dimension) and its table hash.</summary>
    public ulong ScanItem;
    public ulong ScanItemHash;
    /// <summary>Whether the scan table counts the packet (a probe), and the port dimension it counts in (-1: none).</summary>
    public bool IsScanProbe;
    public int ScanPortDimension;
}

/// <summary>One IP address.</summary>
internal readonly record struct HostKey(IpAddressKey Ip) : ITableKey<HostKey>
{
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Hash() => Hashing.Mix(Hashing.Fold(Ip));
}

/// <summary>A one-way flow: addresses, IP protocol and ports (ICMP: type and code).</summary>
internal readonly record struct FlowKey(IpAddressKey Source, IpAddressKey Destination, ushort SourcePort, ushort DestinationPort, byte Protocol)
    : ITableKey<FlowKey>, IComparable<FlowKey>
{
    /// <summary>Rows that tie on their figures: by addresses, protocol, then ports.</summary>
    public int CompareTo(FlowKey other)
    {
        var c = Source.CompareTo(other.Source);
        if (c == 0) c = Destination.CompareTo(other.Destination);
        if (c == 0) c = Protocol.CompareTo(other.Protocol);
        if (c == 0) c = SourcePort.CompareTo(other.SourcePort);
        return c != 0 ? c : DestinationPort.CompareTo(other.DestinationPort);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Hash() => Hashing.Mix(
        Hashing.Fold(Source) ^ BitOperations.RotateLeft(Hashing.Fold(Destination), 29)
        ^ ((ulong)SourcePort << 40 | (ulong)DestinationPort << 16 | Protocol) * 0x9E3779B97F4A7C15UL);
}

/// <summary>Two addresses in a fixed role order (a: the side that started, b: the other).</summary>
internal readonly record struct PairKey(IpAddressKey A, IpAddressKey B) : ITableKey<PairKey>, IComparable<PairKey>
{
    public int CompareTo(PairKey other)
    {
        var c = A.CompareTo(other.A);
        return c != 0 ? c : B.CompareTo(other.B);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Hash() => Hashing.Mix(Hashing.Fold(A) ^ BitOperations.RotateLeft(Hashing.Fold(B), 29));
}

/// <summary>An ICMP error: who emitted it, to whom, type and code (ICMPv6 when the addresses are v6).</summary>
internal readonly record struct IcmpErrorKey(IpAddressKey Emitter, IpAddressKey Target, byte Type, byte Code)
    : ITableKey<IcmpErrorKey>, IComparable<IcmpErrorKey>
{
    public int CompareTo(IcmpErrorKey other)
    {
        var c = Emitter.CompareTo(other.Emitter);
        if (c == 0) c = Target.CompareTo(other.Target);
        if (c == 0) c = Type.CompareTo(other.Type);
        return c != 0 ? c : Code.CompareTo(other.Code);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Hash() => Hashing.Mix(
        Hashing.Fold(Emitter) ^ BitOperations.RotateLeft(Hashing.Fold(Target), 29) ^ ((ulong)Type << 8 | Code));
}

/// <summary>A service as seen from the home network: protocol, service port, inside host, outside host.</summary>
internal readonly record struct ServiceKey(IpAddressKey Inside, IpAddressKey Outside, ushort Port, byte Protocol)
    : ITableKey<ServiceKey>, IComparable<ServiceKey>
{
    public int CompareTo(ServiceKey other)
    {
        var c = Inside.CompareTo(other.Inside);
        if (c == 0) c = Outside.CompareTo(other.Outside);
        if (c == 0) c = Port.CompareTo(other.Port);
        return c != 0 ? c : Protocol.CompareTo(other.Protocol);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Hash() => Hashing.Mix(
        Hashing.Fold(Inside) ^ BitOperations.RotateLeft(Hashing.Fold(Outside), 29) ^ ((ulong)Port << 8 | Protocol) * 0x9E3779B97F4A7C15UL);
}

/// <summary>
/// One distinct thing a source touched, a destination address or a port in one dimension, kept as a
/// 64-bit hash of the item with the dimension in its low three bits: the set only answers "seen before?",
/// so 24 bytes a key instead of 40 (two items collide with odds of about 2^-61).
/// </summary>
internal readonly record struct ItemKey(IpAddressKey Source, ulong Item) : ITableKey<ItemKey>
{
    public static ItemKey Of(IpAddressKey source, ulong high, ulong low, int dimension) =>
        new(source, (Hashing.Mix(high * 0x9E3779B97F4A7C15UL ^ low ^ ((ulong)dimension << 56)) & ~7UL) | (uint)dimension);

    public int Dimension => (int)(Item & 7);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong Hash() => Hashing.Mix(Hashing.Fold(Source) ^ BitOperations.RotateLeft(Item, 29));

    /// <summary>A hash of the item alone (what a source's sketch counts).</summary>
    public ulong ItemHash() => Item;
}

/// <summary>A set entry carries no value.</summary>
internal struct NoValue : ITableValue<NoValue>
{
    public readonly long Rank => 0;
    public readonly void Add(in NoValue other) { }
}
