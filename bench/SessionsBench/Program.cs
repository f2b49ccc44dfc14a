using System.Diagnostics;
using System.Globalization;
using System.Net;
using Monitor.Storage.Sessions;

// monitor-bench-sessions STORE RECORDS DAYS
// Writes RECORDS generated session records spread evenly over DAYS days ending now (in time order, as a
// probe writes them: batches of 50,000), then times the site's queries. Prints one "name value unit" a line.
if (args.Length != 3)
{
    Console.Error.WriteLine("usage: monitor-bench-sessions duckdb:PATH|clickhouse://HOST:PORT/DB RECORDS DAYS");
    return 2;
}
var records = long.Parse(args[1], CultureInfo.InvariantCulture);
var days = int.Parse(args[2], CultureInfo.InvariantCulture);
var end = new DateTimeOffset(DateTimeOffset.UtcNow.Date, TimeSpan.Zero);
var start = end.AddDays(-days);
var options = new SessionStoreOptions { Store = args[0], MaxAgeDays = days + 1, MaxBytes = 1L << 40 };
await using var store = SessionStores.Open(options)!;

// 10,000 home hosts (10.0.0.0/16) talk to 200,000 outside hosts on a few services; one in ten sessions comes in from outside.
int[] services = [443, 80, 53, 22, 25, 123, 993, 8080, 3389, 445];
var random = new Random(1);
var stepTicks = (end - start).Ticks / records;
const int Batch = 50_000;
var buffer = new SessionRecord[Batch];
var clock = Stopwatch.StartNew();
var written = 0L;
var writeTime = TimeSpan.Zero;
while (written < records)
{
    var n = (int)Math.Min(Batch, records - written);
    for (var i = 0; i < n; i++)
    {
        var t = start.AddTicks((written + i) * stepTicks);
        var home = SessionAddress.FromV4(0x0A000000u | (uint)random.Next(10_000));
        var outside = SessionAddress.FromV4(0xC6330000u + (uint)random.Next(200_000));
        var service = (ushort)services[Math.Min(services.Length - 1, (int)(-Math.Log(1 - random.NextDouble()) * 2))];
        var proto = (byte)(service is 53 or 123 ? 17 : random.Next(50) == 0 ? 1 : 6);
        var inbound = random.Next(10) == 0;
        var (ps, pd) = (random.Next(1, 200), random.Next(0, 300));
        buffer[i] = new SessionRecord(t, t.AddMilliseconds(random.Next(1, 120_000)), proto,
            inbound ? outside : home, (ushort)random.Next(1024, 65536), inbound ? home : outside, proto == 1 ? (ushort)0 : service,
            ps, ps * random.Next(60, 200), pd, pd * random.Next(60, 1500), 0x1B, 0x1B, pd == 0 ? SessionState.S0 : SessionState.SF,
            (byte)(proto == 1 ? 8 : 0), 0, 0, SessionEnd.Closed);
    }
    var batch = new ArraySegment<SessionRecord>(buffer, 0, n);
    var w = Stopwatch.StartNew();
    await store.WriteAsync("bench", batch);
    writeTime += w.Elapsed;
    written += n;
}
Console.WriteLine($"ingest_records {written} records");
Console.WriteLine($"ingest_rate {written / writeTime.TotalSeconds:F0} records/s (store writes only; generation excluded)");
Console.WriteLine($"ingest_wall {clock.Elapsed.TotalSeconds:F1} s");

async Task Time(string name, Func<Task<int>> query)
{
    await query(); // warm: the first run pays for opening files and caches
    var times = new List<double>();
    var rows = 0;
    for (var i = 0; i < 3; i++)
    {
        var w = Stopwatch.StartNew();
        rows = await query();
        times.Add(w.Elapsed.TotalMilliseconds);
    }
    times.Sort();
    Console.WriteLine($"{name} {times[1]:F0} ms (median of 3, {rows} rows)");
}

var homeNet = new[] { IPNetwork.Parse("10.0.0.0/16") };
var lastDay = end.AddDays(-1);
await Time("query_host_whole_range", async () =>
{
    var page = await store.SearchAsync(new SessionQuery(start, end, SessionFilter.Parse("host 10.0.0.5"), SessionSort.Start, Limit: 100));
    return (int)page.Total;
});
await Time("query_top10_conversations_day", async () =>
    (await store.ReportAsync(new CannedReportQuery(CannedReports.TopConversations, lastDay, end, homeNet, 10))).Rows.Count);
await Time("query_top_services_per_home_host_day", async () =>
    (await store.ReportAsync(new CannedReportQuery(CannedReports.Downloads, lastDay, end, homeNet, 100))).Rows.Count);
await Time("query_filtered_page_day", async () =>
    (await store.SearchAsync(new SessionQuery(lastDay, end, SessionFilter.Parse("tcp and dst port 22 and bytes > 10000"), SessionSort.Bytes, true, Limit: 100))).Sessions.Count);
return 0;
