using System.Runtime.CompilerServices;
using Monitor.Probe.Decode;
using Monitor.Probe.Reports;
using Monitor.Probe.Reports.Tables;
using Monitor.Probe.Sessions;

namespace Monitor.Probe.Dispatch;

/// <summary>
/// Counts each packet into a report set <see cref="Lookahead"/> packets after it was decoded, and
/// prefetches its table slots in between. The tables are larger than the CPU's caches, so a lookup
/// is mostly a wait on memory; this way the waits of several packets overlap. Counting order does
/// not change any figure (packets still reach each table, and the session table, in arrival order):
/// callers flush before an interval's tables change hands.
/// </summary>
public sealed class LookaheadCounter
{
    public const int Lookahead = 8;

    private readonly DecodedPacket[] _ring = new DecodedPacket[Lookahead];
    private readonly PacketHashes[] _hashes = new PacketHashes[Lookahead];
    private readonly ReportTables _tables;
    private readonly SessionTable? _sessions;
    private readonly ulong[] _sessionHashes = new ulong[Lookahead];
    private int _next;
    private int _pending;

    /// <summary>A counter that fills only <paramref name="tables"/> of the sets it is given.</summary>
    public LookaheadCounter(ReportTables tables = ReportTables.All) => _tables = tables;

    /// <summary>A counter that also counts every packet into <paramref name="sessions"/>, in packet order, prefetched the same way.</summary>
    internal LookaheadCounter(ReportTables tables, SessionTable? sessions)
    {
        _tables = tables;
        _sessions = sessions;
    }

    /// <summary>Where to decode the next packet; <see cref="Commit"/> it afterwards.</summary>
    public ref DecodedPacket Next => ref _ring[_next];

    /// <summary>Takes the packet decoded into <see cref="Next"/>, and counts the oldest one once the ring is full.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Commit(ReportSet reports)
    {
        ref var hashes = ref _hashes[_next];
        hashes = default;
        reports.Prefetch(_ring[_next], ref hashes, _tables);
        if (_sessions is { } sessions)
        {
            // Two steps: this packet's bucket now, and the entry of the packet half the ring older, whose
            // bucket has arrived meanwhile (a slot not yet filled holds an old hash: a wasted prefetch, no harm).
            _sessionHashes[_next] = sessions.PrefetchBucket(_ring[_next]);
            sessions.PrefetchEntry(_sessionHashes[(_next - Lookahead / 2) & (Lookahead - 1)]);
        }
        _next = (_next + 1) & (Lookahead - 1);
        if (++_pending < Lookahead) return;
        reports.Count(_ring[_next], _hashes[_next], _tables);
        _sessions?.Count(_ring[_next]);
        _pending--;
    }

    /// <summary>Counts every packet still waiting, oldest first.</summary>
    public void Flush(ReportSet reports)
    {
        for (var waiting = _pending; waiting > 0; waiting--)
        {
            var i = (_next - waiting) & (Lookahead - 1);
            reports.Count(_ring[i], _hashes[i], _tables);
            _sessions?.Count(_ring[i]);
        }
        _pending = 0;
    }
}
