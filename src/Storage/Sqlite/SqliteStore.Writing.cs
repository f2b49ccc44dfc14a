using System.Buffers.Binary;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Monitor.Storage.Consolidation;
using Monitor.Storage.Model;
using Monitor.Storage.Model.Metrics;
using Monitor.Storage.Model.Reports;
using Monitor.Storage.Model.Snapshots;
using Monitor.Storage.Summaries;

namespace Monitor.Storage.Sqlite;

/// <summary>
/// Writes: intervals (with the probe's status, their 5-minute and hourly consolidations, the hour's and day's
/// top-N summaries once over, and retention pruning), second points and events.
/// </summary>
public sealed partial class SqliteStore
{
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
            var snapshots = group.ToList();
            var packed = PackedInterval.All(snapshots);
            for (var k = 0; k < snapshots.Count; k++)
            {
                var snapshot = snapshots[k];
                var startMs = snapshot.Start.ToUnixTimeMilliseconds();
                var time = snapshot.Start.ToUnixTimeSeconds();
                var replay = lastStart is { } last && startMs <= last;
                commands.Interval(probe, startMs, snapshot.End.ToUnixTimeMilliseconds(), packed[k].Snapshot);
                if (replay)
                {
                    commands.DeleteReports(probe, startMs, reportNames);
                    commands.DeleteIntervalPoints(probe, time, AllMetricIds(connection, transaction));
                }
                foreach (var (name, info, rows, hosts, blob) in packed[k].Reports)
                {
                    if (!reportNames.Contains(name))
                    {
                        Execute(connection, "INSERT OR IGNORE INTO report_names(name) VALUES($n)", transaction, ("$n", name));
                        reportNames.Add(name);
                    }
                    commands.Report(name, probe, startMs, hosts, blob);
                    if (info is not null) _written.Remember(probe, 0, name, startMs, blob, rows);
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

    /// <summary>
    /// An interval's blobs as stored: the snapshot without reports and seconds, and each report's rows with their hosts.
    /// JSON and deflate are most of a batch's CPU and independent per interval, so a batch packs its intervals in
    /// parallel before the inserts, which run in order on the one connection.
    /// </summary>
    private sealed record PackedInterval(byte[] Snapshot, (string Name, ReportInfo? Info, IReadOnlyList<ReportRow> Rows, string Hosts, byte[] Blob)[] Reports)
    {
        public static PackedInterval[] All(List<IntervalSnapshot> snapshots)
        {
            var packed = new PackedInterval[snapshots.Count];
            Parallel.For(0, snapshots.Count, i => packed[i] = Of(snapshots[i]));
            return packed;
        }

        private static PackedInterval Of(IntervalSnapshot snapshot)
        {
            var reports = new (string, ReportInfo?, IReadOnlyList<ReportRow>, string, byte[])[snapshot.Reports.Count];
            var i = 0;
            foreach (var (name, rows) in snapshot.Reports)
            {
                var info = ReportCatalog.Find(name);
                reports[i++] = (name, info, rows, info is null ? "" : TopAggregator.HostText(info, rows), Pack(rows, StoreJson.Default.IReadOnlyListReportRow));
            }
            var bare = snapshot with { Seconds = [], Reports = new Dictionary<string, IReadOnlyList<ReportRow>>() };
            return new PackedInterval(Pack(bare, StoreJson.Default.IntervalSnapshot), reports);
        }
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
        if (plan.Until is { } until)
        {
            _written.Forget(probe, 0, until);
            _written.Forget(probe, 3600, SummarySegments.Floor(until, DayMs));
        }
    }

    private void SummarizeHour(SqliteConnection connection, SqliteTransaction transaction, long probe, long hour) =>
        StoreSummary(connection, transaction, probe, 3600, hour, 0,
            "SELECT start, rows FROM reports WHERE probe=$p AND start >= $a AND start < $b AND report=$r", HourMs);

    private void SummarizeDay(SqliteConnection connection, SqliteTransaction transaction, long probe, long day) =>
        StoreSummary(connection, transaction, probe, 86400, day, 3600,
            "SELECT start, rows FROM summaries WHERE period=3600 AND probe=$p AND start >= $a AND start < $b AND report=$r", DayMs);

    /// <param name="sourcePeriod">Period of the rows <paramref name="select"/> reads: 0 for intervals' reports, 3600 for hours' summaries.</param>
    /// <remarks>
    /// Report by report, in a two-stage pipeline: this thread reads a report's lists on the connection while the
    /// previous report is merged and packed on another. Merging is most of a replay's store time, so it must not
    /// wait for reading; and only two reports' lists are ever held. An hour of 1-second intervals is 3,600 lists per
    /// report: holding every report's at once doubled an offline 6-hour replay's peak (500 MiB, now 227).
    /// </remarks>
    private void StoreSummary(SqliteConnection connection, SqliteTransaction transaction, long probe, int period, long start, int sourcePeriod,
        string select, long length)
    {
        var reports = ReportCatalog.All;
        using var command = Command(connection, transaction, select);
        command.Parameters.AddWithValue("$p", probe);
        command.Parameters.AddWithValue("$a", start);
        command.Parameters.AddWithValue("$b", start + length);
        var r = command.Parameters.Add("$r", SqliteType.Text);
        Task<Summary>? merging = null;
        for (var i = 0; i < reports.Count; i++)
        {
            var report = reports[i];
            r.Value = report.Name;
            var lists = new List<IReadOnlyList<ReportRow>>();
            using (var reader = command.ExecuteReader())
                while (reader.Read())
                {
                    var blob = ReadBlob(reader, 1);
                    lists.Add(_written.TryGet(probe, sourcePeriod, report.Name, reader.GetInt64(0), blob, out var written)
                        ? written
                        : Unpack(_blob, blob.Length, StoreJson.Default.ListReportRow));
                }
            if (merging is not null) WriteSummary(connection, transaction, probe, period, start, merging.Result);
            merging = Task.Run(() => Merge(report, lists));
        }
        if (merging is not null) WriteSummary(connection, transaction, probe, period, start, merging.Result);
    }

    /// <summary>A report's summary over a period: its top rows, packed, with the hosts they mention; no rows when no list had one.</summary>
    private sealed record Summary(ReportInfo Report, IReadOnlyList<ReportRow> Rows, byte[] Packed, string Hosts);

    private Summary Merge(ReportInfo report, List<IReadOnlyList<ReportRow>> lists)
    {
        var aggregator = new TopAggregator(report);
        foreach (var list in lists) aggregator.AddRange(list);
        if (aggregator.Count == 0) return new Summary(report, [], [], "");
        var rows = aggregator.TopByEach(_options.SummaryRows);
        return new Summary(report, rows, Pack(rows, StoreJson.Default.IReadOnlyListReportRow), TopAggregator.HostText(report, rows));
    }

    private void WriteSummary(SqliteConnection connection, SqliteTransaction transaction, long probe, int period, long start, Summary summary)
    {
        var report = summary.Report;
        if (summary.Rows.Count == 0) // nothing in the period: a replay may have emptied an earlier summary
        {
            Execute(connection, "DELETE FROM summaries WHERE report=$r AND period=$per AND probe=$p AND start=$s", transaction,
                ("$r", report.Name), ("$per", period), ("$p", probe), ("$s", start));
            return;
        }
        Execute(connection, "INSERT OR REPLACE INTO summaries(report, period, probe, start, hosts, rows) VALUES($r, $per, $p, $s, $h, $j)", transaction,
            ("$r", report.Name), ("$per", period), ("$p", probe), ("$s", start), ("$h", summary.Hosts), ("$j", summary.Packed));
        if (period == 3600) _written.Remember(probe, period, report.Name, start, summary.Packed, summary.Rows);
    }

    /// <summary>A blob column read into <see cref="_blob"/> (reused: a summary reads thousands of them).</summary>
    private ReadOnlySpan<byte> ReadBlob(SqliteDataReader reader, int column)
    {
        var length = (int)reader.GetBytes(column, 0, null, 0, 0);
        if (_blob.Length < length) _blob = new byte[Math.Max(length, _blob.Length * 2)];
        reader.GetBytes(column, 0, _blob, 0, length);
        return _blob.AsSpan(0, length);
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
}
