namespace Monitor.Storage.Anomalies;

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
/// </summary>
internal sealed class ShortTermScorer(AnomalyOptions options, string series)
{
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

    /// <summary>Scores a whole run of points with a fresh scorer.</summary>
    public static List<ScoredPoint> ScoreAll(AnomalyOptions options, string series, IEnumerable<SeriesPoint> points)
    {
        var scorer = new ShortTermScorer(options, series);
        var result = new List<ScoredPoint>();
        foreach (var p in points)
            if (scorer.TryAdd(p, out var s)) result.Add(s);
        return result;
    }
}
