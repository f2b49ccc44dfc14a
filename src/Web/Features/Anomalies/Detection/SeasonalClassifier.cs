namespace Monitor.Web.Features.Anomalies.Detection;

/// <summary>Loads one series' points of one probe in [from, to).</summary>
public delegate Task<IReadOnlyList<SeriesPoint>> SeriesLoader(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken);

/// <summary>
/// The seasonal side: for a spike starting at S, looks at S − 1 day, S − 2 days, ... (within the
/// tolerance) and counts the earlier days that had a spike there (at least K failing points, each scored
/// against that day's own hour before). The maxima of those windows give the expected peak for this
/// time of day (median) and its spread (MAD), hence the seasonal score.
/// </summary>
internal static class SeasonalClassifier
{
    public static async Task<SeasonalEvidence> CollectAsync(
        AnomalyOptions options, string series, DateTimeOffset start, SeriesLoader load, CancellationToken cancellationToken)
    {
        int compared = 0, seen = 0;
        var maxima = new List<double>();
        for (var k = 1; k <= options.SeasonDays; k++)
        {
            var center = start - TimeSpan.FromDays(k);
            var from = center - options.SeasonTolerance;
            var to = center + options.SeasonTolerance;
            var points = await load(from - options.ShortTermWindow - options.Interval, to + options.Interval, cancellationToken).ConfigureAwait(false);
            var scored = ShortTermScorer.ScoreAll(options, series, points);
            var inWindow = scored.Where(p => p.Time >= from && p.Time <= to).ToList();
            if (inWindow.Count == 0) continue;
            compared++;
            maxima.Add(inWindow.Max(p => p.Value));
            if (inWindow.Count(p => p.Fails(options.Threshold)) >= options.FailuresK) seen++;
        }
        if (compared == 0) return SeasonalEvidence.None;

        var values = maxima.ToArray();
        var median = RobustStats.Median(values.AsSpan());
        var mad = RobustStats.Mad(maxima, median, new double[maxima.Count]);
        var scale = Math.Max(RobustStats.MadToSigma * mad,
            Math.Max(options.RelativeFloor * Math.Abs(median), CoreSeries.AbsoluteFloor(series)));
        return new SeasonalEvidence(compared, seen, median, scale);
    }

    public static SpikeKind Kind(AnomalyOptions options, SeasonalEvidence evidence) =>
        evidence.DaysSeen >= options.RecurringMinDays ? SpikeKind.Recurring : SpikeKind.New;
}
