using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Monitor.Storage.Consolidation;
using Monitor.Storage.Model;
using Monitor.Storage.Model.Metrics;
using Monitor.Storage.Model.Queries;
using Monitor.Storage.Model.Reports;
using Monitor.Storage.Model.Snapshots;
using Monitor.Storage.Summaries;

namespace Monitor.Storage.Sqlite;

/// <summary>Reads: series (from a consolidation tier or the second points), report rows, events, intervals and probes.</summary>
public sealed partial class SqliteStore
{
    private SeriesResult QuerySeries(SeriesQuery query, MetricInfo metric)
    {
        using var connection = Open();
        var probes = ProbeFilter(connection, QueryGuard.Probes(query.Probes));
        var metricId = Scalar<long?>(connection, null, "SELECT id FROM metrics WHERE name=$n", ("$n", metric.Name));
        // The tiers reach back from the newest data of the probes asked for (each probe prunes by its own newest), so
        // an older probe in a store shared with newer ones keeps its fine resolution.
        var info = probes is null
            ? Row(connection, null, "SELECT max(newest), max(interval_seconds) FROM probes")
            : Row(connection, null, $"SELECT max(newest), max(interval_seconds) FROM probes WHERE id IN ({(probes.Count == 0 ? "-1" : string.Join(',', probes))})");
        DateTimeOffset? newest = info?[0] is long n ? DateTimeOffset.FromUnixTimeMilliseconds(n) : null;
        var intervalStep = TimeSpan.FromSeconds(info?[1] is double d && d > 0 ? d : 30);
        var plans = TierPlanner.Plan(TierPlanner.Tiers(_options, intervalStep), query.From, query.To, query.MaxPoints, newest);
        if (metricId is null || probes is { Count: 0 })
            return new SeriesResult(metric.Name, TimeSpan.FromSeconds(plans[0].BucketSeconds), []);
        foreach (var (tier, bucket) in plans)
        {
            var buckets = tier.Kind == TierKind.Second
                ? SecondBuckets(connection, metricId.Value, probes, query, bucket, metric.Kind)
                : TierBuckets(connection, metricId.Value, probes, query, tier.Kind, bucket, metric.Kind);
            if (buckets.Count > 0) return new SeriesResult(metric.Name, TimeSpan.FromSeconds(bucket), buckets);
        }
        return new SeriesResult(metric.Name, TimeSpan.FromSeconds(plans[0].BucketSeconds), []);
    }

    private static List<SeriesBucket> TierBuckets(SqliteConnection connection, long metric, List<long>? probes, SeriesQuery query,
        TierKind kind, long bucket, MetricKind metricKind)
    {
        var tier = kind switch
        {
            TierKind.Interval => SqliteSchema.TierInterval,
            TierKind.FiveMinute => SqliteSchema.TierFiveMinute,
            _ => SqliteSchema.TierHour,
        };
        var across = metricKind == MetricKind.Rate ? "sum" : "max";
        var probeClause = probes is null ? "" : $"AND probe IN ({string.Join(',', probes)})";
        using var command = Command(connection, null, $"""
            SELECT b, {across}(mn), {across}(av), {across}(mx) FROM (
                SELECT probe, time / $bucket AS b, min(min) AS mn, sum(avg*dur)/sum(dur) AS av, max(max) AS mx
                FROM points WHERE tier={tier} AND metric=$m {probeClause} AND time >= $f AND time <= $t
                GROUP BY probe, b)
            GROUP BY b ORDER BY b
            """);
        command.Parameters.AddWithValue("$bucket", bucket);
        command.Parameters.AddWithValue("$m", metric);
        command.Parameters.AddWithValue("$f", query.From.ToUnixTimeSeconds());
        command.Parameters.AddWithValue("$t", query.To.ToUnixTimeSeconds());
        var list = new List<SeriesBucket>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
            list.Add(new SeriesBucket(DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(0) * bucket),
                reader.GetDouble(1), reader.GetDouble(2), reader.GetDouble(3)));
        return list;
    }

    private static List<SeriesBucket> SecondBuckets(SqliteConnection connection, long metric, List<long>? probes, SeriesQuery query,
        long bucket, MetricKind metricKind)
    {
        var probeClause = probes is null ? "" : $"AND probe IN ({string.Join(',', probes)})";
        using var command = Command(connection, null, $"SELECT probe, time, data FROM seconds WHERE time >= $f AND time <= $t {probeClause}");
        command.Parameters.AddWithValue("$f", query.From.ToUnixTimeSeconds());
        command.Parameters.AddWithValue("$t", query.To.ToUnixTimeSeconds());
        var perProbe = new Dictionary<(long Probe, long Bucket), (double Min, double Sum, long Count, double Max)>();
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var data = (byte[])reader.GetValue(2);
                for (var offset = 0; offset + 10 <= data.Length; offset += 10)
                {
                    if (BinaryPrimitives.ReadUInt16LittleEndian(data.AsSpan(offset)) != metric) continue;
                    var value = BinaryPrimitives.ReadDoubleLittleEndian(data.AsSpan(offset + 2));
                    var key = (reader.GetInt64(0), reader.GetInt64(1) / bucket);
                    perProbe[key] = perProbe.TryGetValue(key, out var a)
                        ? (Math.Min(a.Min, value), a.Sum + value, a.Count + 1, Math.Max(a.Max, value))
                        : (value, value, 1, value);
                    break;
                }
            }
        }
        return perProbe
            .GroupBy(kv => kv.Key.Bucket)
            .OrderBy(g => g.Key)
            .Select(g =>
            {
                var parts = g.Select(kv => (kv.Value.Min, Avg: kv.Value.Sum / kv.Value.Count, kv.Value.Max)).ToList();
                return metricKind == MetricKind.Rate
                    ? new SeriesBucket(DateTimeOffset.FromUnixTimeSeconds(g.Key * bucket), parts.Sum(p => p.Min), parts.Sum(p => p.Avg), parts.Sum(p => p.Max))
                    : new SeriesBucket(DateTimeOffset.FromUnixTimeSeconds(g.Key * bucket), parts.Max(p => p.Min), parts.Max(p => p.Avg), parts.Max(p => p.Max));
            })
            .ToList();
    }

    private IReadOnlyList<ReportRow> QueryTop(TopQuery query, ReportInfo report)
    {
        using var connection = Open();
        var probes = ProbeFilter(connection, QueryGuard.Probes(query.Probes)) ?? AllProbeIds(connection);
        var from = query.From.ToUnixTimeMilliseconds();
        var to = query.To.ToUnixTimeMilliseconds();
        var host = query.Host is null ? null : System.Net.IPAddress.Parse(query.Host).ToString().ToLowerInvariant();
        var aggregator = new TopAggregator(report);
        foreach (var probe in probes)
        {
            // Every summary and interval list counts (an empty one when it does not mention the host), so that a
            // host missing from some of them is marked a lower bound as when no host is asked for.
            var summaries = new Dictionary<(long Period, long Start), bool>();
            using (var command = Command(connection, null,
                "SELECT period, start, " + (host is null ? "1" : "instr(hosts, $h) > 0")
                + " FROM summaries WHERE report=$r AND period IN (3600, 86400) AND probe=$p AND start >= $f AND start < $t"))
            {
                command.Parameters.AddWithValue("$r", report.Name);
                command.Parameters.AddWithValue("$p", probe);
                command.Parameters.AddWithValue("$f", from);
                command.Parameters.AddWithValue("$t", to);
                if (host is not null) command.Parameters.AddWithValue("$h", $" {host} ");
                using var reader = command.ExecuteReader();
                while (reader.Read()) summaries[(reader.GetInt64(0), reader.GetInt64(1))] = reader.GetInt64(2) != 0;
            }
            var summarizedUntil = Scalar<long?>(connection, null, "SELECT summarized_until FROM probes WHERE id=$p", ("$p", probe)) ?? long.MinValue;
            foreach (var segment in SummarySegments.Split(from, to, summarizedUntil))
            {
                if (segment.Period == 0)
                {
                    using var command = Command(connection, null,
                        "SELECT " + (host is null ? "rows" : "CASE WHEN instr(hosts, $h) > 0 THEN rows END")
                        + " FROM reports WHERE report=$r AND probe=$p AND start >= $f AND start < $t");
                    command.Parameters.AddWithValue("$r", report.Name);
                    command.Parameters.AddWithValue("$p", probe);
                    command.Parameters.AddWithValue("$f", segment.Start);
                    command.Parameters.AddWithValue("$t", segment.End);
                    if (host is not null) command.Parameters.AddWithValue("$h", $" {host} ");
                    using var reader = command.ExecuteReader();
                    while (reader.Read()) Add(aggregator, report, reader.IsDBNull(0) ? [] : ReadRows(reader, 0), host);
                }
                else if (summaries.TryGetValue((segment.Period, segment.Start), out var mentions))
                {
                    if (!mentions)
                    {
                        aggregator.AddRange([]);
                        continue;
                    }
                    using var command = Command(connection, null,
                        "SELECT rows FROM summaries WHERE report=$r AND period=$per AND probe=$p AND start=$s");
                    command.Parameters.AddWithValue("$r", report.Name);
                    command.Parameters.AddWithValue("$per", segment.Period);
                    command.Parameters.AddWithValue("$p", probe);
                    command.Parameters.AddWithValue("$s", segment.Start);
                    using var reader = command.ExecuteReader();
                    if (reader.Read()) Add(aggregator, report, ReadRows(reader, 0), host);
                }
            }
        }
        return aggregator.Top(query.N, query.SortBy);
    }

    private static void Add(TopAggregator aggregator, ReportInfo report, IReadOnlyList<ReportRow> rows, string? host) =>
        aggregator.AddRange(host is null ? rows : rows.Where(row => TopAggregator.Mentions(report, row, host)));

    private IReadOnlyList<MonitorEvent> QueryEvents(EventQuery query)
    {
        using var connection = Open();
        var probes = QueryGuard.Probes(query.Probes);
        using var command = Command(connection, null,
            "SELECT event FROM events WHERE time >= $f AND time <= $t"
            + (query.Kind is null ? "" : " AND kind=$k")
            + (probes is null ? "" : $" AND probe IN ({string.Join(',', probes.Select((_, i) => "$p" + i))})")
            + (query.Newest ? " ORDER BY time DESC, id DESC LIMIT $l" : " ORDER BY time, id LIMIT $l"));
        command.Parameters.AddWithValue("$f", query.From.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$t", query.To.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$l", query.Limit);
        if (query.Kind is not null) command.Parameters.AddWithValue("$k", query.Kind);
        if (probes is not null)
            for (var i = 0; i < probes.Count; i++) command.Parameters.AddWithValue("$p" + i, probes[i]);
        var list = new List<MonitorEvent>();
        using var reader = command.ExecuteReader();
        while (reader.Read()) list.Add(JsonSerializer.Deserialize(reader.GetString(0), StoreJson.Default.MonitorEvent)!);
        return list;
    }

    private IReadOnlyList<IntervalSnapshot> QueryIntervals(IntervalQuery query)
    {
        using var connection = Open();
        var probes = ProbeFilter(connection, QueryGuard.Probes(query.Probes));
        if (probes is { Count: 0 }) return [];
        var probeClause = probes is null ? "" : $"AND i.probe IN ({string.Join(',', probes)})";
        using var command = Command(connection, null,
            $"SELECT i.probe, i.start, i.snapshot FROM intervals i WHERE i.start >= $f AND i.start <= $t {probeClause} ORDER BY i.start, i.probe LIMIT $l");
        command.Parameters.AddWithValue("$f", query.From.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$t", query.To.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$l", query.Limit);
        var found = new List<(long Probe, long Start, IntervalSnapshot Snapshot)>();
        using (var reader = command.ExecuteReader())
            while (reader.Read())
                found.Add((reader.GetInt64(0), reader.GetInt64(1), Unpack(reader, 2, StoreJson.Default.IntervalSnapshot)));
        if (found.Count == 0) return [];
        var byKey = new Dictionary<(long Probe, long Start), Dictionary<string, IReadOnlyList<ReportRow>>>();
        var probeIds = found.Select(f => f.Probe).Distinct().ToList();
        using (var reports = Command(connection, null,
            $"SELECT probe, start, rows FROM reports WHERE report=$r AND start >= $f AND start <= $t AND probe IN ({string.Join(',', probeIds)})"))
        {
            var r = reports.Parameters.Add("$r", SqliteType.Text);
            reports.Parameters.AddWithValue("$f", found.Min(f => f.Start));
            reports.Parameters.AddWithValue("$t", found.Max(f => f.Start));
            foreach (var name in ReportNames(connection))
            {
                r.Value = name;
                using var reader = reports.ExecuteReader();
                while (reader.Read())
                {
                    var key = (reader.GetInt64(0), reader.GetInt64(1));
                    if (!byKey.TryGetValue(key, out var byName)) byKey[key] = byName = new(StringComparer.Ordinal);
                    byName[name] = ReadRows(reader, 2);
                }
            }
        }
        return found
            .Select(f => byKey.TryGetValue((f.Probe, f.Start), out var byName) ? f.Snapshot with { Reports = byName } : f.Snapshot)
            .ToList();
    }

    private static List<string> ReportNames(SqliteConnection connection, SqliteTransaction? transaction = null)
    {
        var names = ReportCatalog.All.Select(r => r.Name).ToList();
        using var command = Command(connection, transaction, "SELECT name FROM report_names");
        using var reader = command.ExecuteReader();
        while (reader.Read()) if (!names.Contains(reader.GetString(0))) names.Add(reader.GetString(0));
        return names;
    }

    private static List<long> AllMetricIds(SqliteConnection connection, SqliteTransaction transaction)
    {
        using var command = Command(connection, transaction, "SELECT id FROM metrics ORDER BY id");
        var ids = new List<long>();
        using var reader = command.ExecuteReader();
        while (reader.Read()) ids.Add(reader.GetInt64(0));
        return ids;
    }

    private IReadOnlyList<ProbeStatus> QueryProbes()
    {
        using var connection = Open();
        using var command = Command(connection, null,
            "SELECT name, last_start, last_end, last_packets, last_drops, version, last_seen FROM probes ORDER BY name");
        var list = new List<ProbeStatus>();
        using var reader = command.ExecuteReader();
        while (reader.Read())
            list.Add(new ProbeStatus(reader.GetString(0), Time(reader, 1), Time(reader, 2), reader.GetInt64(3), reader.GetDouble(4),
                reader.IsDBNull(5) ? null : reader.GetString(5), Time(reader, 6)));
        return list;

        static DateTimeOffset? Time(SqliteDataReader reader, int i) =>
            reader.IsDBNull(i) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(i));
    }
}
