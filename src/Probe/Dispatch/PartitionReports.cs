using Monitor.Probe.Reports;

namespace Monitor.Probe.Dispatch;

/// <summary>
/// The report set a partition's threads count into. Threads that split the tables fill different
/// tables of one set, so a partition needs one set per interval however many threads count it; at an
/// interval's end the first thread to get there rents the next set and the others take the same one.
/// </summary>
internal sealed class PartitionReports(Func<ReportSet> rent)
{
    private readonly object _gate = new();
    private long _boundary = -1;
    private ReportSet? _next;

    public ReportSet First { get; } = rent();

    /// <summary>The set for the interval after the boundary with this sequence number.</summary>
    public ReportSet After(long boundarySequence)
    {
        lock (_gate)
        {
            if (_boundary != boundarySequence)
            {
                _boundary = boundarySequence;
                _next = rent();
            }
            return _next!;
        }
    }
}
