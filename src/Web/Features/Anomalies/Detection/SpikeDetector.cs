using Monitor.Storage.Model;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Web.Features.Anomalies.Detection;

/// <summary>One series of one day: every point with its expected band, and the spikes that started that day.</summary>
public sealed record SeriesAnalysis(string Series, IReadOnlyList<ScoredPoint> Points, IReadOnlyList<Spike> Spikes);

/// <summary>What the detector makes of one probe's day (UTC midnight to midnight).</summary>
public sealed record DayAnalysis(string Probe, DateOnly Day, IReadOnlyList<SeriesAnalysis> Series)
{
    public IEnumerable<Spike> Spikes => Series.SelectMany(s => s.Spikes).OrderBy(s => s.Start).ThenBy(s => s.Series, StringComparer.Ordinal);
}

/// <summary>
/// Finds the spikes of any stored day from the store alone, with the same scoring, k-of-w rule and
/// seasonal classification as <see cref="IncrementalSpikeDetector"/>, so recomputing a day rewrites
/// the same events (same Ids) that were written as the data arrived.
/// </summary>
public sealed class SpikeDetector(IMonitorStore store, AnomalyOptions options)
{
    /// <summary>
    /// Scoring starts this long before midnight so that the first points of the day are fully scored, and a capture
    /// that started within the window before midnight is seen to start there (its first window scored against itself).
    /// </summary>
    private TimeSpan LeadIn => options.ShortTermWindow * 2 + options.Interval * (options.FailuresW * 2 + 2);

    public AnomalyOptions Options => options;

    public static (DateTimeOffset From, DateTimeOffset To) DayRange(DateOnly day)
    {
        var from = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        return (from, from.AddDays(1));
    }

    public async Task<DayAnalysis> AnalyzeDayAsync(string probe, DateOnly day, CancellationToken cancellationToken = default)
    {
        var (dayStart, dayEnd) = DayRange(day);
        var result = new List<SeriesAnalysis>();
        foreach (var series in options.EffectiveSeries)
        {
            var loader = StoreSeries.Loader(store, options, probe, series);
            var points = await loader(dayStart - LeadIn, dayEnd + options.ShortTermWindow, cancellationToken).ConfigureAwait(false);
            var scored = ShortTermScorer.ScoreAll(options, series, points, coveredFrom: dayStart - LeadIn);

            var tracker = new FailuresTracker(options);
            var windows = new List<SpikeWindow>();
            foreach (var p in scored)
                if (tracker.Add(p) is { Open: false } closed) windows.Add(closed);
            if (tracker.IsOpen && tracker.Current is { } open) windows.Add(open);

            var spikes = new List<Spike>();
            foreach (var w in windows.Where(w => w.Start >= dayStart && w.Start < dayEnd))
            {
                var season = await SeasonalClassifier.CollectAsync(options, series, w.Start, loader, cancellationToken).ConfigureAwait(false);
                spikes.Add(Classified(probe, series, w, season));
            }
            result.Add(new SeriesAnalysis(series, scored.Where(p => p.Time >= dayStart && p.Time < dayEnd).ToList(), spikes));
        }
        return new DayAnalysis(probe, day, result);
    }

    /// <summary>Recomputes the day for one probe or every probe the store knows and writes the spikes as events.</summary>
    public async Task<IReadOnlyList<Spike>> RecomputeDayAsync(DateOnly day, string? probe = null, CancellationToken cancellationToken = default)
    {
        var probes = probe is not null
            ? [probe]
            : (await store.QueryProbesAsync(cancellationToken).ConfigureAwait(false)).Select(p => p.Probe).ToList();
        var all = new List<Spike>();
        foreach (var p in probes)
        {
            var analysis = await AnalyzeDayAsync(p, day, cancellationToken).ConfigureAwait(false);
            all.AddRange(analysis.Spikes);
        }
        if (all.Count > 0)
            await store.WriteEventsAsync(all.Select(s => s.ToEvent()).ToList(), cancellationToken).ConfigureAwait(false);
        return all;
    }

    internal static Spike Classified(string probe, string series, SpikeWindow w, SeasonalEvidence season, AnomalyOptions options) =>
        new(probe, series, w.Start, w.End, w.PeakTime, w.Peak, w.Baseline, w.Score, SeasonalClassifier.Kind(options, season), season, w.Open);

    private Spike Classified(string probe, string series, SpikeWindow w, SeasonalEvidence season) =>
        Classified(probe, series, w, season, options);
}
