using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Monitor.Storage.Consolidation;
using Monitor.Storage.Model;
using Monitor.Storage.Model.Metrics;
using Monitor.Storage.Model.Queries;
using Monitor.Storage.Model.Reports;
using Monitor.Storage.Model.Snapshots;
using Monitor.Storage.Summaries;

namespace Monitor.Storage.Influx;

/// <summary>
/// InfluxDB through its v1 HTTP API. Layout (every point tagged with its probe):
/// <list type="bullet">
/// <item>monitor_1s.seconds — one field per metric, one point per second.</item>
/// <item>monitor_interval.interval_metrics (metric fields + _dur), .interval_snapshots (JSON), .reports (report tag, rows JSON).</item>
/// <item>monitor_5m.consolidated and monitor_1h.consolidated — per metric "m" (average), "m|min", "m|max", plus _dur.</item>
/// <item>monitor_5m.summaries (hourly top-N) and monitor_1h.summaries (daily top-N), report tag, rows JSON.</item>
/// <item>monitor_events.events (id and kind tags), monitor_meta.probes (status at time 0, merged field by field).</item>
/// </list>
/// The store consolidates and summarizes itself after each batch of interval writes instead of using continuous queries:
/// CQs only see recent wall-clock windows, so replayed captures and intervals a spool delivers late would
/// never be consolidated, and they cannot weight averages by interval length. Retention is measured back from each
/// probe's newest data, as in SQLite, so a replayed capture from years ago is kept like live data: the retention
/// policies keep everything (INF; a wall-clock policy would drop such points on write, silently) and the store
/// removes what its Storage settings no longer keep every <see cref="PruneEvery"/> of a probe's data (PruneAsync).
/// </summary>
public sealed partial class InfluxStore : IMonitorStore
{
    internal const string SecondPolicy = "monitor_1s";
    internal const string IntervalPolicy = "monitor_interval";
    internal const string FiveMinutePolicy = "monitor_5m";
    internal const string HourPolicy = "monitor_1h";
    internal const string EventPolicy = "monitor_events";
    internal const string MetaPolicy = "monitor_meta";
    private const string Duration = "_dur";
    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(10);

    private readonly InfluxSpec _spec;
    private readonly StorageOptions _options;
    private readonly ILogger _logger;
    private readonly InfluxClient _client;
    private readonly SemaphoreSlim _setupGate = new(1, 1);
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _probeGates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ProbeState> _probeStates = new(StringComparer.Ordinal);
    private volatile bool _ready;

    public InfluxStore(InfluxSpec spec, StorageOptions? options = null, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(spec);
        _spec = spec;
        _options = options ?? new StorageOptions();
        _options.Validate();
        _logger = logger ?? NullLogger.Instance;
        _client = new InfluxClient(spec, _options.InfluxTimeout, _options.InfluxChunkSize);
    }

    public InfluxSpec Spec => _spec;

    public async Task WriteSecondsAsync(IReadOnlyList<SecondPoint> points, CancellationToken cancellationToken = default)
    {
        IntervalChecks.Validate(points);
        if (points.Count == 0) return;
        await EnsureReadyAsync(cancellationToken);
        var lines = new LineProtocol();
        var newest = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var point in points)
        {
            lines.Point("seconds").Tag("probe", point.Probe);
            foreach (var (name, value) in point.Metrics) lines.Field(name, value);
            var ms = point.Time.ToUnixTimeSeconds() * 1000;
            lines.Time(ms);
            newest[point.Probe] = Math.Max(newest.GetValueOrDefault(point.Probe), ms + 1000);
            if (lines.Lines >= _options.InfluxBatchSize)
            {
                await _client.WriteAsync(SecondPolicy, lines.ToString(), cancellationToken);
                lines = new LineProtocol();
            }
        }
        await _client.WriteAsync(SecondPolicy, lines.ToString(), cancellationToken);
        var status = new LineProtocol();
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        foreach (var (probe, ms) in newest)
        {
            var state = await StateAsync(probe, cancellationToken);
            state.Newest = Math.Max(state.Newest, ms);
            status.Point("probes").Tag("probe", probe).Field("newest", state.Newest).Field("last_seen", now).Time(0);
        }
        await _client.WriteAsync(MetaPolicy, status.ToString(), cancellationToken);
    }

    public async Task WriteEventsAsync(IReadOnlyList<MonitorEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0) return;
        await EnsureReadyAsync(cancellationToken);
        var lines = new LineProtocol();
        var status = new LineProtocol();
        foreach (var e in events)
        {
            if (string.IsNullOrWhiteSpace(e.Id)) throw new ArgumentException("an event needs an id");
            lines.Point("events").Tag("id", e.Id).Tag("kind", e.Kind);
            if (!string.IsNullOrEmpty(e.Probe)) lines.Tag("probe", e.Probe);
            lines.Field("event", JsonSerializer.Serialize(e, StoreJson.Default.MonitorEvent)).Time(e.Time.ToUnixTimeMilliseconds());
            if (e.Kind == EventKinds.ProbeStart && !string.IsNullOrWhiteSpace(e.Probe) && e.Details.TryGetValue("version", out var version))
                status.Point("probes").Tag("probe", e.Probe).Field("version", version)
                    .Field("last_seen", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).Time(0);
        }
        await _client.WriteAsync(EventPolicy, lines.ToString(), cancellationToken);
        await _client.WriteAsync(MetaPolicy, status.ToString(), cancellationToken);
    }

    public async Task<SeriesResult> QuerySeriesAsync(SeriesQuery query, CancellationToken cancellationToken = default)
    {
        var metric = QueryGuard.Check(query);
        await EnsureReadyAsync(cancellationToken);
        var probes = QueryGuard.Probes(query.Probes);
        // The tiers reach back from the newest data of the probes asked for, as in the SQLite store.
        var statuses = (await ReadStatusAsync(cancellationToken))
            .Where(s => probes is null || probes.Contains(s.Tags.GetValueOrDefault("probe") ?? "", StringComparer.Ordinal)).ToList();
        DateTimeOffset? newest = statuses.Count == 0 ? null : DateTimeOffset.FromUnixTimeMilliseconds(statuses.Max(s => Long(s, "newest")));
        var step = statuses.Select(s => Number(s, "interval_seconds")).DefaultIfEmpty(0).Max();
        var plans = TierPlanner.Plan(TierPlanner.Tiers(_options, TimeSpan.FromSeconds(step > 0 ? step : 30)),
            query.From, query.To, query.MaxPoints, newest);
        var field = InfluxQl.Identifier(metric.Name);
        foreach (var (tier, bucket) in plans)
        {
            var (policy, measurement, select) = tier.Kind switch
            {
                TierKind.Second => (SecondPolicy, "seconds", $"min({field}), mean({field}), max({field})"),
                TierKind.Interval => (IntervalPolicy, "interval_metrics", $"min({field}), mean({field}), max({field})"),
                TierKind.FiveMinute => (FiveMinutePolicy, "consolidated",
                    $"min({InfluxQl.Identifier(metric.Name + "|min")}), mean({field}), max({InfluxQl.Identifier(metric.Name + "|max")})"),
                _ => (HourPolicy, "consolidated",
                    $"min({InfluxQl.Identifier(metric.Name + "|min")}), mean({field}), max({InfluxQl.Identifier(metric.Name + "|max")})"),
            };
            var statement = $"SELECT {select} FROM {From(policy, measurement)} WHERE time >= {InfluxQl.Time(query.From.ToUnixTimeSeconds() * 1000)} " +
                $"AND time <= {InfluxQl.Time(query.To.ToUnixTimeSeconds() * 1000)}{InfluxQl.ProbeClause(probes)} " +
                $"GROUP BY time({bucket.ToString(CultureInfo.InvariantCulture)}s), \"probe\" fill(none)";
            var series = (await _client.QueryAsync(statement, cancellationToken))[0];
            var buckets = new SortedDictionary<long, List<(double Min, double Avg, double Max)>>();
            foreach (var s in series)
                foreach (var row in s.Rows)
                {
                    if (row[2] is null) continue;
                    var time = (long)row[0]!;
                    if (!buckets.TryGetValue(time, out var list)) buckets[time] = list = [];
                    list.Add((ToDouble(row[1]), ToDouble(row[2]), ToDouble(row[3])));
                }
            if (buckets.Count == 0) continue;
            var points = buckets.Select(kv => metric.Kind == MetricKind.Rate
                    ? new SeriesBucket(DateTimeOffset.FromUnixTimeMilliseconds(kv.Key), kv.Value.Sum(p => p.Min), kv.Value.Sum(p => p.Avg), kv.Value.Sum(p => p.Max))
                    : new SeriesBucket(DateTimeOffset.FromUnixTimeMilliseconds(kv.Key), kv.Value.Max(p => p.Min), kv.Value.Max(p => p.Avg), kv.Value.Max(p => p.Max)))
                .ToList();
            return new SeriesResult(metric.Name, TimeSpan.FromSeconds(bucket), points);
        }
        return new SeriesResult(metric.Name, TimeSpan.FromSeconds(plans[0].BucketSeconds), []);
    }

    public async Task<IReadOnlyList<ReportRow>> QueryTopAsync(TopQuery query, CancellationToken cancellationToken = default)
    {
        var report = QueryGuard.Check(query);
        await EnsureReadyAsync(cancellationToken);
        var names = QueryGuard.Probes(query.Probes) ?? (await ReadStatusAsync(cancellationToken)).Select(s => s.Tags["probe"]).ToList();
        var from = query.From.ToUnixTimeMilliseconds();
        var to = query.To.ToUnixTimeMilliseconds();
        var host = query.Host is null ? null : System.Net.IPAddress.Parse(query.Host).ToString();
        var aggregator = new TopAggregator(report);
        var statuses = (await ReadStatusAsync(cancellationToken)).ToDictionary(s => s.Tags["probe"], StringComparer.Ordinal);
        foreach (var probe in names)
        {
            if (!statuses.TryGetValue(probe, out var status)) continue;
            var summarizedUntil = status.Values.TryGetValue("summarized_until", out var u) && u is not null ? Convert.ToInt64(u, CultureInfo.InvariantCulture) : long.MinValue;
            var segments = SummarySegments.Split(from, to, summarizedUntil).ToList();
            var summaries = new Dictionary<(long Period, long Start), string>();
            if (segments.Any(s => s.Period != 0))
            {
                var where = $"WHERE \"report\"={InfluxQl.Literal(report.Name)} AND \"probe\"={InfluxQl.Literal(probe)} " +
                    $"AND time >= {InfluxQl.Time(from)} AND time < {InfluxQl.Time(to)}";
                var results = await _client.QueryAsync(
                    $"SELECT \"rows\" FROM {From(FiveMinutePolicy, "summaries")} {where}; SELECT \"rows\" FROM {From(HourPolicy, "summaries")} {where}",
                    cancellationToken);
                foreach (var (period, series) in new[] { (3600L, results[0]), (86400L, results[1]) })
                    foreach (var s in series)
                        foreach (var row in s.Rows)
                            summaries[(period, (long)row[0]!)] = (string)row[1]!;
            }
            foreach (var segment in segments)
            {
                if (segment.Period == 0)
                {
                    // Streamed chunk by chunk into the aggregator: a long raw stretch never sits in memory whole.
                    await foreach (var (_, s) in _client.QueryChunksAsync(
                        $"SELECT \"rows\" FROM {From(IntervalPolicy, "reports")} WHERE \"report\"={InfluxQl.Literal(report.Name)} " +
                        $"AND \"probe\"={InfluxQl.Literal(probe)} AND time >= {InfluxQl.Time(segment.Start)} AND time < {InfluxQl.Time(segment.End)}",
                        cancellationToken))
                        foreach (var row in s.Rows) Add(aggregator, report, ReadRows((string)row[1]!), host);
                }
                else if (summaries.TryGetValue((segment.Period, segment.Start), out var json))
                {
                    Add(aggregator, report, ReadRows(json), host);
                }
            }
        }
        return aggregator.Top(query.N, query.SortBy);
    }

    public async Task<IReadOnlyList<MonitorEvent>> QueryEventsAsync(EventQuery query, CancellationToken cancellationToken = default)
    {
        QueryGuard.Check(query);
        await EnsureReadyAsync(cancellationToken);
        var probes = QueryGuard.Probes(query.Probes);
        var statement = $"SELECT \"event\" FROM {From(EventPolicy, "events")} WHERE time >= {InfluxQl.Time(query.From.ToUnixTimeMilliseconds())} " +
            $"AND time <= {InfluxQl.Time(query.To.ToUnixTimeMilliseconds())}{InfluxQl.ProbeClause(probes)}" +
            (query.Kind is null ? "" : $" AND \"kind\"={InfluxQl.Literal(query.Kind)}") +
            (query.Newest ? $" ORDER BY time DESC LIMIT {query.Limit}" : "");
        var events = new List<MonitorEvent>();
        foreach (var s in (await _client.QueryAsync(statement, cancellationToken))[0])
            foreach (var row in s.Rows)
                events.Add(JsonSerializer.Deserialize((string)row[1]!, StoreJson.Default.MonitorEvent)!);
        var ordered = query.Newest
            ? events.OrderByDescending(e => e.Time).ThenByDescending(e => e.Id, StringComparer.Ordinal)
            : events.OrderBy(e => e.Time).ThenBy(e => e.Id, StringComparer.Ordinal);
        return ordered.Take(query.Limit).ToList();
    }

    public async Task<IReadOnlyList<IntervalSnapshot>> QueryIntervalsAsync(IntervalQuery query, CancellationToken cancellationToken = default)
    {
        QueryGuard.Check(query);
        await EnsureReadyAsync(cancellationToken);
        var probes = QueryGuard.Probes(query.Probes);
        var where = $"WHERE time >= {InfluxQl.Time(query.From.ToUnixTimeMilliseconds())} AND time <= {InfluxQl.Time(query.To.ToUnixTimeMilliseconds())}" +
            InfluxQl.ProbeClause(probes);
        var results = await _client.QueryAsync(
            $"SELECT \"snapshot\" FROM {From(IntervalPolicy, "interval_snapshots")} {where} GROUP BY \"probe\" LIMIT {query.Limit}; " +
            $"SELECT \"rows\" FROM {From(IntervalPolicy, "reports")} {where} GROUP BY \"probe\", \"report\" LIMIT {query.Limit}",
            cancellationToken);
        var reports = new Dictionary<(string Probe, long Start), Dictionary<string, IReadOnlyList<ReportRow>>>();
        foreach (var s in results[1])
            foreach (var row in s.Rows)
            {
                var key = (s.Tags["probe"], (long)row[0]!);
                if (!reports.TryGetValue(key, out var byName)) reports[key] = byName = new(StringComparer.Ordinal);
                byName[s.Tags["report"]] = ReadRows((string)row[1]!);
            }
        var snapshots = new List<IntervalSnapshot>();
        foreach (var s in results[0])
            foreach (var row in s.Rows)
            {
                var snapshot = JsonSerializer.Deserialize((string)row[1]!, StoreJson.Default.IntervalSnapshot)!;
                snapshots.Add(reports.TryGetValue((s.Tags["probe"], (long)row[0]!), out var byName) ? snapshot with { Reports = byName } : snapshot);
            }
        return snapshots.OrderBy(i => i.Start).ThenBy(i => i.Probe, StringComparer.Ordinal).Take(query.Limit).ToList();
    }

    public async Task<IReadOnlyList<ProbeStatus>> QueryProbesAsync(CancellationToken cancellationToken = default)
    {
        await EnsureReadyAsync(cancellationToken);
        return (await ReadStatusAsync(cancellationToken))
            .Select(s => new ProbeStatus(
                s.Tags["probe"],
                Time(s, "last_start"), Time(s, "last_end"), Long(s, "last_packets"), Number(s, "last_drops"),
                s.Values.GetValueOrDefault("version") as string, Time(s, "last_seen")))
            .OrderBy(p => p.Probe, StringComparer.Ordinal)
            .ToList();
    }

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        _setupGate.Dispose();
        return ValueTask.CompletedTask;
    }

    // ---- set-up and status ----

    private async Task EnsureReadyAsync(CancellationToken cancellationToken)
    {
        if (_ready) return;
        await _setupGate.WaitAsync(cancellationToken);
        try
        {
            if (_ready) return;
            var db = InfluxQl.Identifier(_spec.Database);
            await _client.QueryAsync($"CREATE DATABASE {db}", cancellationToken);
            var existing = (await _client.QueryAsync($"SHOW RETENTION POLICIES ON {db}", cancellationToken))[0]
                .SelectMany(s => s.Rows.Select(r => r[0] as string)).ToHashSet(StringComparer.Ordinal);
            // Every policy keeps everything: pruning is the store's, relative to the data (see PruneAsync), with
            // shards fit for each retention (the 5-minute and 1-hour levels are pruned by whole shards).
            var intervalKeep = _options.IntervalRetention > _options.ReportRetention ? _options.IntervalRetention : _options.ReportRetention;
            var statements = new List<string>();
            foreach (var (policy, shards) in new (string, TimeSpan?)[]
            {
                (SecondPolicy, ShardDuration(_options.SecondRetention)), (IntervalPolicy, ShardDuration(intervalKeep)),
                (FiveMinutePolicy, ShardDuration(_options.FiveMinuteRetention)), (HourPolicy, ShardDuration(_options.HourRetention)),
                (EventPolicy, ShardDuration(_options.EventRetention)), (MetaPolicy, null),
            })
            {
                var shardClause = shards is { } d ? $" SHARD DURATION {(long)d.TotalHours}h" : "";
                statements.Add(existing.Contains(policy)
                    ? $"ALTER RETENTION POLICY {InfluxQl.Identifier(policy)} ON {db} DURATION INF{shardClause}"
                    : $"CREATE RETENTION POLICY {InfluxQl.Identifier(policy)} ON {db} DURATION INF REPLICATION 1{shardClause}");
            }
            await _client.QueryAsync(string.Join("; ", statements), cancellationToken);
            _ready = true;
            _logger.LogInformation("InfluxDB store {Spec} ready (database and retention policies in place)", _spec);
        }
        catch (InvalidOperationException e)
        {
            throw new StoreWriteException($"InfluxDB {_spec}: could not set up the database: {e.Message}", e);
        }
        finally
        {
            _setupGate.Release();
        }
    }

    private async Task<ProbeState> StateAsync(string probe, CancellationToken cancellationToken)
    {
        if (_probeStates.TryGetValue(probe, out var state)) return state;
        var series = (await _client.QueryAsync(
            $"SELECT * FROM {From(MetaPolicy, "probes")} WHERE \"probe\"={InfluxQl.Literal(probe)}", cancellationToken))[0];
        state = new ProbeState();
        if (series.Count > 0 && series[0].Rows.Count > 0)
        {
            var status = Status(series[0], series[0].Rows[0]);
            state.Newest = Long(status, "newest");
            state.LastStart = status.Values.GetValueOrDefault("last_start") is null ? null : Long(status, "last_start");
            state.SummarizedUntil = status.Values.GetValueOrDefault("summarized_until") is null ? null : Long(status, "summarized_until");
            state.PrunedAt = status.Values.GetValueOrDefault("pruned_at") is null ? null : Long(status, "pruned_at");
        }
        return _probeStates.GetOrAdd(probe, state);
    }

    private async Task<List<StatusRow>> ReadStatusAsync(CancellationToken cancellationToken)
    {
        var series = (await _client.QueryAsync($"SELECT * FROM {From(MetaPolicy, "probes")} GROUP BY \"probe\"", cancellationToken))[0];
        return series.Where(s => s.Rows.Count > 0).Select(s => Status(s, s.Rows[^1])).ToList();
    }

    private static StatusRow Status(InfluxSeries series, object?[] row)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        for (var i = 0; i < series.Columns.Count; i++) values[series.Columns[i]] = row[i];
        var tags = new Dictionary<string, string>(series.Tags, StringComparer.Ordinal);
        if (!tags.ContainsKey("probe") && values.GetValueOrDefault("probe") is string p) tags["probe"] = p;
        return new StatusRow(tags, values);
    }

    private string From(string policy, string measurement) =>
        $"{InfluxQl.Identifier(_spec.Database)}.{InfluxQl.Identifier(policy)}.{InfluxQl.Identifier(measurement)}";

    private static void Add(TopAggregator aggregator, ReportInfo report, IReadOnlyList<ReportRow> rows, string? host) =>
        aggregator.AddRange(host is null ? rows : rows.Where(row => TopAggregator.Mentions(report, row, host)));

    private static IReadOnlyList<ReportRow> ReadRows(string json) =>
        JsonSerializer.Deserialize(json, StoreJson.Default.ListReportRow) ?? [];

    private static double ToDouble(object? value) => value switch
    {
        long l => l,
        double d => d,
        _ => 0,
    };

    private static double Number(StatusRow status, string name) => ToDouble(status.Values.GetValueOrDefault(name));

    private static long Long(StatusRow status, string name) => status.Values.GetValueOrDefault(name) switch
    {
        long l => l,
        double d => (long)d,
        _ => 0,
    };

    private static DateTimeOffset? Time(StatusRow status, string name) =>
        status.Values.GetValueOrDefault(name) is long or double ? DateTimeOffset.FromUnixTimeMilliseconds(Long(status, name)) : null;

    private sealed record StatusRow(IReadOnlyDictionary<string, string> Tags, IReadOnlyDictionary<string, object?> Values);

    /// <summary>What this process knows of a probe it writes for (one writer process per probe name).</summary>
    private sealed class ProbeState
    {
        public long Newest { get; set; }
        public long? LastStart { get; set; }
        public long? SummarizedUntil { get; set; }
        public long? PrunedAt { get; set; }
    }
}
