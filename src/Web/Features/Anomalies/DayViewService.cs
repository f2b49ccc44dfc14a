using System.Diagnostics;
using System.Globalization;
using Monitor.Web.Features.Anomalies.Detection;
using Monitor.Storage.Model;
using Monitor.Storage.Model.Queries;
using Monitor.Storage.Model.Snapshots;

namespace Monitor.Web.Features.Anomalies;

/// <summary>One probe's day as the day page shows it: every core series with its band, and the day's spikes.</summary>
public sealed record DayView(DateOnly Day, string? Probe, IReadOnlyList<string> Probes, DayAnalysis? Analysis, TimeSpan Elapsed)
{
    public IReadOnlyList<Spike> Spikes { get; } = Analysis?.Spikes.ToList() ?? [];

    /// <summary>Days of the shown day's month that had a new spike (the calendar): stored spike events, and this day's own analysis.</summary>
    public IReadOnlyList<DateOnly> NewSpikeDays { get; init; } = [];
}

/// <summary>
/// Reads a day through the detector; shared by the day page and /api/days. A day's analysis is kept for
/// a few seconds so that the page's prerender and its interactive render share one computation.
/// </summary>
public sealed class DayViewService(IMonitorStore store, SpikeDetector detector, TimeProvider clock)
{
    private static readonly TimeSpan Reuse = TimeSpan.FromSeconds(20);
    private readonly System.Collections.Concurrent.ConcurrentDictionary<(DateOnly, string), (DateTimeOffset At, Task<DayAnalysis> Analysis)> _recent = new();

    public AnomalyOptions Options => detector.Options;

    public static DateOnly ParseDay(string? text)
    {
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day)) return day;
        var shown = text is null ? "" : text.Length <= 40 ? text : text[..40] + "…";
        throw new StoreQueryException($"'{shown}' is not a day; give it as yyyy-MM-dd, e.g. 2026-11-23");
    }

    public static string FormatDay(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The day of one probe, or of the first probe (by name) when none is named.</summary>
    public async Task<DayView> GetAsync(DateOnly day, string? probe, CancellationToken cancellationToken = default)
    {
        var watch = Stopwatch.StartNew();
        var probes = (await store.QueryProbesAsync(cancellationToken)).Select(p => p.Probe).Order(StringComparer.Ordinal).ToList();
        if (!string.IsNullOrEmpty(probe) && !probes.Contains(probe))
            throw new StoreQueryException($"unknown probe '{probe}'; known: {string.Join(", ", probes)}");
        var chosen = string.IsNullOrEmpty(probe) ? probes.FirstOrDefault() : probe;
        var analysis = chosen is null ? null : await AnalyzeAsync(chosen, day, cancellationToken);
        var spikeDays = chosen is null ? [] : await NewSpikeDaysAsync(chosen, day, cancellationToken);
        if (analysis?.Spikes.Any(s => s.Kind == SpikeKind.New) == true) spikeDays = [.. spikeDays.Append(day).Distinct().Order()];
        return new DayView(day, chosen, probes, analysis, watch.Elapsed) { NewSpikeDays = spikeDays };
    }

    /// <summary>The days of the month holding <paramref name="day"/> with a stored new-spike event of the probe.</summary>
    public async Task<IReadOnlyList<DateOnly>> NewSpikeDaysAsync(string probe, DateOnly day, CancellationToken cancellationToken = default)
    {
        var first = new DateOnly(day.Year, day.Month, 1);
        var (from, _) = SpikeDetector.DayRange(first);
        var (to, _) = SpikeDetector.DayRange(first.AddMonths(1));
        var events = await store.QueryEventsAsync(new EventQuery(from, to.AddMilliseconds(-1), [probe], EventKinds.Spike, Limit: 10000), cancellationToken);
        return events
            .Select(Spike.FromEvent)
            .Where(s => s is { Kind: SpikeKind.New })
            .Select(s => DateOnly.FromDateTime(s!.Start.UtcDateTime))
            .Distinct()
            .Order()
            .ToList();
    }

    private Task<DayAnalysis> AnalyzeAsync(string probe, DateOnly day, CancellationToken cancellationToken)
    {
        var now = clock.GetUtcNow();
        foreach (var (key, entry) in _recent)
            if (now - entry.At > Reuse) _recent.TryRemove(key, out _);
        // Shared by every caller of the next seconds: one caller giving up (a closed page, an aborted
        // request) must not cancel it for the others, so it runs to the end and each caller waits on its own.
        var cached = _recent.GetOrAdd((day, probe), _ => (now, detector.AnalyzeDayAsync(probe, day, CancellationToken.None)));
        if (!cached.Analysis.IsFaulted && !cached.Analysis.IsCanceled) return cached.Analysis.WaitAsync(cancellationToken);
        _recent.TryRemove((day, probe), out _);
        return detector.AnalyzeDayAsync(probe, day, cancellationToken);
    }
}
