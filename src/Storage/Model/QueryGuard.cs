using Monitor.Storage.Model.Metrics;
using Monitor.Storage.Model.Queries;
using Monitor.Storage.Model.Reports;

namespace Monitor.Storage.Model;

/// <summary>Checks query arguments the same way for every store, with messages a person can act on.</summary>
internal static class QueryGuard
{
    public static MetricInfo Check(SeriesQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        CheckRange(query.From, query.To);
        if (query.MaxPoints <= 0)
            throw new StoreQueryException($"max points must be positive (is {query.MaxPoints})");
        if (string.IsNullOrWhiteSpace(query.Metric))
            throw new StoreQueryException("a metric name is required");
        return MetricCatalog.Find(query.Metric)
            ?? throw new StoreQueryException($"unknown metric '{query.Metric}' (see /api/metrics or MetricCatalog)");
    }

    public static ReportInfo Check(TopQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        CheckRange(query.From, query.To);
        if (query.N <= 0) throw new StoreQueryException($"n must be positive (is {query.N})");
        if (string.IsNullOrWhiteSpace(query.Report)) throw new StoreQueryException("a report name is required");
        var report = ReportCatalog.Find(query.Report)
            ?? throw new StoreQueryException(
                $"unknown report '{query.Report}' (known: {string.Join(", ", ReportCatalog.All.Select(r => r.Name))})");
        if (query.Host is not null && !System.Net.IPAddress.TryParse(query.Host, out _))
            throw new StoreQueryException($"host '{query.Host}' is not an IP address");
        return report;
    }

    public static void Check(EventQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        CheckRange(query.From, query.To);
        if (query.Limit <= 0) throw new StoreQueryException($"limit must be positive (is {query.Limit})");
    }

    public static void Check(IntervalQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        CheckRange(query.From, query.To);
        if (query.Limit <= 0) throw new StoreQueryException($"limit must be positive (is {query.Limit})");
    }

    public static IReadOnlyList<string>? Probes(IReadOnlyList<string>? probes)
    {
        if (probes is null) return null;
        var names = probes.Where(p => !string.IsNullOrWhiteSpace(p)).Distinct(StringComparer.Ordinal).ToList();
        return names.Count == 0 ? null : names;
    }

    private static void CheckRange(DateTimeOffset from, DateTimeOffset to)
    {
        if (from > to)
            throw new StoreQueryException($"from ({from:O}) is after to ({to:O})");
    }
}
