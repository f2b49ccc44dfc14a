namespace Monitor.Storage.Model.Queries;

/// <summary>
/// A series over a range for one probe or all (Probes null or empty = all). The store picks the
/// finest resolution that keeps at most MaxPoints buckets and gives min, average and max per bucket.
/// </summary>
public sealed record SeriesQuery(
    string Metric,
    DateTimeOffset From,
    DateTimeOffset To,
    IReadOnlyList<string>? Probes = null,
    int MaxPoints = 2000);

public sealed record SeriesBucket(DateTimeOffset Time, double Min, double Avg, double Max);

public sealed record SeriesResult(string Metric, TimeSpan Resolution, IReadOnlyList<SeriesBucket> Points);

/// <summary>Top-N of one report summarized over a range (one interval, an hour, a day, any range).</summary>
public sealed record TopQuery(
    string Report,
    DateTimeOffset From,
    DateTimeOffset To,
    IReadOnlyList<string>? Probes = null,
    int N = 10,
    string? SortBy = null,
    string? Host = null);

/// <summary>Events in a range, oldest first; with Newest, newest first, so that Limit keeps the latest ones.</summary>
public sealed record EventQuery(
    DateTimeOffset From,
    DateTimeOffset To,
    IReadOnlyList<string>? Probes = null,
    string? Kind = null,
    int Limit = 1000,
    bool Newest = false);

public sealed record IntervalQuery(
    DateTimeOffset From,
    DateTimeOffset To,
    IReadOnlyList<string>? Probes = null,
    int Limit = 10000);

/// <summary>A query argument that cannot be answered (from after to, unknown metric or report, ...).</summary>
public sealed class StoreQueryException(string message) : ArgumentException(message);
