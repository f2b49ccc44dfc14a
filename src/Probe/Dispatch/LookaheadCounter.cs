using System.Runtime.CompilerServices;
using Monitor.Probe.Decode;
using Monitor.Probe.Reports;
using Monitor.Probe.Reports.Tables;
using Monitor.Probe.Sessions;

namespace Monitor.Probe.Dispatch;

/// <summary>
/// Counts each packet of a run of decoded packets into a report set <see cref="Lookahead"/> packets
/// after prefetching its table slots. The tables are larger than the CPU's caches, so a lookup is
/// mostly a wait on memory; this way the waits of several packets overlap. Counting order does not
/// change any figure (packets still reach each table, and the session table, in arrival order):
/// callers flush at the end of each run, before an interval's tables change hands.
/// </summary>
public sealed class LookaheadCounter
{
    public const int Lookahead = 8;
    private const int Mask = Lookahead - 1;

    private readonly PacketHashes[] _hashes = new PacketHashes[Lookahead];
    private readonly ReportTables _tables;
    private readonly SessionTable? _sessions;
    private readonly ulong[] _sessionHashes = new ulong[Lookahead];
    private int _pending;

    /// <summary>A counter that fills only <paramref name="tables"/> of the sets it is given.</summary>
    public LookaheadCounter(ReportTables tables = ReportTables.All) => _tables = tables;

    /// <summary>A counter that also counts every packet into <paramref name="sessions"/>, in packet order, prefetched the same way.</summary>
    internal LookaheadCounter(ReportTables tables, SessionTable? sessions)
    {
        _tables = tables;
        _sessions = sessions;
    }

    /// <summary>
    /// Prefetches for <c>packets[index]</c> and counts the packet <see cref="Lookahead"/> − 1 before it once
    /// that many wait. Indexes of one run are consecutive; <see cref="Flush"/> ends the run.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Commit(ReportSet reports, ReadOnlySpan<DecodedPacket> packets, int index)
    {
        var slot = index & Mask;
        ref var hashes = ref _hashes[slot];
        hashes = default;
        ref readonly var packet = ref packets[index];
        reports.Prefetch(packet, ref hashes, _tables);
        if (_sessions is { } sessions)
        {
            // Two steps: this packet's bucket now, and the entry of the packet half the ring older, whose
            // bucket has arrived meanwhile (a slot not yet filled in this run holds an old hash: a wasted prefetch, no harm).
            _sessionHashes[slot] = sessions.PrefetchBucket(packet);
            sessions.PrefetchEntry(_sessionHashes[(index - Lookahead / 2) & Mask]);
        }
        if (++_pending < Lookahead) return;
        var oldest = index - (Lookahead - 1);
        reports.Count(packets[oldest], _hashes[oldest & Mask], _tables);
        _sessions?.Count(packets[oldest], _sessionHashes[oldest & Mask]);
        _pending--;
    }

    /// <summary>Counts every packet of the run still waiting, oldest first; <paramref name="end"/> is one past the run's last index.</summary>
    public void Flush(ReportSet reports, ReadOnlySpan<DecodedPacket> packets, int end)
    {
        for (var waiting = _pending; waiting > 0; waiting--)
        {
            var i = end - waiting;
            reports.Count(packets[i], _hashes[i & Mask], _tables);
            _sessions?.Count(packets[i], _sessionHashes[i & Mask]);
        }
        _pending = 0;
    }
}
