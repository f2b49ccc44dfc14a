using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Monitor.Storage.Consolidation;
using Monitor.Storage.Metrics;
using Monitor.Storage.Queries;
using Monitor.Storage.Reports;
using Monitor.Storage.Snapshots;
using Monitor.Storage.Summaries;

namespace Monitor.Storage.Sqlite;

/// <summary>
/// The default store: one SQLite file in WAL mode, shared safely by probe and site processes (writers take
/// an immediate transaction and wait up to the busy timeout). Each interval write also refreshes its
/// 5-minute and 1-hour consolidations and, once an hour is over, that hour's (and day's) top-N summaries.
/// </summary>
public sealed class SqliteStore : IMonitorStore
{
    private const long HourMs = SummarySegments.HourMs;
    private const long DayMs = SummarySegments.DayMs;
    private static readonly TimeSpan PruneEvery = TimeSpan.FromMinutes(10);
    /// <summary>Intervals per transaction of a bulk write: big enough to amortize the per-batch work, short enough not to hold the write lock for long.</summary>
    private const int IntervalsPerTransaction = 500;

    private readonly string _connectionString;
    private readonly StorageOptions _options;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _writeGate = new(1, 1);
    private readonly Dictionary<string, long> _metricIds = new(StringComparer.Ordinal);
    private readonly Lock _idLock = new();

    public SqliteStore(string path, StorageOptions? options = null, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        _options = options ?? new StorageOptions();
        _options.Validate();
        _logger = logger ?? NullLogger.Instance;
        Path = System.IO.Path.GetFullPath(path);
        var directory = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(directory)) Directory.CreateDirectory(directory);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        using var connection = Open();
        CheckVersion(connection);
        Execute(connection, "PRAGMA journal_mode=WAL;");
        using var transaction = connection.BeginTransaction();
        Execute(connection, SqliteSchema.Create, transaction);
        transaction.Commit();
    }

    public string Path { get; }

    /// <summary>Refuses, at open, a file whose rows this version cannot read instead of failing on every old row later.</summary>
    private void CheckVersion(SqliteConnection connection)
    {
        var version = Scalar<long>(connection, null, "PRAGMA user_version");
        if (version == SqliteSchema.Version || Scalar<long>(connection, null, "SELECT count(*) FROM sqlite_master WHERE type='table'") == 0) return;
        if (version == 0 && Scalar<long>(connection, null, SqliteSchema.UnstampedCurrentLayout) == 1) return;
        var maker = version > SqliteSchema.Version ? "a newer" : "an older";
        throw new InvalidDataException(
            $"SQLite store {Path} was made by {maker} Monitor version (schema {version}, this version uses {SqliteSchema.Version}) and cannot be read; move it aside and start with a new file");
    }

    /// <summary>A page limit applied to every connection (SQLite's max_page_count): lets tests fill the "disk".</summary>
    internal long? MaxPageCount
    {
        get => _maxPageCount;
        set
        {
            _maxPageCount = value;
            _pageLimitUsed = true;
        }
    }

    internal long PageCount()
    {
        using var connection = Open();
        return Scalar<long>(connection, null, "PRAGMA page_count");
    }

    private long? _maxPageCount;
    private bool _pageLimitUsed;

    public async Task WriteIntervalsAsync(IReadOnlyList<IntervalSnapshot> snapshots, CancellationToken cancellationToken = default)
    {
        IntervalChecks.Validate(snapshots);
        foreach (var chunk in snapshots.Chunk(IntervalsPerTransaction))
            await WriteAsync(connection => WriteIntervals(connection, chunk), cancellationToken);
    }

    public async Task WriteSecondsAsync(IReadOnlyList<SecondPoint> points, CancellationToken cancellationToken = default)
    {
        IntervalChecks.Validate(points);
        if (points.Count == 0) return;
        await WriteAsync(connection => WriteSeconds(connection, points), cancellationToken);
    }

    public async Task WriteEventsAsync(IReadOnlyList<MonitorEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0) return;
        await WriteAsync(connection => WriteEvents(connection, events), cancellationToken);
    }

    public Task<SeriesResult> QuerySeriesAsync(SeriesQuery query, CancellationToken cancellationToken = default)
    {
        var metric = QueryGuard.Check(query);
        return Task.Run(() => QuerySeries(query, metric), cancellationToken);
    }

    public Task<IReadOnlyList<ReportRow>> QueryTopAsync(TopQuery query, CancellationToken cancellationToken = default)
    {
        var report = QueryGuard.Check(query);
        return Task.Run(() => QueryTop(query, report), cancellationToken);
    }

    public Task<IReadOnlyList<MonitorEvent>> QueryEventsAsync(EventQuery query, CancellationToken cancellationToken = default)
    {
        QueryGuard.Check(query);
        return Task.Run(() => QueryEvents(query), cancellationToken);
    }

    public Task<IReadOnlyList<IntervalSnapshot>> QueryIntervalsAsync(IntervalQuery query, CancellationToken cancellationToken = default)
    {
        QueryGuard.Check(query);
        return Task.Run(() => QueryIntervals(query), cancellationToken);
    }

    public Task<IReadOnlyList<ProbeStatus>> QueryProbesAsync(CancellationToken cancellationToken = default) =>
        Task.Run(QueryProbes, cancellationToken);

    public ValueTask DisposeAsync()
    {
        using (var connection = new SqliteConnection(_connectionString)) SqliteConnection.ClearPool(connection);
        _writeGate.Dispose();
        return ValueTask.CompletedTask;
    }

    // ---- writing ----

    private async Task WriteAsync(Action<SqliteConnection> write, CancellationToken cancellationToken)
    {
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            await Task.Run(() =>
            {
                using var connection = Open();
                write(connection);
            }, cancellationToken);
        }
        catch (SqliteException e) when (e.SqliteErrorCode is 13 /* SQLITE_FULL */)
        {
            throw new StoreWriteException($"SQLite store {Path} is full (disk or page limit): {e.Message}", e);
        }
        finally
        {
            _writeGate.Release();
        }
    }

    /// <summary>
    /// Writes a batch in one immediate transaction with prepared commands; the 5-minute and hourly consolidations
    /// and the summaries are redone once per batch for the buckets, hours and days it touched (same result as
    /// interval by interval: both are recomputed from what is stored).
    /// </summary>
    private void WriteIntervals(SqliteConnection connection, IReadOnlyList<IntervalSnapshot> batch)
    {
        using var transaction = connection.BeginTransaction();
        using var commands = new IntervalCommands(connection, transaction);
        var reportNames = ReportNames(connection, transaction);
        foreach (var group in batch.GroupBy(s => s.Probe, StringComparer.Ordinal))
        {
            var probe = ProbeId(connection, transaction, group.Key);
            var known = Row(connection, transaction, "SELECT last_start, summarized_until FROM probes WHERE id=$p", ("$p", probe));
            var lastStart = known?[0] as long?;
            var summarizedUntil = known?[1] as long?;
            var fiveMinuteBuckets = new SortedSet<long>();
            var metricIds = new HashSet<long>();
            IntervalSnapshot? latest = null;
            long newest = long.MinValue;
            foreach (var snapshot in group)
            {
                var startMs = snapshot.Start.ToUnixTimeMilliseconds();
                var time = snapshot.Start.ToUnixTimeSeconds();
                var replay = lastStart is { } last && startMs <= last;
                commands.Interval(probe, startMs, snapshot.End.ToUnixTimeMilliseconds(),
                    Pack(snapshot with { Seconds = [], Reports = new Dictionary<string, IReadOnlyList<ReportRow>>() }, StoreJson.Default.IntervalSnapshot));
                if (replay)
                {
                    commands.DeleteReports(probe, startMs, reportNames);
                    commands.DeleteIntervalPoints(probe, time, AllMetricIds(connection, transaction));
                }
                foreach (var (name, rows) in snapshot.Reports)
                {
                    var info = ReportCatalog.Find(name);
                    if (!reportNames.Contains(name))
                    {
                        Execute(connection, "INSERT OR IGNORE INTO report_names(name) VALUES($n)", transaction, ("$n", name));
                        reportNames.Add(name);
                    }
                    commands.Report(name, probe, startMs, info is null ? "" : TopAggregator.HostText(info, rows), Pack(rows, StoreJson.Default.IReadOnlyListReportRow));
                }
                var duration = Math.Max(snapshot.Duration.TotalSeconds, 0.001);
                foreach (var (name, value) in SnapshotMetrics.Of(snapshot))
                {
                    var id = MetricId(connection, transaction, name);
                    metricIds.Add(id);
                    commands.Point(id, probe, time, duration, value);
                }
                fiveMinuteBuckets.Add(Floor(time, 300));
                if (latest is null || snapshot.Start >= latest.Start) latest = snapshot;
                newest = Math.Max(newest, snapshot.End.ToUnixTimeMilliseconds());
                lastStart = lastStart is { } l ? Math.Max(l, startMs) : startMs;
            }
            Consolidate(connection, transaction, probe, metricIds, fiveMinuteBuckets);
            UpdateProbe(connection, transaction, probe, latest!, newest);
            Summarize(connection, transaction, probe, SummaryPlan.For(summarizedUntil, group.Select(s => s.Start.ToUnixTimeMilliseconds())), reportNames);
            Prune(connection, transaction, probe, reportNames);
        }
        transaction.Commit();
    }

    private static void UpdateProbe(SqliteConnection connection, SqliteTransaction transaction, long probe, IntervalSnapshot latest, long newest) =>
        Execute(connection, """
            UPDATE probes SET interval_seconds=$d,
                last_start = CASE WHEN last_start IS NULL OR last_start <= $s THEN $s ELSE last_start END,
                last_end = CASE WHEN last_start IS NULL OR last_start <= $s THEN $e ELSE last_end END,
                last_packets = CASE WHEN last_start IS NULL OR last_start <= $s THEN $n ELSE last_packets END,
                last_drops = CASE WHEN last_start IS NULL OR last_start <= $s THEN $x ELSE last_drops END,
                last_seen = $now, newest = max(coalesce(newest, 0), $newest)
            WHERE id=$p
            """, transaction,
            ("$d", Math.Max(latest.Duration.TotalSeconds, 0.001)), ("$s", latest.Start.ToUnixTimeMilliseconds()),
            ("$e", latest.End.ToUnixTimeMilliseconds()), ("$n", latest.Packets),
            ("$x", SnapshotMetrics.Of(latest).GetValueOrDefault(MetricCatalog.Drops)),
            ("$now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), ("$newest", newest), ("$p", probe));

    /// <summary>Recomputes each touched 5-minute bucket from interval points, then each touched hour from 5-minute points: idempotent.</summary>
    private static void Consolidate(SqliteConnection connection, SqliteTransaction transaction, long probe, HashSet<long> metricIds, SortedSet<long> fiveMinuteBuckets)
    {
        if (metricIds.Count == 0) return;
        var inList = string.Join(',', metricIds.Order());
        var hours = new SortedSet<long>(fiveMinuteBuckets.Select(b => Floor(b, 3600)));
        foreach (var (tier, source, step, buckets) in new[]
        {
            (SqliteSchema.TierFiveMinute, SqliteSchema.TierInterval, 300L, fiveMinuteBuckets),
            (SqliteSchema.TierHour, SqliteSchema.TierFiveMinute, 3600L, hours),
        })
        {
            using var command = Command(connection, transaction, $"""
                INSERT OR REPLACE INTO points(tier, metric, probe, time, dur, min, avg, max)
                SELECT {tier}, metric, probe, $b, sum(dur), min(min), sum(avg*dur)/sum(dur), max(max) FROM points
                WHERE tier={source} AND metric IN ({inList}) AND probe=$p AND time >= $b AND time < $b + {step}
                GROUP BY metric, probe
                """);
            command.Parameters.AddWithValue("$p", probe);
            var b = command.Parameters.Add("$b", SqliteType.Integer);
            foreach (var bucket in buckets)
            {
                b.Value = bucket;
                command.ExecuteNonQuery();
            }
        }
    }

    /// <summary>Makes the hourly and daily top-N summaries a batch calls for (see <see cref="SummaryPlan"/>).</summary>
    private void Summarize(SqliteConnection connection, SqliteTransaction transaction, long probe, SummaryPlan plan, IReadOnlyCollection<string> reportNames)
    {
        var rangeHours = new SortedSet<long>();
        if (plan.RangeFrom is { } from && plan.RangeTo is { } to)
        {
            using var command = Command(connection, transaction,
                "SELECT DISTINCT start FROM reports WHERE report=$r AND probe=$p AND start >= $a AND start < $b");
            command.Parameters.AddWithValue("$p", probe);
            command.Parameters.AddWithValue("$a", from);
            command.Parameters.AddWithValue("$b", to);
            var r = command.Parameters.Add("$r", SqliteType.Text);
            foreach (var report in ReportCatalog.All)
            {
                r.Value = report.Name;
                using var reader = command.ExecuteReader();
                while (reader.Read()) rangeHours.Add(Floor(reader.GetInt64(0), HourMs));
            }
        }
        foreach (var hour in rangeHours.Union(plan.RedoHours).Distinct().Order()) SummarizeHour(connection, transaction, probe, hour);
        foreach (var day in plan.Days(rangeHours)) SummarizeDay(connection, transaction, probe, day);
        if (plan.UntilChanged)
            Execute(connection, "UPDATE probes SET summarized_until=$h WHERE id=$p", transaction, ("$h", plan.Until), ("$p", probe));
    }

    private void SummarizeHour(SqliteConnection connection, SqliteTransaction transaction, long probe, long hour) =>
        StoreSummary(connection, transaction, probe, 3600, hour,
            "SELECT report, rows FROM reports WHERE probe=$p AND start >= $a AND start < $b AND report=$r", HourMs);

    private void SummarizeDay(SqliteConnection connection, SqliteTransaction transaction, long probe, long day) =>
        StoreSummary(connection, transaction, probe, 86400, day,
            "SELECT report, rows FROM summaries WHERE period=3600 AND probe=$p AND start >= $a AND start < $b AND report=$r", DayMs);

    private void StoreSummary(SqliteConnection connection, SqliteTransaction transaction, long probe, int period, long start, string select, long length)
    {
        foreach (var report in ReportCatalog.All)
        {
            var aggregator = new TopAggregator(report);
            using (var command = Command(connection, transaction, select))
            {
                command.Parameters.AddWithValue("$p", probe);
                command.Parameters.AddWithValue("$a", start);
                command.Parameters.AddWithValue("$b", start + length);
                command.Parameters.AddWithValue("$r", report.Name);
                using var reader = command.ExecuteReader();
                while (reader.Read()) aggregator.AddRange(ReadRows(reader, 1));
            }
            if (aggregator.Count == 0)
            {
                Execute(connection, "DELETE FROM summaries WHERE report=$r AND period=$per AND probe=$p AND start=$s", transaction,
                    ("$r", report.Name), ("$per", period), ("$p", probe), ("$s", start));
                continue;
            }
            var rows = aggregator.TopByEach(_options.SummaryRows);
            Execute(connection, "INSERT OR REPLACE INTO summaries(report, period, probe, start, hosts, rows) VALUES($r, $per, $p, $s, $h, $j)", transaction,
                ("$r", report.Name), ("$per", period), ("$p", probe), ("$s", start),
                ("$h", TopAggregator.HostText(report, rows)), ("$j", Pack(rows, StoreJson.Default.IReadOnlyListReportRow)));
        }
    }


    /// <summary>Drops what retention no longer keeps, every <see cref="PruneEvery"/> of data; every delete walks a primary key or index.</summary>
    private void Prune(SqliteConnection connection, SqliteTransaction transaction, long probe, IReadOnlyCollection<string> reportNames)
    {
        var row = Row(connection, transaction, "SELECT newest, pruned_at FROM probes WHERE id=$p", ("$p", probe));
        if (row is null || row[0] is not long newest) return;
        if (row[1] is long prunedAt && newest - prunedAt < (long)PruneEvery.TotalMilliseconds) return;
        long Ms(TimeSpan retention) => newest - (long)retention.TotalMilliseconds;
        long S(TimeSpan retention) => Ms(retention) / 1000;
        Execute(connection, "DELETE FROM seconds WHERE probe=$p AND time < $t", transaction, ("$p", probe), ("$t", S(_options.SecondRetention)));
        var metrics = AllMetricIds(connection, transaction);
        using (var points = Command(connection, transaction, "DELETE FROM points WHERE tier=$tier AND metric=$m AND probe=$p AND time < $t"))
        {
            points.Parameters.AddWithValue("$p", probe);
            var tierParameter = points.Parameters.Add("$tier", SqliteType.Integer);
            var m = points.Parameters.Add("$m", SqliteType.Integer);
            var t = points.Parameters.Add("$t", SqliteType.Integer);
            foreach (var (tier, retention) in new[] { (1, _options.IntervalRetention), (2, _options.FiveMinuteRetention), (3, _options.HourRetention) })
                foreach (var metric in metrics)
                {
                    tierParameter.Value = tier;
                    m.Value = metric;
                    t.Value = S(retention);
                    points.ExecuteNonQuery();
                }
        }
        Execute(connection, "DELETE FROM intervals WHERE probe=$p AND start < $t", transaction, ("$p", probe), ("$t", Ms(_options.IntervalRetention)));
        foreach (var name in reportNames)
        {
            Execute(connection, "DELETE FROM reports WHERE report=$r AND probe=$p AND start < $t", transaction,
                ("$r", name), ("$p", probe), ("$t", Ms(_options.ReportRetention)));
            Execute(connection, "DELETE FROM summaries WHERE report=$r AND period=3600 AND probe=$p AND start < $t", transaction,
                ("$r", name), ("$p", probe), ("$t", Ms(_options.FiveMinuteRetention)));
            Execute(connection, "DELETE FROM summaries WHERE report=$r AND period=86400 AND probe=$p AND start < $t", transaction,
                ("$r", name), ("$p", probe), ("$t", Ms(_options.HourRetention)));
        }
        Execute(connection, "DELETE FROM events WHERE time < $t", transaction, ("$t", Ms(_options.EventRetention)));
        Execute(connection, "UPDATE probes SET pruned_at=$n WHERE id=$p", transaction, ("$n", newest), ("$p", probe));
    }

    private void WriteSeconds(SqliteConnection connection, IReadOnlyList<SecondPoint> points)
    {
        using var transaction = connection.BeginTransaction();
        using var insert = Command(connection, transaction, "INSERT OR REPLACE INTO seconds(probe, time, data) VALUES($p, $t, $d)");
        var p = insert.Parameters.Add("$p", SqliteType.Integer);
        var t = insert.Parameters.Add("$t", SqliteType.Integer);
        var d = insert.Parameters.Add("$d", SqliteType.Blob);
        var probes = new Dictionary<string, long>(StringComparer.Ordinal);
        var newest = new Dictionary<long, long>();
        foreach (var point in points)
        {
            if (!probes.TryGetValue(point.Probe, out var probe)) probes[point.Probe] = probe = ProbeId(connection, transaction, point.Probe);
            var blob = new byte[point.Metrics.Count(kv => double.IsFinite(kv.Value)) * 10];
            var offset = 0;
            foreach (var (name, value) in point.Metrics)
            {
                if (!double.IsFinite(value)) continue;
                BinaryPrimitives.WriteUInt16LittleEndian(blob.AsSpan(offset), checked((ushort)MetricId(connection, transaction, name)));
                BinaryPrimitives.WriteDoubleLittleEndian(blob.AsSpan(offset + 2), value);
                offset += 10;
            }
            p.Value = probe;
            t.Value = point.Time.ToUnixTimeSeconds();
            d.Value = blob;
            insert.ExecuteNonQuery();
            var ms = point.Time.ToUnixTimeMilliseconds() + 1000;
            newest[probe] = Math.Max(newest.GetValueOrDefault(probe), ms);
        }
        foreach (var (probe, ms) in newest)
            Execute(connection, "UPDATE probes SET newest=max(coalesce(newest, 0), $n), last_seen=$now WHERE id=$p", transaction,
                ("$n", ms), ("$now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), ("$p", probe));
        transaction.Commit();
    }

    private void WriteEvents(SqliteConnection connection, IReadOnlyList<MonitorEvent> events)
    {
        using var transaction = connection.BeginTransaction();
        foreach (var e in events)
        {
            if (string.IsNullOrWhiteSpace(e.Id)) throw new ArgumentException("an event needs an id");
            Execute(connection, "INSERT OR REPLACE INTO events(id, probe, time, kind, event) VALUES($i, $p, $t, $k, $j)", transaction,
                ("$i", e.Id), ("$p", e.Probe), ("$t", e.Time.ToUnixTimeMilliseconds()), ("$k", e.Kind),
                ("$j", JsonSerializer.Serialize(e, StoreJson.Default.MonitorEvent)));
            if (e.Kind == EventKinds.ProbeStart && !string.IsNullOrWhiteSpace(e.Probe))
            {
                var probe = ProbeId(connection, transaction, e.Probe);
                Execute(connection, "UPDATE probes SET version=coalesce($v, version), last_seen=$now WHERE id=$p", transaction,
                    ("$v", e.Details.GetValueOrDefault("version")), ("$now", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()), ("$p", probe));
            }
        }
        transaction.Commit();
    }

    // ---- reading ----

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

    // ---- helpers ----

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        Execute(connection, "PRAGMA busy_timeout=30000; PRAGMA synchronous=NORMAL;");
        if (MaxPageCount is { } pages) Execute(connection, $"PRAGMA max_page_count={pages};");
        else if (_pageLimitUsed) Execute(connection, "PRAGMA max_page_count=4294967294;");
        return connection;
    }

    private static List<long>? ProbeFilter(SqliteConnection connection, IReadOnlyList<string>? names)
    {
        if (names is null) return null;
        var ids = new List<long>();
        foreach (var name in names)
            if (Scalar<long?>(connection, null, "SELECT id FROM probes WHERE name=$n", ("$n", name)) is { } id) ids.Add(id);
        return ids;
    }

    private static List<long> AllProbeIds(SqliteConnection connection)
    {
        using var command = Command(connection, null, "SELECT id FROM probes ORDER BY id");
        var ids = new List<long>();
        using var reader = command.ExecuteReader();
        while (reader.Read()) ids.Add(reader.GetInt64(0));
        return ids;
    }

    private static long ProbeId(SqliteConnection connection, SqliteTransaction transaction, string name)
    {
        Execute(connection, "INSERT OR IGNORE INTO probes(name) VALUES($n)", transaction, ("$n", name));
        return Scalar<long?>(connection, transaction, "SELECT id FROM probes WHERE name=$n", ("$n", name))!.Value;
    }

    private long MetricId(SqliteConnection connection, SqliteTransaction transaction, string name)
    {
        lock (_idLock)
            if (_metricIds.TryGetValue(name, out var cached)) return cached;
        Execute(connection, "INSERT OR IGNORE INTO metrics(name) VALUES($n)", transaction, ("$n", name));
        var id = Scalar<long?>(connection, transaction, "SELECT id FROM metrics WHERE name=$n", ("$n", name))!.Value;
        lock (_idLock) _metricIds[name] = id;
        return id;
    }

    private static IReadOnlyList<ReportRow> ReadRows(SqliteDataReader reader, int column) =>
        Unpack(reader, column, StoreJson.Default.ListReportRow);

    /// <summary>
    /// Marks a blob stored as plain JSON. A raw deflate stream never starts with it (its first block
    /// would have the reserved type 11), so blobs written deflated by earlier versions still read.
    /// </summary>
    private const byte PlainJson = 0x06;

    /// <summary>Payloads below this are stored as plain JSON: deflating them saves little and costs a zlib
    /// stream set up per blob, most of a replay's store time on sparse intervals.</summary>
    private const int DeflateFrom = 1024;

    private static byte[] Pack<T>(T value, JsonTypeInfo<T> shape)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(value, shape);
        if (json.Length < DeflateFrom)
        {
            var plain = new byte[json.Length + 1];
            plain[0] = PlainJson;
            json.CopyTo(plain, 1);
            return plain;
        }
        using var buffer = new MemoryStream();
        using (var deflate = new System.IO.Compression.DeflateStream(buffer, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
            deflate.Write(json);
        return buffer.ToArray();
    }

    private static T Unpack<T>(SqliteDataReader reader, int column, JsonTypeInfo<T> shape)
    {
        var blob = (byte[])reader.GetValue(column);
        T? value;
        if (blob.Length > 0 && blob[0] == PlainJson) value = JsonSerializer.Deserialize(blob.AsSpan(1), shape);
        else
        {
            using var deflate = new System.IO.Compression.DeflateStream(new MemoryStream(blob), System.IO.Compression.CompressionMode.Decompress);
            value = JsonSerializer.Deserialize(deflate, shape);
        }
        return value ?? throw new InvalidDataException("an empty JSON value in the SQLite store");
    }

    private static long Floor(long value, long step) => (long)Math.Floor(value / (double)step) * step;

    private static SqliteCommand Command(SqliteConnection connection, SqliteTransaction? transaction, string sql)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction? transaction = null,
        params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        command.ExecuteNonQuery();
    }

    private static T? Scalar<T>(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        var result = command.ExecuteScalar();
        if (result is null or DBNull) return default;
        var type = Nullable.GetUnderlyingType(typeof(T)) ?? typeof(T);
        return (T)Convert.ChangeType(result, type, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static object?[]? Row(SqliteConnection connection, SqliteTransaction? transaction, string sql, params (string Name, object? Value)[] parameters)
    {
        using var command = Command(connection, transaction, sql);
        foreach (var (name, value) in parameters) command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        using var reader = command.ExecuteReader();
        if (!reader.Read()) return null;
        var values = new object?[reader.FieldCount];
        for (var i = 0; i < values.Length; i++) values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
        return values;
    }
}
