using Monitor.Storage.Model;
using Monitor.Storage.Model.Queries;

namespace Monitor.Web.Features.Anomalies.Detection;

/// <summary>Reads one probe's series from a store at interval resolution (or the finest the store keeps).</summary>
internal static class StoreSeries
{
    public static SeriesLoader Loader(IMonitorStore store, AnomalyOptions options, string probe, string series) =>
        (from, to, ct) => LoadAsync(store, options, probe, series, from, to, ct);

    public static async Task<IReadOnlyList<SeriesPoint>> LoadAsync(
        IMonitorStore store, AnomalyOptions options, string probe, string series,
        DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        if (to <= from) return [];
        var maxPoints = (int)Math.Ceiling((to - from) / options.Interval) + 2;
        var result = await store.QuerySeriesAsync(new SeriesQuery(series, from, to, [probe], maxPoints), cancellationToken)
            .ConfigureAwait(false);
        var resolution = result.Resolution > TimeSpan.Zero ? result.Resolution : options.Interval;
        var points = new List<SeriesPoint>(result.Points.Count);
        foreach (var b in result.Points.OrderBy(b => b.Time))
            if (b.Time >= from && b.Time < to)
                points.Add(new SeriesPoint(b.Time, b.Time + resolution, b.Avg));
        return points;
    }
}
