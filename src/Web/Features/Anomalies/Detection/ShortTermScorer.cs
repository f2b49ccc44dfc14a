namespace Monitor.Web.Features.Anomalies.Detection;

/// <summary>One value of a series over [Time, End).</summary>
public readonly record struct SeriesPoint(DateTimeOffset Time, DateTimeOffset End, double Value);

/// <summary>
/// A point with its short-term score: the median of the hour before it (Baseline), the robust spread
/// (Scale, from the MAD with floors) and Score = (Value − Baseline) / Scale. Unscored points (too little
/// history before them) have Scored = false.
/// </summary>
public readonly record struct ScoredPoint(
    DateTimeOffset Time, DateTimeOffset End, double Value, double Baseline, double Scale, double Score, bool Scored)
{
    public bool Fails(double threshold) => Scored && Score > threshold;

    /// <summary>The top of the expected band: above it a point fails.</summary>
    public double Upper(double threshold) => Baseline + threshold * Scale;

    public double Lower(double threshold) => Math.Max(0, Baseline - threshold * Scale);
}

/// <summary>
/// Scores each new point of one series against the points of the window before it (rolling median and
/// MAD). Points must come in time order; a point no later than the previous one is refused. A point is
/// scored only once the fed data covers its whole window, so a detector started at any moment scores a
/// given point exactly as one that ran all along.
/// <para>
/// The start of data is scored too (<see cref="Add"/>): a point with no data in the whole window before it (the
/// feed covering that window, from <paramref name="coveredFrom"/> on) starts a capture, and the points of the
/// window from it, which have no hour before them, are scored against that first window's own median and MAD
/// once the feed has all of it. Incidents that open a capture are found, and where the feed starts does not
/// change any score.
/// </para>
/// </summary>
internal sealed class ShortTermScorer(AnomalyOptions options, string series, DateTimeOffset? coveredFrom = null)
{
    /// <summary>Fewest points of a capture's first window for them to be scored against it.</summary>
    private const int MinimumStartPoints = 3;

    private readonly List<SeriesPoint> _startPoints = [];
    private DateTimeOffset? _dataStart;
    private readonly Queue<SeriesPoint> _window = new();
    private readonly List<double> _sorted = [];
    private readonly double _absoluteFloor = CoreSeries.AbsoluteFloor(series);
    private double[] _scratch = new double[256];
    private DateTimeOffset? _first;
    private DateTimeOffset? _last;

    public DateTimeOffset? LastTime => _last;

    public bool TryAdd(SeriesPoint point, out ScoredPoint scored)
    {
        scored = default;
        if (double.IsNaN(point.Value) || (_last is { } last && point.Time <= last)) return false;
        _first ??= point.Time;
        _last = point.Time;

        var windowStart = point.Time - options.ShortTermWindow;
        while (_window.Count > 0 && _window.Peek().Time < windowStart) Remove(_window.Dequeue().Value);

        if (windowStart >= _first && _sorted.Count >= options.MinimumWindowPoints)
        {
            var median = RobustStats.MedianOfSorted(_sorted);
            if (_scratch.Length < _sorted.Count) _scratch = new double[_sorted.Count * 2];
            var mad = RobustStats.Mad(_sorted, median, _scratch);
            var scale = Math.Max(RobustStats.MadToSigma * mad, Math.Max(options.RelativeFloor * Math.Abs(median), _absoluteFloor));
            scored = new ScoredPoint(point.Time, point.End, point.Value, median, scale, (point.Value - median) / scale, true);
        }
        else
        {
            scored = new ScoredPoint(point.Time, point.End, point.Value, double.NaN, double.NaN, 0, false);
        }

        _window.Enqueue(point);
        Insert(point.Value);
        return true;
    }

    /// <summary>
    /// Adds a point and appends to <paramref name="scored"/> the points that can now be scored, in time order: at
    /// the start of a capture they wait until its first window is complete (<see cref="FlushCovered"/>).
    /// </summary>
    public bool Add(SeriesPoint point, List<ScoredPoint> scored)
    {
        if (double.IsNaN(point.Value) || (_last is { } last && point.Time <= last)) return false;
        var window = options.ShortTermWindow;
        var startsData = _last is { } previous
            ? point.Time - previous > window
            : coveredFrom is { } covered && point.Time - window >= covered;
        if (startsData)
        {
            FlushStart(scored);
            _dataStart = point.Time;
        }
        TryAdd(point, out var own);
        if (_dataStart is { } start && point.Time < start + window)
        {
            _startPoints.Add(point);
            return true;
        }
        FlushStart(scored);
        scored.Add(own);
        return true;
    }

    /// <summary>Scores a capture's first window once the fed data reaches its end (the store holds all of it).</summary>
    public void FlushCovered(DateTimeOffset until, List<ScoredPoint> scored)
    {
        if (_dataStart is { } start && until >= start + options.ShortTermWindow) FlushStart(scored);
    }

    /// <summary>Scores the waiting first-window points against their own median and MAD (with the usual floors).</summary>
    private void FlushStart(List<ScoredPoint> scored)
    {
        if (_startPoints.Count == 0) return;
        var values = _startPoints.Select(p => p.Value).Order().ToList();
        var median = RobustStats.MedianOfSorted(values);
        var mad = RobustStats.Mad(values, median, new double[values.Count]);
        var scale = Math.Max(RobustStats.MadToSigma * mad, Math.Max(options.RelativeFloor * Math.Abs(median), _absoluteFloor));
        var enough = values.Count >= MinimumStartPoints;
        foreach (var p in _startPoints)
            scored.Add(enough
                ? new ScoredPoint(p.Time, p.End, p.Value, median, scale, (p.Value - median) / scale, true)
                : new ScoredPoint(p.Time, p.End, p.Value, double.NaN, double.NaN, 0, false));
        _startPoints.Clear();
    }

    private void Insert(double value)
    {
        var i = _sorted.BinarySearch(value);
        _sorted.Insert(i < 0 ? ~i : i, value);
    }

    private void Remove(double value)
    {
        var i = _sorted.BinarySearch(value);
        if (i >= 0) _sorted.RemoveAt(i);
    }

    /// <summary>
    /// Scores a whole run of points with a fresh scorer; with <paramref name="coveredFrom"/> (the points are all the
    /// store has from then on) a capture starting inside the run has its first window scored as well.
    /// </summary>
    public static List<ScoredPoint> ScoreAll(AnomalyOptions options, string series, IEnumerable<SeriesPoint> points,
        DateTimeOffset? coveredFrom = null)
    {
        var scorer = new ShortTermScorer(options, series, coveredFrom);
        var result = new List<ScoredPoint>();
        foreach (var p in points) scorer.Add(p, result);
        scorer.FlushStart(result);
        return result;
    }
}
