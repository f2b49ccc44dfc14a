namespace Monitor.Web.Features.Anomalies.Detection;

/// <summary>The extent of a spike as the k-of-w rule saw it, before it is classified.</summary>
public sealed record SpikeWindow(
    DateTimeOffset Start, DateTimeOffset End, DateTimeOffset PeakTime, double Peak, double Baseline, double Scale, double Score, bool Open);

/// <summary>
/// RRDtool's FAILURES rule over scored points: a spike opens when at least K of the last W points fail,
/// starting at the first failing point among them, and closes after W points in a row without a failure. A single
/// failing point above <see cref="AnomalyOptions.OutsizedFactor"/> times its baseline (and spread) opens one alone.
/// </summary>
internal sealed class FailuresTracker(AnomalyOptions options)
{
    private readonly Queue<ScoredPoint> _recent = new();
    private ScoredPoint _first;
    private ScoredPoint _lastFailing;
    private ScoredPoint _peak;
    private bool _open;

    public bool IsOpen => _open;

    /// <summary>The spike as it stands (open or just closed); null when none is tracked.</summary>
    public SpikeWindow? Current { get; private set; }

    /// <summary>Adds a point; returns the spike window when one opens or closes with this point.</summary>
    public SpikeWindow? Add(ScoredPoint point)
    {
        var threshold = options.Threshold;
        _recent.Enqueue(point);
        if (_recent.Count > options.FailuresW) _recent.Dequeue();

        if (!_open)
        {
            var failing = _recent.Count(p => p.Fails(threshold));
            // A jump of orders of magnitude (UDP weight 1.8e9 against 0) is a spike even when it lasts one interval.
            if (failing < options.FailuresK && !Outsized(point)) return null;
            _open = true;
            _first = _recent.First(p => p.Fails(threshold));
            _peak = _first;
            foreach (var p in _recent.Where(p => p.Fails(threshold)))
            {
                _lastFailing = p;
                if (p.Value > _peak.Value) _peak = p;
            }
            return Current = Window(open: true);
        }

        if (point.Fails(threshold))
        {
            _lastFailing = point;
            if (point.Value > _peak.Value) _peak = point;
            Current = Window(open: true);
            return null;
        }

        if (_recent.Count == options.FailuresW && !_recent.Any(p => p.Fails(threshold)))
        {
            _open = false;
            return Current = Window(open: false);
        }
        return null;
    }

    private bool Outsized(ScoredPoint point) =>
        point.Fails(options.Threshold) && point.Value - point.Baseline >= options.OutsizedFactor * Math.Max(Math.Abs(point.Baseline), point.Scale);

    private SpikeWindow Window(bool open) => new(
        _first.Time, _lastFailing.End, _peak.Time, _peak.Value, _first.Baseline, _first.Scale,
        (_peak.Value - _first.Baseline) / _first.Scale, open);
}
