namespace Monitor.Probe.Merge;

/// <summary>
/// The end of one second (and, when Interval is set, of an interval), sent through every worker's
/// queue so that all workers hand over the same packets. Source holds what the capture thread itself
/// counted in that second (libpcap counters, full queues).
/// </summary>
internal sealed record Boundary(long Sequence, DateTimeOffset Second, IntervalBounds? Interval, SourceCounts Source);

internal readonly record struct IntervalBounds(DateTimeOffset Start, DateTimeOffset End);

/// <summary>Counts the capture thread keeps: libpcap deltas (live) and worker queues that were full.</summary>
internal readonly record struct SourceCounts(
    long Received, long Dropped, long InterfaceDropped, long QueueFull, long QueueDroppedPackets)
{
    public static SourceCounts operator +(SourceCounts a, SourceCounts b) => new(
        a.Received + b.Received, a.Dropped + b.Dropped, a.InterfaceDropped + b.InterfaceDropped,
        a.QueueFull + b.QueueFull, a.QueueDroppedPackets + b.QueueDroppedPackets);
}
