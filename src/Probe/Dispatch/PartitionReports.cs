using Monitor.Probe.Reports;

namespace Monitor.Probe.Dispatch;

/// <summary>
/// The report set a partition's threads count into. Threads that split the tables fill different
/// tables of one set, so a partition needs one set per interval however many threads count it; at an
/// interval's end the first thread to get there rents the next set and the others take the same one.
/// Threads may be intervals apart (offline, one may race ahead while the other counts a busy interval),
/// so the sets are kept by boundary until every thread has taken its own.
/// </summary>
internal sealed class PartitionReports
{
    private readonly Func<ReportSet> _rent;
    private readonly int _threads;
    private readonly Lock _gate = new();
    private readonly Dictionary<long, Next> _next = new();

    /// <param name="rent">Gives a set, waiting while every set is in use (see <see cref="ReportSetPool"/>).</param>
    /// <param name="threads">Threads that count this partition and call <see cref="After"/> once per interval.</param>
    public PartitionReports(Func<ReportSet> rent, int threads = 1)
    {
        _rent = rent;
        _threads = threads;
        First = rent();
    }

    public ReportSet First { get; }

    /// <summary>The set for the interval after the boundary with this sequence number.</summary>
    public ReportSet After(long boundarySequence)
    {
        Next next;
        lock (_gate)
        {
            if (!_next.TryGetValue(boundarySequence, out next!)) _next[boundarySequence] = next = new Next();
            if (++next.Taken == _threads) _next.Remove(boundarySequence);
        }
        // Rented outside the partition's lock: renting may wait for the merger, which waits for a thread
        // behind this one, which must still get to its own set.
        lock (next) return next.Set ??= _rent();
    }

    private sealed class Next
    {
        public int Taken;
        public ReportSet? Set;
    }
}
