using Monitor.Storage.Model;
using Monitor.Storage.Model.Queries;
using Monitor.Storage.Model.Reports;
using Monitor.Storage.Model.Snapshots;
using Monitor.Web.Common;

namespace Monitor.Web.Features.Reports;

/// <summary>Which time a report covers: one interval, an hour, a day, or a custom range.</summary>
public enum ReportSpan { Interval, Hour, Day, Range }

/// <summary>A report's rows for a period, with the neighbouring intervals when it is one interval.</summary>
public sealed record ReportView(
    ReportInfo Report,
    ReportSpan Span,
    TimeRange Range,
    DateTimeOffset? Previous,
    DateTimeOffset? Next,
    IReadOnlyList<ReportRow> Rows);

/// <summary>A request for a report as the URL and the API give it; every part optional.</summary>
public sealed record ReportRequest(
    string Report,
    string? At = null,
    string? From = null,
    string? To = null,
    string? Span = null,
    string? Probe = null,
    int? N = null,
    string? Sort = null);

/// <summary>Validated report reads shared by the Reports page and /api/reports.</summary>
public sealed class ReportService(IMonitorStore store, TimeProvider clock)
{
    public const int MaxRows = 1000;
    private static readonly TimeSpan[] Lookback = [TimeSpan.FromHours(1), TimeSpan.FromDays(1)];

    public static ReportInfo ResolveReport(string? name) =>
        ReportCatalog.Find(name ?? "")
        ?? throw new StoreQueryException(
            $"unknown report '{TimeRange.Shorten(name ?? "")}'; known: {string.Join(", ", ReportCatalog.All.Select(r => r.Name))}");

    public async Task<ReportView> GetAsync(ReportRequest request, CancellationToken cancellationToken = default)
    {
        var info = ResolveReport(request.Report);
        var n = request.N ?? 50;
        if (n is < 1 or > MaxRows) throw new StoreQueryException($"'n' = {n} must be between 1 and {MaxRows}");
        if (request.Sort is { Length: > 0 } sort && !IsField(info, sort))
            throw new StoreQueryException($"report '{info.Name}' has no column '{TimeRange.Shorten(sort)}' to sort on");
        var probes = string.IsNullOrEmpty(request.Probe) ? null : new[] { request.Probe };
        var span = ParseSpan(request);
        var now = clock.GetUtcNow();

        if (span == ReportSpan.Range)
        {
            if (!TimeRange.TryParse(request.From, request.To, now, TimeSpan.FromHours(1), Periods.MaxRange, out var range, out var error))
                throw new StoreQueryException(error!);
            var rows = await store.QueryTopAsync(new TopQuery(info.Name, range.From, range.To, probes, n, request.Sort), cancellationToken);
            return new ReportView(info, span, range, null, null, rows);
        }

        DateTimeOffset at;
        if (string.IsNullOrEmpty(request.At)) at = await NewestIntervalStartAsync(request.Probe, cancellationToken) ?? now;
        else if (!TimeRange.TryParseInstant(request.At, "at", out at, out var atError)) throw new StoreQueryException(atError!);

        if (span is ReportSpan.Hour or ReportSpan.Day)
        {
            var length = span == ReportSpan.Hour ? TimeSpan.FromHours(1) : TimeSpan.FromDays(1);
            var start = new DateTimeOffset(at.UtcTicks - at.UtcTicks % length.Ticks, TimeSpan.Zero);
            var range = new TimeRange(start, start + length);
            var rows = await store.QueryTopAsync(new TopQuery(info.Name, range.From, Inside(range.To), probes, n, request.Sort), cancellationToken);
            return new ReportView(info, span, range, start - length, start + length, rows);
        }

        var interval = await FindIntervalAsync(at, probes, string.IsNullOrEmpty(request.At), cancellationToken);
        if (interval is null)
            return new ReportView(info, span, new TimeRange(at, at), null, null, []);
        var intervalRange = new TimeRange(interval.Start, interval.End);
        var intervalRows = await store.QueryTopAsync(
            new TopQuery(info.Name, interval.Start, Inside(interval.End), probes, n, request.Sort), cancellationToken);
        var previous = await NeighbourAsync(interval, probes, before: true, cancellationToken);
        var next = await NeighbourAsync(interval, probes, before: false, cancellationToken);
        return new ReportView(info, span, intervalRange, previous, next, intervalRows);
    }

    /// <summary>Where "the latest interval" is: the newest any probe (or the given one) stored, wherever in time.</summary>
    public async Task<DateTimeOffset?> NewestIntervalStartAsync(string? probe, CancellationToken cancellationToken = default)
    {
        var probes = await store.QueryProbesAsync(cancellationToken);
        return probes
            .Where(p => string.IsNullOrEmpty(probe) || p.Probe == probe)
            .Select(p => p.LastIntervalStart)
            .Max();
    }

    private static bool IsField(ReportInfo info, string field) =>
        info.KeyFields.Contains(field) || info.SumFields.Contains(field) || info.MaxFields.Contains(field) ||
        info.DefaultSort == field || info.HostFields.Contains(field);

    private static ReportSpan ParseSpan(ReportRequest request)
    {
        var hasRange = !string.IsNullOrEmpty(request.From) || !string.IsNullOrEmpty(request.To);
        var span = request.Span?.Trim().ToLowerInvariant() switch
        {
            null or "" => hasRange ? ReportSpan.Range : ReportSpan.Interval,
            "interval" => ReportSpan.Interval,
            "hour" => ReportSpan.Hour,
            "day" => ReportSpan.Day,
            "range" => ReportSpan.Range,
            _ => throw new StoreQueryException($"'span' = '{TimeRange.Shorten(request.Span!)}' must be interval, hour, day or range"),
        };
        if (hasRange && (span != ReportSpan.Range || !string.IsNullOrEmpty(request.At)))
            throw new StoreQueryException("give either 'from'/'to' (a range) or 'at' with 'span', not both");
        return span;
    }

    /// <summary>The last instant before an exclusive end, so a range never takes in the next interval.</summary>
    private static DateTimeOffset Inside(DateTimeOffset end) => end.AddMilliseconds(-1);

    private async Task<IntervalSnapshot?> FindIntervalAsync(DateTimeOffset at, IReadOnlyList<string>? probes, bool latest,
        CancellationToken cancellationToken)
    {
        foreach (var back in Lookback)
        {
            var candidates = await store.QueryIntervalsAsync(new IntervalQuery(at - back, at, probes, 10000), cancellationToken);
            var hit = candidates.Where(i => i.Start <= at && (latest || at < i.End)).MaxBy(i => i.Start);
            if (hit is not null) return hit;
            if (!latest) break;
        }
        return null;
    }

    private async Task<DateTimeOffset?> NeighbourAsync(IntervalSnapshot interval, IReadOnlyList<string>? probes, bool before,
        CancellationToken cancellationToken)
    {
        foreach (var window in Lookback)
        {
            var query = before
                ? new IntervalQuery(interval.Start - window, interval.Start.AddMilliseconds(-1), probes, 10000)
                : new IntervalQuery(interval.Start.AddMilliseconds(1), interval.Start + window, probes, 10000);
            var found = await store.QueryIntervalsAsync(query, cancellationToken);
            var starts = found.Select(i => i.Start).Where(s => before ? s < interval.Start : s > interval.Start).ToList();
            if (starts.Count > 0) return before ? starts.Max() : starts.Min();
        }
        return null;
    }
}
