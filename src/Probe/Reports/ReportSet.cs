using Monitor.Probe.Decode;
using Monitor.Storage.Snapshots;

namespace Monitor.Probe.Reports;

/// <summary>
/// All report tables of one worker for one interval. Each worker owns one set and counts into it
/// without locks; at the interval's end the sets are merged once and the top-N lists built.
/// </summary>
public sealed class ReportSet(ReportOptions options)
{
    private readonly TalkerReport _talkers = new();

    public ReportOptions Options { get; } = options;

    public void Count(in DecodedPacket packet)
    {
        if (!packet.IsIp) return;
        _talkers.Count(packet);
    }

    /// <summary>Adds another worker's tables into this one.</summary>
    public void MergeFrom(ReportSet other) => _talkers.MergeFrom(other._talkers);

    public ReportResults Build(TimeSpan duration)
    {
        var reports = new Dictionary<string, IReadOnlyList<ReportRow>>
        {
            ["talkers"] = _talkers.Top(Options.Top),
        };
        return new ReportResults(reports, new Dictionary<string, double>());
    }

    public void Clear() => _talkers.Clear();
}

/// <summary>The built reports of an interval and the series they add (max UDP weight, ICMP errors, ...).</summary>
public sealed record ReportResults(
    IReadOnlyDictionary<string, IReadOnlyList<ReportRow>> Reports,
    IReadOnlyDictionary<string, double> Metrics);
