using System.Diagnostics;
using System.Globalization;
using System.Net;
using Monitor.Bench.Load;

// Load test of the running site (bench/load.sh starts it): N dashboard sessions (page, static files, a
// Blazor Server circuit each, kept open) plus an open-loop API request rate, for a bounded time, while
// a capture is replayed onto lo for the site's in-process probe. Prints requests, errors, latency
// percentiles per kind, the site's peak RSS and GC heap, CPU used, and what the probe dropped.
const string usage = """
    usage: monitor-bench-load --site URL --pid SITE_PID --capture FILE
                              [--seconds 60] [--sessions 100] [--api-rate 50] [--pps 5000] [--max-frames 200000] [--interval 30]
    """;
Uri? site = null;
int pid = 0, sessions = 100, maxFrames = 200_000;
double seconds = 60, apiRate = 50, pps = 5000, interval = 30;
string? capture = null;
try
{
    for (var i = 0; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
        switch (args[i])
        {
            case "--site": site = new Uri(Value().TrimEnd('/') + "/"); break;
            case "--pid": pid = int.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "--capture": capture = Value(); break;
            case "--seconds": seconds = double.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "--sessions": sessions = int.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "--api-rate": apiRate = double.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "--pps": pps = double.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "--interval": interval = double.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "--max-frames": maxFrames = int.Parse(Value(), CultureInfo.InvariantCulture); break;
            case "-h" or "--help": Console.WriteLine(usage); return 0;
            default: throw new ArgumentException($"unknown argument {args[i]}");
        }
    }
    if (site is null || !IPAddress.TryParse(site.Host, out var address) || !IPAddress.IsLoopback(address))
        throw new ArgumentException("--site must be an http://127.x.x.x:PORT address (loopback only)");
    if (pid <= 0) throw new ArgumentException("--pid of the site process is required");
    if (capture is null) throw new ArgumentException("--capture FILE is required");
    if (seconds is <= 0 or > 600) throw new ArgumentException("--seconds must be in (0, 600]");
    if (sessions is < 0 or > 1000) throw new ArgumentException("--sessions must be 0..1000");
    if (apiRate is < 0 or > 1000) throw new ArgumentException("--api-rate must be 0..1000");
    if (pps is <= 0 or > 200_000) throw new ArgumentException("--pps must be in (0, 200000]");
}
catch (Exception e) when (e is ArgumentException or FormatException or OverflowException or UriFormatException)
{
    Console.Error.WriteLine($"monitor-bench-load: {e.Message}");
    Console.Error.WriteLine(usage);
    return 2;
}

var duration = TimeSpan.FromSeconds(seconds);
var latencies = new Latencies();
using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 512, UseCookies = false })
{
    Timeout = TimeSpan.FromSeconds(30),
};
var replay = new LoopbackReplay(capture, maxFrames);
var sampler = new SiteSampler(pid, site, http, latencies);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"load: {sessions} dashboard sessions + {apiRate} API requests/s for {seconds} s against {site}; replaying {replay.Frames} IPv4 frames of {Path.GetFileName(capture)} onto lo at {pps} frames/s (looped)"));

await sampler.SampleAsync();
var probeBefore = sampler.Metric("monitor_probe_packets_total");
using var stopSampling = new CancellationTokenSource();
var sampling = sampler.RunAsync(stopSampling.Token);
using var stop = new CancellationTokenSource(duration);
var clock = Stopwatch.StartNew();
var replaying = Task.Factory.StartNew(() => replay.Run(pps, duration, stop.Token), TaskCreationOptions.LongRunning);

var dashboards = new List<DashboardSession>();
var running = new List<Task>();
// People open the dashboard over the first seconds, not all in the same millisecond.
var rampUp = TimeSpan.FromSeconds(Math.Min(5, seconds / 4));
running.Add(new ApiTraffic(site, http, latencies, apiRate).RunAsync(duration, stop.Token));
for (var i = 0; i < sessions; i++)
{
    var session = new DashboardSession(site, http, latencies, TimeSpan.FromSeconds(interval));
    dashboards.Add(session);
    running.Add(session.RunAsync(stop.Token));
    await Task.Delay(rampUp / Math.Max(1, sessions));
}
await Task.WhenAll(running);
var openAtEnd = dashboards.Count(d => d.Open);
var appends = dashboards.Sum(d => d.Appends);
var batches = dashboards.Sum(d => d.RenderBatches);
await Task.WhenAll(dashboards.Select(d => d.DisposeAsync().AsTask()));
await replaying;
var elapsed = clock.Elapsed;

// The live feed counts a packet when the capture thread takes it; give the last ones a moment.
await Task.Delay(3000);
await stopSampling.CancelAsync();
await sampling;
var probeCounted = sampler.Metric("monitor_probe_packets_total") - probeBefore;
var injected = replay.Sent - replay.SendErrors;

Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"load: ran {elapsed.TotalSeconds:F1} s"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"requests: {latencies.Requests} total, {latencies.Errors} errors (any HTTP status >= 400, exception, closed circuit or JS.Error)"));
foreach (var line in latencies.Table()) Console.WriteLine("  " + line);
foreach (var sample in latencies.ErrorSamples) Console.WriteLine("  error: " + sample);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"dashboards: {openAtEnd}/{sessions} circuits open at the end; {batches} render batches, {appends} live chart appends ({appends / Math.Max(1, sessions) / elapsed.TotalSeconds:F1}/s per session)"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"site: peak RSS {sampler.PeakRss / 1048576.0:F0} MiB, peak GC heap {sampler.PeakGcHeap / 1048576.0:F0} MiB, CPU {sampler.Cpu.TotalSeconds:F1} s in {elapsed.TotalSeconds:F0} s ({sampler.Cpu.TotalSeconds / elapsed.TotalSeconds * 100:F0}% of one core)"));
var drops = sampler.Metric("monitor_probe_drops_total");
var queueFull = sampler.Metric("monitor_probe_queue_full_total");
var dropped = drops > 0 || queueFull > 0 || probeCounted != injected;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"probe: {injected} frames replayed ({replay.SendErrors} send errors), {probeCounted} counted; kernel drops {drops}, queue-full {queueFull} -> {(dropped ? "DROPPED" : "dropped nothing")}"));
return latencies.Errors == 0 && !dropped ? 0 : 1;
