using System.Runtime.CompilerServices;
using Monitor.Probe.Decode;
using Monitor.Storage.Model.Metrics;

namespace Monitor.Probe.Counting;

/// <summary>
/// Slot layout of the basic counters (issue 2) in a flat long[]: workers add into their own array
/// without locks, the merger sums arrays element-wise. User BPF graph lines follow the fixed slots.
/// </summary>
internal static class CounterSlots
{
    public const int Packets = 0;
    public const int Bytes = 1;
    public const int Malformed = 2;
    public const int L3 = 3;                  // ipv4, ipv6, arp, other
    public const int ProtocolPackets = 7;     // tcp, udp, icmp, icmpv6, other
    public const int ProtocolBytes = 12;
    public const int Size = 17;               // le100, 101_500, 501_1000, gt1000
    public const int Cast = 21;               // unicast, multicast, broadcast
    public const int Syn = 24;
    public const int IcmpErrors = 25;
    /// <summary>Flow keys first seen in the second (from the flow table, not counted per packet here).</summary>
    public const int NewFlows = 26;
    public const int Fixed = 27;

    public static readonly string[] L3Names = ["ipv4", "ipv6", "arp", "other"];
    public static readonly string[] SizeNames = ["le100", "101_500", "501_1000", "gt1000"];
    public static readonly string[] CastNames = ["unicast", "multicast", "broadcast"];

    /// <summary>Index into the protocol slots, in <see cref="MetricCatalog.Protocols"/> order; -1 for non-IP.</summary>
    public static int Protocol(Transport transport) => transport switch
    {
        Transport.Tcp => 0,
        Transport.Udp => 1,
        Transport.Icmp => 2,
        Transport.IcmpV6 => 3,
        Transport.Other => 4,
        _ => -1,
    };

    public static int Layer(NetworkLayer layer) => layer switch
    {
        NetworkLayer.IPv4 => 0,
        NetworkLayer.IPv6 => 1,
        NetworkLayer.Arp => 2,
        _ => 3,
    };

    public static int SizeBucket(int wireLength) => wireLength switch
    {
        <= 100 => 0,
        <= 500 => 1,
        <= 1000 => 2,
        _ => 3,
    };

    /// <summary>Adds one decoded packet to the basic counters.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Count(long[] counters, in DecodedPacket packet)
    {
        counters[Packets]++;
        counters[Bytes] += packet.WireLength;
        if (packet.Malformed) counters[Malformed]++;
        counters[L3 + Layer(packet.Layer)]++;
        var protocol = Protocol(packet.Transport);
        if (protocol >= 0)
        {
            counters[ProtocolPackets + protocol]++;
            counters[ProtocolBytes + protocol] += packet.WireLength;
        }
        counters[Size + SizeBucket(packet.WireLength)]++;
        counters[Cast + (int)packet.Cast]++;
        if (packet.Transport == Transport.Tcp && (packet.TcpFlags & (TcpFlags.Syn | TcpFlags.Ack)) == TcpFlags.Syn)
            counters[Syn]++;
        if (packet.IsIcmpError) counters[IcmpErrors]++;
    }

    public static void Add(long[] into, long[] from)
    {
        for (var i = 0; i < into.Length; i++) into[i] += from[i];
    }
}
