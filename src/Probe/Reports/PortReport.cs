using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using Monitor.Probe.Decode;
using Monitor.Storage.Snapshots;

namespace Monitor.Probe.Reports;

/// <summary>TCP and UDP destination ports by packets and bytes: a flat array, exact, 2 MiB whatever the traffic.</summary>
internal sealed class PortReport
{
    private const int Ports = 65536;

    /// <summary>Packets and bytes side by side, so a packet touches one cache line.</summary>
    private struct PortCounts
    {
        public long Packets;
        public long Bytes;
    }

    // Index: port for TCP, Ports + port for UDP.
    private readonly PortCounts[] _counts = new PortCounts[2 * Ports];

    private static int Index(in DecodedPacket p) => p.Transport == Transport.Tcp ? p.DestinationPort : Ports + p.DestinationPort;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Count(in DecodedPacket p)
    {
        ref var counts = ref _counts[Index(p)];
        counts.Packets++;
        counts.Bytes += p.WireLength;
    }

    /// <summary>For TCP and UDP packets (the ones <see cref="Count"/> is called with).</summary>
    public unsafe void Prefetch(in DecodedPacket p)
    {
        if (Sse.IsSupported) Sse.Prefetch0(Unsafe.AsPointer(ref _counts[Index(p)]));
    }

    public void MergeFrom(PortReport other)
    {
        for (var i = 0; i < _counts.Length; i++)
        {
            _counts[i].Packets += other._counts[i].Packets;
            _counts[i].Bytes += other._counts[i].Bytes;
        }
    }

    public void Clear() => Array.Clear(_counts);

    public IReadOnlyList<ReportRow> Top(RowContext context)
    {
        var items = new List<int>();
        for (var i = 0; i < _counts.Length; i++)
            if (_counts[i].Packets > 0) items.Add(i);
        return context.TopRows(items,
            (a, b) =>
            {
                var c = _counts[b].Packets.CompareTo(_counts[a].Packets);
                if (c != 0) return c;
                c = _counts[b].Bytes.CompareTo(_counts[a].Bytes);
                return c != 0 ? c : a.CompareTo(b);
            },
            i =>
            [
                new("proto", i < Ports ? "tcp" : "udp"),
                new("port", (long)(i % Ports)),
                new("packets", _counts[i].Packets),
                new("bytes", _counts[i].Bytes),
            ]);
    }
}
