using Monitor.Probe.Reports;

namespace Monitor.Probe.Merge;

/// <summary>What one worker counted up to a boundary: its second counters and, at an interval's end, its tables.</summary>
internal sealed record WorkerHandover(int Worker, Boundary Boundary, long[] Counters, ReportSet? Reports);
