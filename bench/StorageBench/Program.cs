using System.Diagnostics;
using System.Globalization;
using Monitor.Storage;
using Monitor.Storage.Metrics;
using Monitor.Storage.Queries;
using Monitor.Storage.Reports;
using Monitor.Storage.Snapshots;

// Usage: monitor-bench-storage STORE_SPEC DAYS [SIZE_PATH]
// Writes DAYS of 30-second intervals from one probe ending now (every catalog metric, five top-10 reports),
// plus 1-second points for the last min(DAYS, 2) days (what retention keeps), then times the site's queries.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: monitor-bench-storage STORE_SPEC DAYS [SQLITE_FILE_FOR_SIZE]");
    return 2;
}
var spec = args[0];
var days = double.Parse(args[1], CultureInfo.InvariantCulture);
var sizePath = args.Length > 2 ? args[2] : null;
const int Step = 30;
var end = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds() / Step * Step);
var start = end.AddDays(-days);
var intervals = (int)((end - start).TotalSeconds / Step);
var random = new Random(42);
var hosts = Enumerable.Range(0, 500).Select(i => $"10.{i / 250}.{i % 250}.{1 + i % 7}").ToArray();

await using var store = StoreFactory.Open(spec);
var watch = Stopwatch.StartNew();
long reportRows = 0;
var secondsFrom = end.AddDays(-Math.Min(days, 2));
long secondPoints = 0;
TimeSpan secondsTime = TimeSpan.Zero;
for (var i = 0; i < intervals; i++)
{
    var snapshot = Snapshot(start.AddSeconds(Step * i));
    reportRows += snapshot.Reports.Values.Sum(r => r.Count);
    await store.WriteIntervalAsync(snapshot);
    if (snapshot.Start >= secondsFrom)
    {
        var t = Stopwatch.StartNew();
        var points = Enumerable.Range(0, Step).Select(s => new SecondPoint("bench", snapshot.Start.AddSeconds(s),
            MetricCatalog.PerSecond.ToDictionary(m => m, _ => random.NextDouble() * 1000))).ToList();
        await store.WriteSecondsAsync(points);
        secondsTime += t.Elapsed;
        secondPoints += points.Count;
    }
    if (i > 0 && i % 10000 == 0) Console.Error.WriteLine($"  {i}/{intervals} intervals written");
    var written = (i + 1) * Step / 86400.0;
    if (i + 1 < intervals && written is 1 or 7) await Checkpoint(i + 1, snapshot.End);
}
await Checkpoint(intervals, end);
return 0;

// Prints throughput so far and the query times over the data written so far (ending at its newest interval).
async Task Checkpoint(int written, DateTimeOffset end)
{
watch.Stop();
var total = watch.Elapsed;
var intervalTime = total - secondsTime;
var daysWritten = written * Step / 86400.0;
Console.WriteLine($"-- after {daysWritten:0.##} day(s): {written} intervals of {Step}s, {MetricCatalog.All.Count} metrics, {reportRows} report rows, {secondPoints} 1-second points");
Console.WriteLine($"write intervals: {written / intervalTime.TotalSeconds:F0} intervals/s ({intervalTime.TotalMilliseconds / written:F2} ms each, with consolidation and summaries)");
if (secondPoints > 0)
    Console.WriteLine($"write 1-second points: {secondPoints / secondsTime.TotalSeconds:F0} points/s (batches of {Step})");

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
    Console.WriteLine($"sqlite file: {bytes / 1048576.0:F1} MiB after {daysWritten:0.##} day(s) = {bytes / daysWritten / 1048576.0:F1} MiB per day per probe (retention bounds 1 s at 2 days, intervals and rows at 14)");
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
