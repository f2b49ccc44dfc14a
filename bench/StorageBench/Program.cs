using System.Diagnostics;
using System.Globalization;
using Monitor.Storage;
using Monitor.Storage.Model.Metrics;
using Monitor.Storage.Model.Queries;
using Monitor.Storage.Model.Reports;
using Monitor.Storage.Model.Snapshots;

// Usage: monitor-bench-storage STORE_SPEC DAYS [SQLITE_FILE_FOR_SIZE] [BATCH]
// Writes DAYS of 30-second intervals from one probe ending now (every catalog metric, five top-10 reports) through
// the bulk path (BATCH intervals per WriteIntervalsAsync, default 500: what a spool backlog or a history fill uses),
// plus 1-second points for the last min(DAYS, 2) days (what retention keeps), then times the site's queries and the
// live path (one interval per call).
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: monitor-bench-storage STORE_SPEC DAYS [SQLITE_FILE_FOR_SIZE] [BATCH]");
    return 2;
}
var spec = args[0];
var days = double.Parse(args[1], CultureInfo.InvariantCulture);
var sizePath = args.Length > 2 && args[2].Length > 0 ? args[2] : null;
var batchSize = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 500;
const int Step = 30;
var end = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() / Step * Step);
var start = end.AddDays(-days);
var intervals = (int)((end - start).TotalSeconds / Step);
var random = new Random(42);
var hosts = Enumerable.Range(0, 500).Select(i => $"10.{i / 250}.{i % 250}.{1 + i % 7}").ToArray();
var checkpoints = new[] { 1.0, 7.0 }.Select(d => (int)(d * 86400 / Step)).Where(c => c < intervals).ToHashSet();

await using var store = StoreFactory.Open(spec);
var watch = Stopwatch.StartNew();
long reportRows = 0, seriesPoints = 0;
var secondsFrom = end.AddDays(-Math.Min(days, 2));
long secondPoints = 0;
TimeSpan secondsTime = TimeSpan.Zero;
var written = 0;
(double Days, long Bytes) lastSize = (0, 0);
(int Written, TimeSpan Time) lastRate = (0, TimeSpan.Zero);
while (written < intervals)
{
    var count = Math.Min(batchSize, intervals - written);
    var next = checkpoints.Where(c => c > written).DefaultIfEmpty(int.MaxValue).Min();
    count = Math.Min(count, next - written);
    var batch = new List<IntervalSnapshot>(count);
    for (var i = 0; i < count; i++) batch.Add(Snapshot(start.AddSeconds(Step * (written + i))));
    reportRows += batch.Sum(s => s.Reports.Values.Sum(r => r.Count));
    seriesPoints += batch.Sum(s => s.Metrics.Count);
    await store.WriteIntervalsAsync(batch);
    var seconds = batch.Where(s => s.Start >= secondsFrom)
        .SelectMany(s => Enumerable.Range(0, Step).Select(i => new SecondPoint("bench", s.Start.AddSeconds(i),
            MetricCatalog.PerSecond.ToDictionary(m => m, _ => random.NextDouble() * 1000))))
        .ToList();
    if (seconds.Count > 0)
    {
        var t = Stopwatch.StartNew();
        await store.WriteSecondsAsync(seconds);
        secondsTime += t.Elapsed;
        secondPoints += seconds.Count;
    }
    var before = written;
    written += count;
    if (written / 10000 != before / 10000) Console.Error.WriteLine($"  {written}/{intervals} intervals written");
    if (checkpoints.Contains(written)) await Checkpoint(written, batch[^1].End, live: false);
}
await Checkpoint(intervals, end, live: true);
return 0;

// Prints throughput so far and the query times over the data written so far (ending at its newest interval).
async Task Checkpoint(int written, DateTimeOffset end, bool live)
{
watch.Stop();
var total = watch.Elapsed;
var intervalTime = total - secondsTime;
var daysWritten = written * Step / 86400.0;
Console.WriteLine($"-- after {daysWritten:0.##} day(s): {written} intervals of {Step}s, {MetricCatalog.All.Count} metrics, {reportRows} report rows, {secondPoints} 1-second points");
Console.WriteLine($"write intervals (bulk, {batchSize} per call, with consolidation and summaries): {written / intervalTime.TotalSeconds:F0} intervals/s, " +
    $"{seriesPoints / intervalTime.TotalSeconds:F0} series points/s + {reportRows / intervalTime.TotalSeconds:F0} report rows/s ({intervalTime.TotalMilliseconds / written:F2} ms per interval)");
if (lastRate.Written > 0)
    Console.WriteLine($"  of which since {lastRate.Written * Step / 86400.0:0.##} day(s): {(written - lastRate.Written) / (intervalTime - lastRate.Time).TotalSeconds:F0} intervals/s");
lastRate = (written, intervalTime);
if (secondPoints > 0)
    Console.WriteLine($"write 1-second points: {secondPoints / secondsTime.TotalSeconds:F0} points/s ({MetricCatalog.PerSecond.Count} metrics each, batches of {batchSize * Step})");

await Time("series, one day (packets, 2000 points)", () => store.QuerySeriesAsync(new SeriesQuery(MetricCatalog.Packets, end.AddDays(-1), end)));
await Time("series, one month", () => store.QuerySeriesAsync(new SeriesQuery(MetricCatalog.Packets, end.AddDays(-30), end)));
await Time("series, one year", () => store.QuerySeriesAsync(new SeriesQuery(MetricCatalog.Packets, end.AddDays(-365), end)));
var day = DateTimeOffset.FromUnixTimeSeconds(end.ToUnixTimeSeconds() / 86400 * 86400).AddDays(-Math.Max(1, Math.Min((int)daysWritten - 1, 15)));
await Time($"top-10 talkers, one day ({day:yyyy-MM-dd})", () => store.QueryTopAsync(new TopQuery(ReportCatalog.Talkers, day, day.AddDays(1))));
await Time("top-10 UDP senders by weight, last 24 h", () => store.QueryTopAsync(new TopQuery(ReportCatalog.Udp, end.AddDays(-1), end)));
await Time("top-10 talkers of one host, one day", () => store.QueryTopAsync(new TopQuery(ReportCatalog.Talkers, day, day.AddDays(1), Host: hosts[3])));

if (sizePath is not null && File.Exists(sizePath))
{
    var bytes = new FileInfo(sizePath).Length + (File.Exists(sizePath + "-wal") ? new FileInfo(sizePath + "-wal").Length : 0);
    Console.WriteLine($"sqlite file: {bytes / 1048576.0:F1} MiB after {daysWritten:0.##} day(s) = {bytes / daysWritten / 1048576.0:F1} MiB per day per probe on average " +
        $"(retention bounds 1 s at 2 days, intervals and rows at 14); grew {(bytes - lastSize.Bytes) / (daysWritten - lastSize.Days) / 1048576.0:F1} MiB per day since {lastSize.Days:0.##} day(s)");
    lastSize = (daysWritten, bytes);
}
if (live)
{
    // The live path: a probe's spool hands over one interval at a time when it keeps up.
    var times = new List<double>();
    for (var i = 0; i < 40; i++)
    {
        var snapshot = Snapshot(end.AddSeconds(Step * i));
        var t = Stopwatch.StartNew();
        await store.WriteIntervalAsync(snapshot);
        times.Add(t.Elapsed.TotalMilliseconds);
    }
    times.Sort();
    Console.WriteLine($"write one interval per call (live path, on this store): median {times[times.Count / 2]:F1} ms (min {times[0]:F1}, max {times[^1]:F1})");
}
watch.Start();
}

async Task Time<T>(string what, Func<Task<T>> query)
{
    await query();
    var times = new List<double>();
    T result = default!;
    for (var i = 0; i < 5; i++)
    {
        var t = Stopwatch.StartNew();
        result = await query();
        times.Add(t.Elapsed.TotalMilliseconds);
    }
    times.Sort();
    var size = result switch { SeriesResult s => $"{s.Points.Count} buckets of {s.Resolution}", IReadOnlyList<ReportRow> r => $"{r.Count} rows", _ => "" };
    Console.WriteLine($"query {what}: median {times[2]:F1} ms (min {times[0]:F1}, max {times[4]:F1}) -> {size}");
}

IntervalSnapshot Snapshot(DateTimeOffset at)
{
    var hour = at.UtcDateTime.Hour + at.UtcDateTime.Minute / 60.0;
    var level = 2000 + 1500 * Math.Sin(hour / 24 * 2 * Math.PI) + random.Next(0, 500);
    var packets = (long)(level * Step);
    var metrics = MetricCatalog.All.ToDictionary(m => m.Name, m => m.Name == MetricCatalog.Packets ? level : random.NextDouble() * level);
    return new IntervalSnapshot
    {
        Probe = "bench",
        Start = at,
        End = at.AddSeconds(Step),
        Packets = packets,
        Bytes = packets * 700,
        Protocols = new Dictionary<string, TrafficCount> { ["tcp"] = new(packets * 8 / 10, packets * 600), ["udp"] = new(packets / 5, packets * 100) },
        Metrics = metrics,
        Reports = new Dictionary<string, IReadOnlyList<ReportRow>>
        {
            [ReportCatalog.Talkers] = Rows(h => [new("ip", h), new("packets", (long)random.Next(100, 10000)), new("bytes", (long)random.Next(10000, 9000000)),
                new("packets_sent", 50L), new("bytes_sent", 5000L), new("packets_received", 50L), new("bytes_received", 5000L)]),
            [ReportCatalog.Udp] = Rows(h => [new("ip", h), new("sent", (long)random.Next(1, 5000)), new("received", (long)random.Next(0, 100)),
                new("icmp_errors_received", 0L), new("distinct_ports", (long)random.Next(1, 50)), new("weight", random.NextDouble() * 100)]),
            [ReportCatalog.Syn] = Rows(h => [new("ip", h), new("syn_sent", (long)random.Next(1, 500)), new("synack_sent", 1L), new("fin_sent", 1L),
                new("rst_sent", 0L), new("rst_received", 3L), new("tcp_sent", 600L), new("tcp_received", 500L), new("icmp_errors_received", 0L),
                new("distinct_ports", 4L), new("distinct_hosts", 9L), new("work_weight", random.NextDouble() * 100), new("flags", "W")]),
            [ReportCatalog.IcmpErrors] = Rows(h => [new("ip", h), new("target", hosts[random.Next(hosts.Length)]), new("proto", "icmp"), new("type", 3L),
                new("code", 3L), new("packets", (long)random.Next(1, 300)), new("bytes", 5000L)]),
            [ReportCatalog.Flows] = Rows(h => [new("src", h), new("dst", hosts[random.Next(hosts.Length)]), new("proto", "tcp"), new("sport", (long)random.Next(1024, 65535)),
                new("dport", 443L), new("packets", (long)random.Next(1, 3000)), new("bytes", (long)random.Next(100, 3000000))]),
        },
    };
}

IReadOnlyList<ReportRow> Rows(Func<string, List<ReportField>> row) =>
    Enumerable.Range(0, 10).Select(_ => new ReportRow(row(hosts[(int)Math.Min(hosts.Length - 1, Math.Abs(random.NextDouble() * random.NextDouble()) * hosts.Length)]))).ToList();
