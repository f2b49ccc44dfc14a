using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;
using Monitor.Probe.Decode;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Probe.Reports;

/// <summary>
/// TCP and UDP destination ports by packets and bytes: a flat array, exact, 2 MiB whatever the traffic.
/// The ports in use are listed as they are first counted, so merging, clearing and ranking cost what the
/// interval touched, not the whole array: a quiet interval of a day-long capture costs next to nothing.
/// </summary>
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
    private readonly PortCounts[] _counts = Tables.WrittenArray.New<PortCounts>(2 * Ports);
    // Indexes of _counts with packets, in the order first counted; at most every index once.
    private readonly List<int> _used = new();

    private static int Index(in DecodedPacket p) => p.Transport == Transport.Tcp ? p.DestinationPort : Ports + p.DestinationPort;

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Count(in DecodedPacket p)
    {
        var index = Index(p);
        ref var counts = ref _counts[index];
        if (counts.Packets == 0) _used.Add(index);
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
        foreach (var i in other._used)
        {
            ref var counts = ref _counts[i];
            if (counts.Packets == 0) _used.Add(i);
            counts.Packets += other._counts[i].Packets;
            counts.Bytes += other._counts[i].Bytes;
        }
    }

    public void Clear()
    {
        foreach (var i in _used) _counts[i] = default;
        _used.Clear();
    }

    public IReadOnlyList<ReportRow> Top(RowContext context)
    {
        return context.TopRows(_used,
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
