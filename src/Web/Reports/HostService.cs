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

        var traffic = await TrafficAsync(ip, range, probes, cancellationToken);
        var folded = Fold(traffic, Downsampler.MaxPoints);

        var reports = new Dictionary<string, IReadOnlyList<ReportRow>>();
        foreach (var report in ReportCatalog.All.Where(r => r.HostFields.Count > 0))
        {
            var rows = await store.QueryTopAsync(new TopQuery(report.Name, range.From, range.To, probes, 20, null, ip), cancellationToken);
            if (rows.Count > 0) reports[report.Name] = rows;
        }
        return new HostView(ip, range, folded, reports);
    }

    /// <summary>Intervals read per store query: a month of 30 s intervals is read a page at a time, oldest first.</summary>
    private const int PageSize = 2000;

    /// <summary>The host's bits/s per interval start (summed over probes) from the talkers report of every interval in the range.</summary>
    private async Task<IReadOnlyList<HostPoint>> TrafficAsync(string ip, TimeRange range, string[]? probes, CancellationToken cancellationToken)
    {
        var perStart = new SortedDictionary<DateTimeOffset, HostPoint>();
        var cursor = range.From;
        while (true)
        {
            var page = await store.QueryIntervalsAsync(new IntervalQuery(cursor, range.To, probes, PageSize), cancellationToken);
            var full = page.Count == PageSize;
            // A full page may end part-way through the probes of its last start: that start is read again whole.
            var last = page.Count > 0 ? page[^1].Start : cursor;
            var pageIsOneStart = full && page[0].Start == last;
            foreach (var interval in page)
            {
                if (full && !pageIsOneStart && interval.Start == last) break;
                var (sent, received) = Talker(interval, ip);
                var point = perStart.GetValueOrDefault(interval.Start) ?? new HostPoint(interval.Start, 0, 0);
                perStart[interval.Start] = point with { BitsSent = point.BitsSent + sent, BitsReceived = point.BitsReceived + received };
            }
            if (!full) break;
            cursor = pageIsOneStart ? last.AddMilliseconds(1) : last;
        }
        return [.. perStart.Values];
    }

    private static (double Sent, double Received) Talker(IntervalSnapshot interval, string ip)
    {
        double sent = 0, received = 0;
        if (!interval.Reports.TryGetValue(ReportCatalog.Talkers, out var rows)) return (0, 0);
        var seconds = Math.Max(1, interval.Duration.TotalSeconds);
        foreach (var row in rows)
        {
            if (!string.Equals(row.Text("ip"), ip, StringComparison.OrdinalIgnoreCase)) continue;
            sent += row.Number("bytes_sent") * 8 / seconds;
            received += row.Number("bytes_received") * 8 / seconds;
        }
        return (sent, received);
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
