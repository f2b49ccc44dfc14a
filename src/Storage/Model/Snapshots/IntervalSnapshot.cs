namespace Monitor.Storage.Model.Snapshots;

/// <summary>
/// Everything one probe measured in one closed interval: the unit that crosses from the probe
/// to every sink (JSON lines, stores, live feed). Writes are idempotent per (Probe, Start).
/// </summary>
public sealed record IntervalSnapshot
{
    public required string Probe { get; init; }
    public required DateTimeOffset Start { get; init; }
    public required DateTimeOffset End { get; init; }

    public long Packets { get; init; }
    /// <summary>Original wire length, as tshark's frame.len.</summary>
    public long Bytes { get; init; }
    public long Malformed { get; init; }

    /// <summary>Keys: tcp, udp, icmp, icmpv6, other (by the outermost IP header).</summary>
    public IReadOnlyDictionary<string, TrafficCount> Protocols { get; init; } = Empty.Counts;

    /// <summary>
    /// Interval values of every graphed series, by metric name (see <see cref="Metrics.MetricCatalog"/>):
    /// rates per second for counters, plain values for gauges such as udp.max_weight.
    /// </summary>
    public IReadOnlyDictionary<string, double> Metrics { get; init; } = Empty.Values;

    /// <summary>Top-N reports by their fixed JSON names (talkers, flows, syn, udp, ...).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<ReportRow>> Reports { get; init; } = Empty.Reports;

    /// <summary>The 1-second points of the basic counters inside this interval, for live graphs.</summary>
    public IReadOnlyList<SecondPoint> Seconds { get; init; } = [];

    public TimeSpan Duration => End - Start;
}

/// <summary>A packet and byte count pair.</summary>
public readonly record struct TrafficCount(long Packets, long Bytes);

/// <summary>One second of the basic counters; Metrics holds per-second values by metric name.</summary>
public sealed record SecondPoint(string Probe, DateTimeOffset Time, IReadOnlyDictionary<string, double> Metrics);

internal static class Empty
{
    public static readonly IReadOnlyDictionary<string, TrafficCount> Counts = new Dictionary<string, TrafficCount>();
    public static readonly IReadOnlyDictionary<string, double> Values = new Dictionary<string, double>();
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<ReportRow>> Reports =
        new Dictionary<string, IReadOnlyList<ReportRow>>();
}
