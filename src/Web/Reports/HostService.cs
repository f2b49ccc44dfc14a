using System.Net;
using Monitor.Storage;
using Monitor.Storage.Queries;
using Monitor.Storage.Reports;
using Monitor.Storage.Snapshots;
using Monitor.Web.Series;
using Monitor.Web.Time;

namespace Monitor.Web.Reports;

/// <summary>One address over a range: its traffic per interval (from the talkers report) and every report row it is in.</summary>
public sealed record HostView(
    string Ip,
    TimeRange Range,
    IReadOnlyList<HostPoint> Traffic,
    IReadOnlyDictionary<string, IReadOnlyList<ReportRow>> Reports);

/// <summary>Bits per second sent and received by the host in one interval (or a folded run of them).</summary>
public sealed record HostPoint(DateTimeOffset Time, double BitsSent, double BitsReceived);

public sealed class HostService(IMonitorStore store, TimeProvider clock)
{
    public static string ParseIp(string? text)
    {
        if (string.IsNullOrWhiteSpace(text) || !IPAddress.TryParse(text.Trim(), out var ip) || text.Contains('/'))
            throw new StoreQueryException($"'{TimeRange.Shorten(text ?? "")}' is not an IPv4 or IPv6 address");
        return ip.ToString();
    }

    public async Task<HostView> GetAsync(string? ipText, string? from, string? to, string? probe,
        CancellationToken cancellationToken = default)
    {
        var ip = ParseIp(ipText);
        if (!TimeRange.TryParse(from, to, clock.GetUtcNow(), TimeSpan.FromHours(6), TimeSpan.FromDays(33), out var range, out var error))
            throw new StoreQueryException(error!);
        var probes = string.IsNullOrEmpty(probe) ? null : new[] { probe };

        var intervals = await store.QueryIntervalsAsync(new IntervalQuery(range.From, range.To, probes, 20000), cancellationToken);
        var traffic = intervals
            .GroupBy(i => i.Start)
            .OrderBy(g => g.Key)
            .Select(g =>
            {
                double sent = 0, received = 0;
                foreach (var interval in g)
                {
                    var seconds = Math.Max(1, interval.Duration.TotalSeconds);
                    if (!interval.Reports.TryGetValue(ReportCatalog.Talkers, out var rows)) continue;
                    foreach (var row in rows)
                    {
                        if (!string.Equals(row.Text("ip"), ip, StringComparison.OrdinalIgnoreCase)) continue;
                        sent += row.Number("bytes_sent") * 8 / seconds;
                        received += row.Number("bytes_received") * 8 / seconds;
                    }
                }
                return new HostPoint(g.Key, sent, received);
            })
            .ToList();
        var folded = Fold(traffic, Downsampler.MaxPoints);

        var reports = new Dictionary<string, IReadOnlyList<ReportRow>>();
        foreach (var report in ReportCatalog.All.Where(r => r.HostFields.Count > 0))
        {
            var rows = await store.QueryTopAsync(new TopQuery(report.Name, range.From, range.To, probes, 20, null, ip), cancellationToken);
            if (rows.Count > 0) reports[report.Name] = rows;
        }
        return new HostView(ip, range, folded, reports);
    }

    private static IReadOnlyList<HostPoint> Fold(IReadOnlyList<HostPoint> points, int max)
    {
        if (points.Count <= max) return points;
        var size = (points.Count + max - 1) / max;
        return points.Chunk(size)
            .Select(c => new HostPoint(c[0].Time, c.Average(p => p.BitsSent), c.Average(p => p.BitsReceived)))
            .ToList();
    }
}
