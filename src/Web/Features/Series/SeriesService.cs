using Monitor.Storage.Model;
using Monitor.Storage.Model.Metrics;
using Monitor.Storage.Model.Queries;
using Monitor.Web.Common;

namespace Monitor.Web.Features.Series;

/// <summary>A series ready to draw: what it is, its unit and at most the requested number of buckets.</summary>
public sealed record ChartData(MetricInfo Metric, TimeRange Range, TimeSpan Resolution, IReadOnlyList<SeriesBucket> Points);

/// <summary>Validated series reads shared by the pages and /api/series.</summary>
public sealed class SeriesService(IMonitorStore store)
{
    public static MetricInfo ResolveMetric(string? name)
    {
        if (string.IsNullOrWhiteSpace(name))
            throw new StoreQueryException("'metric' is missing; see /api/series/metrics for the names");
        return MetricCatalog.Find(name)
               ?? throw new StoreQueryException($"unknown metric '{TimeRange.Shorten(name)}'; see /api/series/metrics for the names");
    }

    public async Task<ChartData> GetAsync(string metric, TimeRange range, IReadOnlyList<string>? probes = null,
        int maxPoints = Downsampler.MaxPoints, CancellationToken cancellationToken = default)
    {
        var info = ResolveMetric(metric);
        if (range.From > range.To) throw new StoreQueryException("'from' is after 'to'");
        maxPoints = Math.Clamp(maxPoints, 10, Downsampler.MaxPoints);
        var result = await store.QuerySeriesAsync(
            new SeriesQuery(info.Name, range.From, range.To, probes, maxPoints), cancellationToken);
        return new ChartData(info, range, result.Resolution, Downsampler.Fold(result.Points, maxPoints));
    }
}
