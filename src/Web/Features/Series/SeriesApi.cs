using Monitor.Storage.Model.Metrics;
using Monitor.Storage.Model.Queries;
using Monitor.Web.Features.Series;
using Monitor.Web.Common;

namespace Monitor.Web.Features.Series;

public sealed record SeriesPoint(DateTimeOffset Time, double Min, double Avg, double Max);

public sealed record SeriesResponse(
    string Metric, string Title, string Unit, DateTimeOffset From, DateTimeOffset To, double ResolutionSeconds,
    IReadOnlyList<SeriesPoint> Points);

public sealed record MetricDescription(string Name, string Title, string Unit, string Kind);

public static class SeriesApi
{
    public static RouteGroupBuilder MapSeriesApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/series").WithTags("Series").WithBadRequestMessages();
        api.MapGet("/", GetSeriesAsync)
            .WithSummary("A series over a range, downsampled to min/avg/max buckets (at most 2000 points)");
        api.MapGet("/metrics", ListMetrics).WithSummary("Every series name, with its unit");
        return api;
    }

    /// <param name="metric">Series name (packets, bits, protocol.udp.packets, bpf.GRAPH.LINE, ...).</param>
    /// <param name="from">Start: ISO 8601 or Unix seconds; default to − 33 hours.</param>
    /// <param name="to">End: ISO 8601 or Unix seconds; default now.</param>
    /// <param name="probe">One probe's name; default all probes.</param>
    /// <param name="points">Most points wanted, 10..2000 (default 2000).</param>
    internal static async Task<SeriesResponse> GetSeriesAsync(string? metric, string? from, string? to, string? probe,
        string? points, SeriesService series, TimeProvider clock, CancellationToken cancellationToken)
    {
        var info = SeriesService.ResolveMetric(metric);
        var max = ApiErrors.OptionalInt(points, "points", 10, Downsampler.MaxPoints) ?? Downsampler.MaxPoints;
        if (!TimeRange.TryParse(from, to, clock.GetUtcNow(), Periods.Day, Periods.MaxRange, out var range, out var error))
            throw new StoreQueryException(error!);
        var data = await series.GetAsync(info.Name, range, string.IsNullOrEmpty(probe) ? null : [probe], max, cancellationToken);
        return new SeriesResponse(info.Name, info.Title, info.Unit, range.From, range.To, data.Resolution.TotalSeconds,
            data.Points.Select(p => new SeriesPoint(p.Time, p.Min, p.Avg, p.Max)).ToList());
    }

    internal static IReadOnlyList<MetricDescription> ListMetrics(BpfGraphCatalog bpf) =>
    [
        .. MetricCatalog.All.Select(m => new MetricDescription(m.Name, m.Title, m.Unit, m.Kind.ToString().ToLowerInvariant())),
        .. bpf.Graphs.SelectMany(g => g.Lines.Select(l => new MetricDescription(l.Metric, $"{g.Name}: {l.Name}", "per second", "rate"))),
    ];
}
