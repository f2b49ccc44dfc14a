using Monitor.Web.Time;

namespace Monitor.Web.Navigation;

/// <summary>The site's URLs in one place, so every view can be bookmarked and every link agrees.</summary>
public static class Links
{
    public const string DefaultReport = "talkers";

    public static string ReportsAt(DateTimeOffset at, string report = DefaultReport, string? probe = null) =>
        With($"reports/{report}", ("at", TimeRange.Format(at)), ("probe", probe));

    public static string ReportsRange(TimeRange range, string report = DefaultReport, string? probe = null) =>
        With($"reports/{report}", ("from", TimeRange.Format(range.From)), ("to", TimeRange.Format(range.To)), ("probe", probe));

    public static string Graph(string metric, TimeRange? range = null, string? probe = null) =>
        range is { } r
            ? With($"graphs/{metric}", ("from", TimeRange.Format(r.From)), ("to", TimeRange.Format(r.To)), ("probe", probe))
            : With($"graphs/{metric}", ("probe", probe));

    public static string Host(string ip) => $"hosts/{Uri.EscapeDataString(ip)}";

    public static string With(string path, params (string Name, string? Value)[] query)
    {
        var parts = query.Where(q => !string.IsNullOrEmpty(q.Value))
            .Select(q => $"{q.Name}={Uri.EscapeDataString(q.Value!)}").ToList();
        return parts.Count == 0 ? path : $"{path}?{string.Join('&', parts)}";
    }
}
