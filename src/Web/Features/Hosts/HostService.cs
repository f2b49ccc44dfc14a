using System.Net;
using Monitor.Storage.Model;
using Monitor.Storage.Model.Queries;
using Monitor.Storage.Model.Reports;
using Monitor.Storage.Model.Snapshots;
using Monitor.Web.Features.Series;
using Monitor.Web.Common;

namespace Monitor.Web.Features.Hosts;

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
        var probes = string.IsNullOrEmpty(probe) ? null : new[] { probe };
        TimeRange range;
        if (string.IsNullOrEmpty(from) && string.IsNullOrEmpty(to))
            range = await AroundNewestAsync(ip, probes, cancellationToken);
        else if (!TimeRange.TryParse(from, to, clock.GetUtcNow(), DefaultLength, TimeSpan.FromDays(33), out range, out var error))
            throw new StoreQueryException(error!);

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

    /// <summary>The window a host page shows when the link gave none.</summary>
    public static readonly TimeSpan DefaultLength = TimeSpan.FromHours(6);

    /// <summary>How far back the newest row of a host is looked for: the windows tried in turn, then halved to the hour.</summary>
    private static readonly TimeSpan[] LookBack =
        [DefaultLength, TimeSpan.FromDays(2), TimeSpan.FromDays(8), TimeSpan.FromDays(33), TimeSpan.FromDays(400), TimeSpan.FromDays(800)];

    /// <summary>
    /// The 6 hours that end with the host's newest stored report row (to the hour), so a page opened without
    /// a range shows the host where it is, not the last hours of the wall clock (a replay, a stopped probe,
    /// a store the CLI wrote). With nothing stored, the 6 hours up to now.
    /// </summary>
    private async Task<TimeRange> AroundNewestAsync(string ip, string[]? probes, CancellationToken cancellationToken)
    {
        var newest = (await store.QueryProbesAsync(cancellationToken))
            .Where(p => probes is null || probes.Contains(p.Probe, StringComparer.Ordinal))
            .Max(p => p.LastIntervalEnd);
        if (newest is not { } end) return TimeRange.Ending(clock.GetUtcNow(), DefaultLength);
        // Widen until the host is in a window ending at the newest data; then narrow to the hour where it was last.
        var notSeenSince = end;
        foreach (var length in LookBack)
        {
            var seenSince = end - length;
            if (!await SeenAsync(ip, seenSince, end, probes, cancellationToken))
            {
                notSeenSince = seenSince;
                continue;
            }
            if (length == DefaultLength) return TimeRange.Ending(end, DefaultLength);
            while (notSeenSince - seenSince > TimeSpan.FromHours(1))
            {
                var middle = seenSince + (notSeenSince - seenSince) / 2;
                if (await SeenAsync(ip, middle, end, probes, cancellationToken)) seenSince = middle;
                else notSeenSince = middle;
            }
            return TimeRange.Ending(notSeenSince, DefaultLength);
        }
        return TimeRange.Ending(end, DefaultLength);
    }

    /// <summary>Whether any report holds a row naming the host between the two times.</summary>
    private async Task<bool> SeenAsync(string ip, DateTimeOffset from, DateTimeOffset to, string[]? probes, CancellationToken cancellationToken)
    {
        foreach (var report in ReportCatalog.All.Where(r => r.HostFields.Count > 0))
        {
            if ((await store.QueryTopAsync(new TopQuery(report.Name, from, to, probes, 1, null, ip), cancellationToken)).Count > 0)
                return true;
        }
        return false;
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
