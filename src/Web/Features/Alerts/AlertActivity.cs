namespace Monitor.Web.Features.Alerts;

/// <summary>One alert or resolution as listed on the Alerts page.</summary>
public sealed record AlertRecord(
    DateTimeOffset Time,
    string Kind,
    string Rule,
    string Severity,
    string Probe,
    DateTimeOffset IntervalStart,
    DateTimeOffset IntervalEnd,
    string Summary,
    string? DrillDown,
    IReadOnlyList<EvidenceLink> Evidence,
    IReadOnlyList<RecordedPackets> Recorded);

/// <summary>What the evaluation loop last did, shared with the page and the API (immutable swaps).</summary>
public sealed class AlertActivity
{
    public const int RecentCapacity = 200;

    private readonly Lock _lock = new();
    private List<AlertRecord> _recent = [];

    public IReadOnlyList<RuleState> States { get; private set; } = [];
    public DateTimeOffset? LastRound { get; private set; }
    public int IntervalsEvaluated { get; private set; }
    public string? LastError { get; private set; }

    public IReadOnlyList<AlertRecord> Recent
    {
        get
        {
            lock (_lock) return _recent;
        }
    }

    public void Add(IEnumerable<AlertRecord> records)
    {
        lock (_lock)
            _recent = records.Reverse().Concat(_recent).Take(RecentCapacity).ToList();
    }

    public void RoundDone(DateTimeOffset at, int intervals, IReadOnlyList<RuleState> states)
    {
        LastRound = at;
        IntervalsEvaluated += intervals;
        States = states;
        LastError = null;
    }

    public void Failed(string error) => LastError = error;
}
