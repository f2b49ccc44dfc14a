using System.Globalization;
using Monitor.Web.Features.Anomalies.Detection;
using Monitor.Storage.Model;
using Monitor.Storage.Model.Queries;
using Monitor.Storage.Model.Reports;
using Monitor.Storage.Model.Snapshots;
using Monitor.Web.Common;

namespace Monitor.Web.Features.Anomalies;

/// <summary>
/// One flow clustered over the spike window (Argus's racluster): its packets and bytes summed over the
/// intervals it appears in; load (bits/s) and rate (packets/s) over the time it was active.
/// </summary>
public sealed record FlowRow(string Src, string Dst, string Proto, long Sport, long Dport, long Packets, long Bytes, TimeSpan Active)
{
    public double Load => Active > TimeSpan.Zero ? Bytes * 8 / Active.TotalSeconds : 0;
    public double Rate => Active > TimeSpan.Zero ? Packets / Active.TotalSeconds : 0;
}

/// <summary>A row of a report in the spike and the same key's value in the hour before (per second for counts).</summary>
public sealed record ComparedRow(string Key, string? Host, double InSpike, double HourBefore)
{
    public double? Ratio => HourBefore > 0 ? InSpike / HourBefore : null;
}

public sealed record ComparedReport(string Report, string Title, string Measure, bool PerSecond, IReadOnlyList<ComparedRow> Rows, string Link);

public sealed record SpikeDrillDown(
    Spike Spike, TimeRange Window, TimeRange HourBefore, string FlowSort, IReadOnlyList<FlowRow> Flows,
    IReadOnlyList<ComparedReport> Reports, string DayLink, string FlowsLink);

/// <summary>Leads from a spike to its cause: the window's flows and its top talkers, ports and scanners against the hour before.</summary>
public sealed class SpikeDrillDownService(IMonitorStore store, SpikeDetector detector)
{
    public static readonly IReadOnlyList<string> FlowSorts = ["packets", "bytes", "load", "rate"];

    private static readonly (string Report, string Measure)[] Compared =
    [
        (ReportCatalog.Talkers, "packets"),
        (ReportCatalog.Ports, "packets"),
        (ReportCatalog.Udp, "weight"),
        (ReportCatalog.Syn, "syn_sent"),
        (ReportCatalog.PortScanners, "distinct_ports"),
        (ReportCatalog.IpScanners, "distinct_destinations"),
    ];

    /// <summary>The spike named by its Id (stored event first, else recomputed); null when there is no such spike.</summary>
    public async Task<Spike?> FindAsync(string id, CancellationToken cancellationToken = default)
    {
        if (!TryParseId(id, out var probe, out var series, out var start))
            throw new StoreQueryException($"'{TimeRange.Shorten(id)}' is not a spike id (spike:PROBE:SERIES:yyyyMMddTHHmmssZ)");
        var events = await store.QueryEventsAsync(new EventQuery(start, start, [probe], EventKinds.Spike), cancellationToken);
        if (events.FirstOrDefault(e => e.Id == id) is { } stored && Spike.FromEvent(stored) is { } spike) return spike;
        var day = await detector.AnalyzeDayAsync(probe, DateOnly.FromDateTime(start.UtcDateTime), cancellationToken);
        return day.Series.FirstOrDefault(s => s.Series == series)?.Spikes.FirstOrDefault(s => s.Id == id);
    }

    public async Task<SpikeDrillDown?> GetAsync(string id, string? flowSort, CancellationToken cancellationToken = default)
    {
        var sort = string.IsNullOrEmpty(flowSort) ? "packets" : flowSort;
        if (!FlowSorts.Contains(sort))
            throw new StoreQueryException($"'sort' = '{TimeRange.Shorten(sort)}' must be one of {string.Join(", ", FlowSorts)}");
        var spike = await FindAsync(id, cancellationToken);
        if (spike is null) return null;

        var window = new TimeRange(spike.Start, spike.End);
        var before = new TimeRange(spike.Start - TimeSpan.FromHours(1), spike.Start);
        var probes = new[] { spike.Probe };

        var intervals = await store.QueryIntervalsAsync(
            new IntervalQuery(window.From, window.To.AddMilliseconds(-1), probes), cancellationToken);
        var flows = Cluster(intervals, detector.Options.Interval);
        flows = sort switch
        {
            "bytes" => flows.OrderByDescending(f => f.Bytes).ThenByDescending(f => f.Load).ThenByDescending(f => f.Rate).ToList(),
            "load" => flows.OrderByDescending(f => f.Load).ThenByDescending(f => f.Rate).ToList(),
            "rate" => flows.OrderByDescending(f => f.Rate).ThenByDescending(f => f.Load).ToList(),
            _ => flows.OrderByDescending(f => f.Packets).ThenByDescending(f => f.Load).ThenByDescending(f => f.Rate).ToList(),
        };

        var reports = new List<ComparedReport>();
        foreach (var (name, measure) in Compared)
        {
            var info = ReportCatalog.Find(name)!;
            var perSecond = info.SumFields.Contains(measure);
            var inSpike = await store.QueryTopAsync(new TopQuery(name, window.From, window.To, probes, 10, measure), cancellationToken);
            var inHour = await store.QueryTopAsync(new TopQuery(name, before.From, before.To, probes, 200, measure), cancellationToken);
            var hourByKey = inHour.GroupBy(r => Key(info, r)).ToDictionary(g => g.Key, g => g.First().Number(measure));
            double Scale(double v, TimeRange r) => perSecond && r.Length > TimeSpan.Zero ? v / r.Length.TotalSeconds : v;
            var rows = inSpike.Select(r => new ComparedRow(
                Key(info, r),
                info.HostFields.Select(r.Text).FirstOrDefault(h => h.Length > 0),
                Scale(r.Number(measure), window),
                Scale(hourByKey.GetValueOrDefault(Key(info, r)), before))).ToList();
            reports.Add(new ComparedReport(name, info.Title, measure, perSecond, rows, "/" + Links.ReportsRange(window, name, spike.Probe)));
        }

        var dayLink = SpikeLinks.Day(DateOnly.FromDateTime(spike.Start.UtcDateTime), spike.Probe);
        return new SpikeDrillDown(spike, window, before, sort, flows.Take(50).ToList(), reports, dayLink,
            "/" + Links.ReportsRange(window, ReportCatalog.Flows, spike.Probe));
    }

    /// <summary>Merges each interval's top flows into one record per (src, dst, proto, sport, dport).</summary>
    internal static List<FlowRow> Cluster(IReadOnlyList<IntervalSnapshot> intervals, TimeSpan interval)
    {
        var merged = new Dictionary<(string, string, string, long, long), (long Packets, long Bytes, TimeSpan Active)>();
        foreach (var snapshot in intervals)
        {
            if (!snapshot.Reports.TryGetValue(ReportCatalog.Flows, out var rows)) continue;
            var length = snapshot.Duration > TimeSpan.Zero ? snapshot.Duration : interval;
            foreach (var row in rows)
            {
                var key = (row.Text("src"), row.Text("dst"), row.Text("proto"), (long)row.Number("sport"), (long)row.Number("dport"));
                var current = merged.GetValueOrDefault(key);
                merged[key] = (current.Packets + (long)row.Number("packets"), current.Bytes + (long)row.Number("bytes"), current.Active + length);
            }
        }
        return merged.Select(kv => new FlowRow(kv.Key.Item1, kv.Key.Item2, kv.Key.Item3, kv.Key.Item4, kv.Key.Item5,
            kv.Value.Packets, kv.Value.Bytes, kv.Value.Active)).ToList();
    }

    private static string Key(ReportInfo info, ReportRow row) => string.Join(" ", info.KeyFields.Select(row.Text));

    public static bool TryParseId(string id, out string probe, out string series, out DateTimeOffset start)
    {
        probe = series = "";
        start = default;
        if (string.IsNullOrEmpty(id) || !id.StartsWith("spike:", StringComparison.Ordinal)) return false;
        var last = id.LastIndexOf(':');
        var middle = last > 6 ? id.LastIndexOf(':', last - 1) : -1;
        if (middle <= 6) return false;
        if (!DateTimeOffset.TryParseExact(id[(last + 1)..], "yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture,
                DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out start)) return false;
        probe = id[6..middle];
        series = id[(middle + 1)..last];
        return probe.Length > 0 && series.Length > 0;
    }
}
