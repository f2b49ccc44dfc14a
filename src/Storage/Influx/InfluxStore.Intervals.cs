using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Monitor.Storage.Consolidation;
using Monitor.Storage.Model;
using Monitor.Storage.Model.Metrics;
using Monitor.Storage.Model.Reports;
using Monitor.Storage.Model.Snapshots;
using Monitor.Storage.Summaries;

namespace Monitor.Storage.Influx;

/// <summary>
/// Interval writes, one probe batch at a time: the batch's points go out in a few large gzip'd /write requests,
/// then its 5-minute buckets and hours are consolidated from one /query (stored rows, with the batch's own rows
/// in place of what it rewrote) and written back, then the summaries it calls
/// for, then the probe's status. About six requests per batch instead of six per interval.
/// </summary>
public sealed partial class InfluxStore
{
    /// <summary>Intervals of one probe per batch: a few /write requests of InfluxBatchSize points each.</summary>
    private const int IntervalsPerBatch = 500;
    private const long FiveMinuteMs = 300_000;

    public async Task WriteIntervalsAsync(IReadOnlyList<IntervalSnapshot> snapshots, CancellationToken cancellationToken = default)
    {
        IntervalChecks.Validate(snapshots);
        if (snapshots.Count == 0) return;
        await EnsureReadyAsync(cancellationToken);
        foreach (var group in snapshots.GroupBy(s => s.Probe, StringComparer.Ordinal))
        {
            var gate = _probeGates.GetOrAdd(group.Key, _ => new SemaphoreSlim(1, 1));
            await gate.WaitAsync(cancellationToken);
            try
            {
                foreach (var chunk in group.Chunk(IntervalsPerBatch)) await WriteBatchAsync(group.Key, chunk, cancellationToken);
            }
            finally
            {
                gate.Release();
            }
        }
    }

    private async Task WriteBatchAsync(string probe, IntervalSnapshot[] chunk, CancellationToken cancellationToken)
    {
        var state = await StateAsync(probe, cancellationToken);
        // A start given twice in one batch keeps its last copy, as two writes in a row would.
        var batch = chunk.GroupBy(s => s.Start.ToUnixTimeMilliseconds()).Select(g => g.Last()).ToList();
        var announced = batch.Max(s => s.End.ToUnixTimeMilliseconds());
        if (announced > state.Newest)
        {
            // Said before the points are written: a writer dropping old shards (DropShardsAsync), in this process or
            // another, then counts this probe's new data — a replay into the past included — as still kept.
            await _client.WriteAsync(MetaPolicy, new LineProtocol().Point("probes").Tag("probe", probe).Field("newest", announced).Time(0).ToString(),
                cancellationToken);
        }
        if (state.LastStart is { } lastStart)
        {
            var replays = batch.Where(s => s.Start.ToUnixTimeMilliseconds() <= lastStart).ToList();
            if (replays.Count > 0) await DeleteStoredAsync(probe, replays, cancellationToken);
        }

        var lines = new LineProtocol();
        var intervalRows = new Dictionary<long, Measured>();
        var reportRows = new Dictionary<(long Start, string Report), IReadOnlyList<ReportRow>>();
        foreach (var snapshot in batch)
        {
            var startMs = snapshot.Start.ToUnixTimeMilliseconds();
            var pointMs = snapshot.Start.ToUnixTimeSeconds() * 1000;
            var values = SnapshotMetrics.Of(snapshot);
            var duration = Math.Max(snapshot.Duration.TotalSeconds, 0.001);
            lines.Point("interval_metrics").Tag("probe", probe).Field(Duration, duration);
            foreach (var (name, value) in values) lines.Field(name, value);
            lines.Time(pointMs);
            intervalRows[pointMs] = Measured.Of(duration, values);
            var stored = snapshot with { Seconds = [], Reports = new Dictionary<string, IReadOnlyList<ReportRow>>() };
            lines.Point("interval_snapshots").Tag("probe", probe).Field("snapshot", JsonSerializer.Serialize(stored, StoreJson.Default.IntervalSnapshot)).Time(startMs);
            foreach (var (name, rows) in snapshot.Reports)
            {
                var info = ReportCatalog.Find(name);
                lines.Point("reports").Tag("probe", probe).Tag("report", name)
                    .Field("rows", JsonSerializer.Serialize(rows, StoreJson.Default.IReadOnlyListReportRow))
                    .Field("hosts", info is null ? "" : TopAggregator.HostText(info, rows))
                    .Time(startMs);
                reportRows[(startMs, name)] = rows;
            }
            if (lines.Lines >= _options.InfluxBatchSize)
            {
                await _client.WriteAsync(IntervalPolicy, lines.ToString(), cancellationToken);
                lines = new LineProtocol();
            }
        }
        await _client.WriteAsync(IntervalPolicy, lines.ToString(), cancellationToken);

        await ConsolidateAsync(probe, intervalRows, cancellationToken);
        var plan = SummaryPlan.For(state.SummarizedUntil, batch.Select(s => s.Start.ToUnixTimeMilliseconds()));
        await SummarizeAsync(probe, plan, reportRows, cancellationToken);

        var latest = batch.MaxBy(s => s.Start)!;
        var latestMs = latest.Start.ToUnixTimeMilliseconds();
        var newest = Math.Max(state.Newest, batch.Max(s => s.End.ToUnixTimeMilliseconds()));
        var status = new LineProtocol();
        status.Point("probes").Tag("probe", probe).Field("interval_seconds", Math.Max(latest.Duration.TotalSeconds, 0.001))
            .Field("last_seen", DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()).Field("newest", newest);
        var isLatest = state.LastStart is null || state.LastStart <= latestMs;
        if (isLatest)
            status.Field("last_start", latestMs).Field("last_end", latest.End.ToUnixTimeMilliseconds()).Field("last_packets", latest.Packets)
                .Field("last_drops", SnapshotMetrics.Of(latest).GetValueOrDefault(MetricCatalog.Drops));
        if (plan.UntilChanged) status.Field("summarized_until", plan.Until!.Value);
        await _client.WriteAsync(MetaPolicy, status.Time(0).ToString(), cancellationToken);
        state.Newest = newest;
        if (isLatest) state.LastStart = latestMs;
        state.SummarizedUntil = plan.Until;
        try
        {
            await PruneAsync(probe, state, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The batch is stored; failing to prune keeps more than asked, never less, and is retried with the next batch.
            _logger.LogWarning("InfluxDB {Spec}: pruning for probe {Probe} failed, nothing is removed until it works: {Error}", _spec, probe, e.Message);
        }
    }

    /// <summary>
    /// Removes what retention no longer keeps, measured back from the probe's newest data as SQLite does, every
    /// <see cref="PruneEvery"/> of data: the measurements only one policy holds by DELETE (per probe), the 5-minute
    /// and 1-hour levels, which share measurement names that DELETE cannot tell apart, by dropping their policies' shards.
    /// </summary>
    private async Task PruneAsync(string probe, ProbeState state, CancellationToken cancellationToken)
    {
        var newest = state.Newest;
        if (state.PrunedAt is { } prunedAt && newest - prunedAt < (long)PruneEvery.TotalMilliseconds) return;
        var probeLiteral = InfluxQl.Literal(probe);
        string Before(string measurement, TimeSpan retention, bool allProbes = false) =>
            $"DELETE FROM {InfluxQl.Identifier(measurement)} WHERE {(allProbes ? "" : $"\"probe\"={probeLiteral} AND ")}" +
            $"time < {InfluxQl.Time(newest - (long)retention.TotalMilliseconds)}";
        await _client.QueryAsync(string.Join("; ",
            Before("seconds", _options.SecondRetention),
            Before("interval_metrics", _options.IntervalRetention),
            Before("interval_snapshots", _options.IntervalRetention),
            Before("reports", _options.ReportRetention),
            // Events are pruned for every probe, as SQLite does (a site's own events carry no probe).
            Before("events", _options.EventRetention, allProbes: true)), cancellationToken);
        await DropShardsAsync(cancellationToken);
        var status = new LineProtocol();
        status.Point("probes").Tag("probe", probe).Field("pruned_at", newest).Time(0);
        await _client.WriteAsync(MetaPolicy, status.ToString(), cancellationToken);
        state.PrunedAt = newest;
    }

    /// <summary>
    /// Drops the 5-minute and 1-hour policies' shards that every probe is done with: a shard goes once, for each
    /// probe whose newest data reaches it, it ends before that newest data minus the level's retention (a probe
    /// whose newest data is older than the shard has nothing in it). Shards are a policy's own, so one level's
    /// points never take the other's with them; they last <see cref="ShardDuration"/> of data.
    /// </summary>
    private async Task DropShardsAsync(CancellationToken cancellationToken)
    {
        var newest = (await ReadStatusAsync(cancellationToken)).Select(s => Long(s, "newest")).Where(n => n > 0).ToList();
        if (newest.Count == 0) return;
        var drops = new List<string>();
        foreach (var series in (await _client.QueryAsync("SHOW SHARDS", cancellationToken))[0])
        {
            if (series.Name != _spec.Database) continue;
            int id = series.Column("id"), policy = series.Column("retention_policy"), start = series.Column("start_time"), end = series.Column("end_time");
            foreach (var row in series.Rows)
            {
                TimeSpan? retention = row[policy] switch
                {
                    FiveMinutePolicy => _options.FiveMinuteRetention,
                    HourPolicy => _options.HourRetention,
                    _ => null,
                };
                if (retention is null) continue;
                var startMs = DateTimeOffset.Parse((string)row[start]!, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
                var endMs = DateTimeOffset.Parse((string)row[end]!, CultureInfo.InvariantCulture).ToUnixTimeMilliseconds();
                var keep = (long)retention.Value.TotalMilliseconds;
                if (newest.Any(n => n >= startMs) && newest.All(n => n < startMs || endMs <= n - keep))
                    drops.Add($"DROP SHARD {Convert.ToInt64(row[id], CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture)}");
            }
        }
        if (drops.Count > 0) await _client.QueryAsync(string.Join("; ", drops), cancellationToken);
    }

    /// <summary>InfluxDB's own rule for a policy of this retention: finer shards for shorter retention.</summary>
    internal static TimeSpan ShardDuration(TimeSpan retention) =>
        retention < TimeSpan.FromDays(2) ? TimeSpan.FromHours(1) : retention <= TimeSpan.FromDays(180) ? TimeSpan.FromDays(1) : TimeSpan.FromDays(7);

    /// <summary>
    /// Removes what an earlier write of these intervals stored under their times (report points, series fields), so a
    /// replay with fewer reports or metrics leaves nothing stale; snapshots are one field and simply overwritten.
    /// </summary>
    private async Task DeleteStoredAsync(string probe, IReadOnlyList<IntervalSnapshot> replays, CancellationToken cancellationToken)
    {
        var probeLiteral = InfluxQl.Literal(probe);
        var statements = replays.SelectMany(s => new[]
        {
            $"DELETE FROM \"reports\" WHERE \"probe\"={probeLiteral} AND time = {InfluxQl.Time(s.Start.ToUnixTimeMilliseconds())}",
            $"DELETE FROM \"interval_metrics\" WHERE \"probe\"={probeLiteral} AND time = {InfluxQl.Time(s.Start.ToUnixTimeSeconds() * 1000)}",
        });
        foreach (var group in statements.Chunk(200))
            await _client.QueryAsync(string.Join("; ", group), cancellationToken);
    }

    /// <summary>Recomputes the 5-minute buckets and hours a batch touched (weighted by interval length) and writes them.</summary>
    private async Task ConsolidateAsync(string probe, Dictionary<long, Measured> intervalRows, CancellationToken cancellationToken)
    {
        if (intervalRows.Count == 0) return;
        var buckets = new SortedSet<long>(intervalRows.Keys.Select(t => SummarySegments.Floor(t, FiveMinuteMs)));
        var hours = new SortedSet<long>(buckets.Select(b => SummarySegments.Floor(b, SummarySegments.HourMs)));
        var bucketRanges = Ranges(buckets, FiveMinuteMs);
        var hourRanges = Ranges(hours, SummarySegments.HourMs);
        var where = $"WHERE \"probe\"={InfluxQl.Literal(probe)}";
        var statements = bucketRanges.Select(r => $"SELECT * FROM {From(IntervalPolicy, "interval_metrics")} {where} AND time >= {InfluxQl.Time(r.From)} AND time < {InfluxQl.Time(r.To)}")
            .Concat(hourRanges.Select(r => $"SELECT * FROM {From(FiveMinutePolicy, "consolidated")} {where} AND time >= {InfluxQl.Time(r.From)} AND time < {InfluxQl.Time(r.To)}"));
        var results = await _client.QueryAsync(string.Join("; ", statements), cancellationToken);

        var intervals = new Dictionary<long, Measured>();
        var fiveMinutes = new Dictionary<long, Measured>();
        for (var i = 0; i < results.Count; i++)
            foreach (var series in results[i])
                Measured.Read(series, weighted: i >= bucketRanges.Count, i < bucketRanges.Count ? intervals : fiveMinutes);
        foreach (var (time, row) in intervalRows) intervals[time] = row;

        var newFiveMinutes = Measured.Fold(intervals, FiveMinuteMs);
        foreach (var (time, row) in newFiveMinutes) fiveMinutes[time] = row;
        var newHours = Measured.Fold(fiveMinutes, SummarySegments.HourMs);
        await _client.WriteAsync(FiveMinutePolicy, ConsolidatedLines(probe, newFiveMinutes), cancellationToken);
        await _client.WriteAsync(HourPolicy, ConsolidatedLines(probe, newHours), cancellationToken);
    }

    private static string ConsolidatedLines(string probe, SortedDictionary<long, Measured> rows)
    {
        var lines = new LineProtocol();
        foreach (var (time, row) in rows)
        {
            lines.Point("consolidated").Tag("probe", probe).Field(Duration, row.Duration);
            foreach (var (name, (min, avg, max)) in row.Values)
                lines.Field(name, avg).Field(name + "|min", min).Field(name + "|max", max);
            lines.Time(time);
        }
        return lines.ToString();
    }

    /// <summary>
    /// Makes the hour summaries a batch calls for from stored report rows (the batch's own rows in place of stored
    /// ones), then the day summaries from stored hour summaries (the new ones in place of stored ones).
    /// </summary>
    private async Task SummarizeAsync(string probe, SummaryPlan plan, Dictionary<(long Start, string Report), IReadOnlyList<ReportRow>> batchRows,
        CancellationToken cancellationToken)
    {
        var ranges = new List<(long From, long To)>();
        if (plan.RangeFrom is { } rangeFrom && plan.RangeTo is { } rangeTo) ranges.Add((rangeFrom, rangeTo));
        ranges.AddRange(plan.RedoHours.Select(h => (h, h + SummarySegments.HourMs)));
        if (ranges.Count == 0) return;

        var byHour = new SortedDictionary<long, Dictionary<string, TopAggregator>>();
        void Add(long time, string name, IReadOnlyList<ReportRow> rows)
        {
            var report = ReportCatalog.Find(name);
            if (report is null) return;
            var hour = SummarySegments.Floor(time, SummarySegments.HourMs);
            if (!byHour.TryGetValue(hour, out var reports)) byHour[hour] = reports = new(StringComparer.Ordinal);
            if (!reports.TryGetValue(name, out var aggregator)) reports[name] = aggregator = new TopAggregator(report);
            aggregator.AddRange(rows);
        }
        var where = $"WHERE \"probe\"={InfluxQl.Literal(probe)}";
        var statements = ranges.Select(r =>
            $"SELECT \"rows\" FROM {From(IntervalPolicy, "reports")} {where} AND time >= {InfluxQl.Time(r.From)} AND time < {InfluxQl.Time(r.To)} GROUP BY \"report\"");
        await foreach (var (_, series) in _client.QueryChunksAsync(string.Join("; ", statements), cancellationToken))
        {
            var name = series.Tags.GetValueOrDefault("report") ?? "";
            foreach (var row in series.Rows)
                if (!batchRows.ContainsKey(((long)row[0]!, name))) Add((long)row[0]!, name, ReadRows((string)row[1]!));
        }
        foreach (var ((start, name), rows) in batchRows)
            if (ranges.Any(r => start >= r.From && start < r.To)) Add(start, name, rows);

        var hourSummaries = new Dictionary<long, Dictionary<string, IReadOnlyList<ReportRow>>>();
        var lines = new LineProtocol();
        foreach (var (hour, reports) in byHour)
        {
            var summaries = hourSummaries[hour] = new Dictionary<string, IReadOnlyList<ReportRow>>(StringComparer.Ordinal);
            foreach (var (name, aggregator) in reports)
                SummaryPoint(lines, probe, name, summaries[name] = aggregator.TopByEach(_options.SummaryRows), hour);
        }
        await _client.WriteAsync(FiveMinutePolicy, lines.ToString(), cancellationToken);

        var days = plan.Days(byHour.Keys.Where(h => plan.RangeFrom is { } f && plan.RangeTo is { } t && h >= f && h < t));
        if (days.Count == 0) return;
        var byDay = days.ToDictionary(d => d, _ => new Dictionary<string, TopAggregator>(StringComparer.Ordinal));
        void AddToDay(long day, string name, IReadOnlyList<ReportRow> rows)
        {
            var report = ReportCatalog.Find(name);
            if (report is null) return;
            if (!byDay[day].TryGetValue(name, out var aggregator)) byDay[day][name] = aggregator = new TopAggregator(report);
            aggregator.AddRange(rows);
        }
        var dayStatements = days.Select(d =>
            $"SELECT \"rows\" FROM {From(FiveMinutePolicy, "summaries")} {where} AND time >= {InfluxQl.Time(d)} AND time < {InfluxQl.Time(d + SummarySegments.DayMs)} GROUP BY \"report\"");
        await foreach (var (statement, series) in _client.QueryChunksAsync(string.Join("; ", dayStatements), cancellationToken))
        {
            var name = series.Tags.GetValueOrDefault("report") ?? "";
            foreach (var row in series.Rows)
                if (!hourSummaries.ContainsKey((long)row[0]!)) AddToDay(days[statement], name, ReadRows((string)row[1]!));
        }
        foreach (var (hour, summaries) in hourSummaries)
        {
            var day = SummarySegments.Floor(hour, SummarySegments.DayMs);
            if (!byDay.ContainsKey(day)) continue;
            foreach (var (name, rows) in summaries) AddToDay(day, name, rows);
        }
        var dayLines = new LineProtocol();
        foreach (var (day, reports) in byDay)
            foreach (var (name, aggregator) in reports)
                SummaryPoint(dayLines, probe, name, aggregator.TopByEach(_options.SummaryRows), day);
        await _client.WriteAsync(HourPolicy, dayLines.ToString(), cancellationToken);
    }

    private static void SummaryPoint(LineProtocol lines, string probe, string report, IReadOnlyList<ReportRow> rows, long time) =>
        lines.Point("summaries").Tag("probe", probe).Tag("report", report)
            .Field("rows", JsonSerializer.Serialize(rows, StoreJson.Default.IReadOnlyListReportRow))
            .Field("hosts", TopAggregator.HostText(ReportCatalog.Find(report)!, rows))
            .Time(time);

    /// <summary>Runs of consecutive steps as [from, to) ranges (InfluxQL cannot OR time ranges in one statement).</summary>
    private static List<(long From, long To)> Ranges(SortedSet<long> starts, long step)
    {
        var ranges = new List<(long From, long To)>();
        foreach (var start in starts)
        {
            if (ranges.Count > 0 && ranges[^1].To == start) ranges[^1] = (ranges[^1].From, start + step);
            else ranges.Add((start, start + step));
        }
        return ranges;
    }

    /// <summary>A stored row of series values (an interval, or a 5-minute bucket with its min and max) and its length in seconds.</summary>
    private sealed record Measured(double Duration, Dictionary<string, (double Min, double Avg, double Max)> Values)
    {
        public static Measured Of(double duration, IReadOnlyDictionary<string, double> values) =>
            new(duration, values.ToDictionary(kv => kv.Key, kv => (kv.Value, kv.Value, kv.Value), StringComparer.Ordinal));

        /// <summary>Reads interval_metrics rows (weighted false) or consolidated rows (with their |min and |max fields).</summary>
        public static void Read(InfluxSeries series, bool weighted, Dictionary<long, Measured> into)
        {
            var durationColumn = series.Column(InfluxStore.Duration);
            foreach (var row in series.Rows)
            {
                var values = new Dictionary<string, (double, double, double)>(StringComparer.Ordinal);
                for (var c = 0; c < series.Columns.Count; c++)
                {
                    var name = series.Columns[c];
                    if (name is "time" or "probe" or InfluxStore.Duration || name.Contains('|') || row[c] is not (long or double)) continue;
                    var avg = ToDouble(row[c]);
                    var min = weighted && series.Column(name + "|min") is var mi and >= 0 && row[mi] is not null ? ToDouble(row[mi]) : avg;
                    var max = weighted && series.Column(name + "|max") is var ma and >= 0 && row[ma] is not null ? ToDouble(row[ma]) : avg;
                    values[name] = (min, avg, max);
                }
                var duration = durationColumn >= 0 && row[durationColumn] is not null ? ToDouble(row[durationColumn]) : 1;
                into[(long)row[0]!] = new Measured(duration, values);
            }
        }

        /// <summary>Rows folded into buckets of step: min of mins, average weighted by length, max of maxes, lengths summed.</summary>
        public static SortedDictionary<long, Measured> Fold(Dictionary<long, Measured> rows, long step)
        {
            var buckets = new SortedDictionary<long, (double Total, Dictionary<string, (double Min, double Weighted, double Weight, double Max)> Sums)>();
            foreach (var (time, row) in rows)
            {
                var bucket = SummarySegments.Floor(time, step);
                if (!buckets.TryGetValue(bucket, out var entry)) entry = (0, new(StringComparer.Ordinal));
                foreach (var (name, (min, avg, max)) in row.Values)
                    entry.Sums[name] = entry.Sums.TryGetValue(name, out var a)
                        ? (Math.Min(a.Min, min), a.Weighted + avg * row.Duration, a.Weight + row.Duration, Math.Max(a.Max, max))
                        : (min, avg * row.Duration, row.Duration, max);
                buckets[bucket] = (entry.Total + row.Duration, entry.Sums);
            }
            var folded = new SortedDictionary<long, Measured>();
            foreach (var (bucket, (total, sums)) in buckets)
                folded[bucket] = new Measured(total, sums.ToDictionary(kv => kv.Key,
                    kv => (kv.Value.Min, kv.Value.Weight > 0 ? kv.Value.Weighted / kv.Value.Weight : kv.Value.Min, kv.Value.Max), StringComparer.Ordinal));
            return folded;
        }
    }
}
