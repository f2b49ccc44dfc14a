using System.Diagnostics;
using System.Globalization;

namespace Monitor.Bench.Load;

/// <summary>
/// Open-loop API load: a request every 1/rate seconds whatever the answers take (so a slow site shows
/// as latency, not as fewer requests), spread round-robin over the series, top-N and events APIs.
/// </summary>
internal sealed class ApiTraffic(Uri site, HttpClient http, Latencies latencies, double rate)
{
    private const int MaxOutstanding = 2000;

    public async Task RunAsync(TimeSpan duration, CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        var outstanding = new List<Task>();
        for (long i = 0; clock.Elapsed < duration && !stop.IsCancellationRequested; i++)
        {
            var due = TimeSpan.FromSeconds(i / rate);
            if (due > clock.Elapsed)
            {
                try { await Task.Delay(due - clock.Elapsed, stop); }
                catch (OperationCanceledException) { break; }
            }
            outstanding.RemoveAll(t => t.IsCompleted);
            if (outstanding.Count >= MaxOutstanding)
            {
                latencies.Error("api (not sent)", $"{MaxOutstanding} requests still outstanding");
                continue;
            }
            var (kind, path) = Request(i, DateTimeOffset.UtcNow);
            outstanding.Add(SendAsync(kind, path));
        }
        await Task.WhenAll(outstanding);
    }

    /// <summary>The i-th request: what an API client (a script, Grafana) asks for most.</summary>
    private static (string Kind, string Path) Request(long i, DateTimeOffset now)
    {
        string Time(DateTimeOffset t) => t.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var hourAgo = Time(now.AddHours(-1));
        var day = now.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return (i % 12) switch
        {
            0 => ("api series", $"api/series?metric=packets&from={hourAgo}"),
            1 => ("api series", $"api/series?metric=bits&from={hourAgo}&points=500"),
            2 => ("api series", "api/series?metric=protocol.udp.packets"),
            3 => ("api series", $"api/series?metric=udp.max_weight&from={hourAgo}"),
            4 => ("api top-n", "api/reports?report=talkers"),
            5 => ("api top-n", "api/reports?report=syn&n=20"),
            6 => ("api top-n", "api/reports?report=udp"),
            7 => ("api top-n", $"api/reports?report=talkers&span=hour&at={Time(now)}"),
            8 => ("api top-n", "api/reports?report=flows&sort=bytes"),
            9 => ("api events", "api/alerts"),
            10 => ("api events", $"api/days/{day}/spikes"),
            _ => ("api events", "api/probes"),
        };
    }

    private async Task SendAsync(string kind, string path)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using var response = await http.GetAsync(new Uri(site, path));
            await response.Content.LoadIntoBufferAsync();
            if ((int)response.StatusCode >= 400)
                latencies.Error(kind, $"{path}: HTTP {(int)response.StatusCode} {Trim(await response.Content.ReadAsStringAsync())}");
            else
                latencies.Record(kind, clock.Elapsed);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            latencies.Error(kind, $"{path}: {e.Message}");
        }
    }

    private static string Trim(string body) => body.Length > 200 ? body[..200] : body;
}
