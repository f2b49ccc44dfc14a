using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.AspNetCore.SignalR.Protocol;
using Microsoft.Extensions.DependencyInjection;

namespace Monitor.Bench.Load;

/// <summary>
/// One person watching the dashboard, as Chromium does it: GET / (prerendered), the page's static files
/// once, then the interactive Blazor Server circuit over /_blazor (WebSocket, blazorpack) kept open: every
/// render batch acknowledged, every JS interop call answered (timechart.js imported as a module, its
/// create/append/dispose calls completed), the live charts' appends counted and timed.
/// </summary>
internal sealed partial class DashboardSession(Uri site, HttpClient http, Latencies latencies, TimeSpan interval) : IAsyncDisposable
{
    /// <summary>What the page loads besides itself (App.razor's head and body, TimeChart's module import).</summary>
    private static readonly string[] StaticFiles =
        ["css/site.css", "lib/apexcharts/apexcharts.min.js", "_framework/blazor.web.js", "js/timechart.js"];

    private const int ResultJsObjectReference = 1;

    /// <summary>Charts by element id: true for the per-interval chart (UDP weight), false for the 1-second ones.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, bool> _perInterval = new();
    private readonly TaskCompletionSource _firstRender = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private HubConnection? _hub;
    private long _nextJsObject;
    private long _appends;
    private long _renderBatches;
    private bool _closing;

    public long Appends => Interlocked.Read(ref _appends);
    public long RenderBatches => Interlocked.Read(ref _renderBatches);
    public bool Open { get; private set; }

    public async Task RunAsync(CancellationToken stop)
    {
        var html = await GetAsync("page /", "/", stop);
        if (html is null) return;
        await Task.WhenAll(StaticFiles.Select(f => GetAsync("static", f, stop)));
        if (!await StartCircuitAsync(html, stop)) return;
        Open = true;
        try { await Task.Delay(Timeout.Infinite, stop); }
        catch (OperationCanceledException) { }
    }

    private async Task<string?> GetAsync(string kind, string path, CancellationToken stop)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            using var response = await http.GetAsync(new Uri(site, path), stop);
            var body = await response.Content.ReadAsStringAsync(stop);
            if ((int)response.StatusCode >= 400)
            {
                latencies.Error(kind, $"{path}: HTTP {(int)response.StatusCode}");
                return null;
            }
            latencies.Record(kind, clock.Elapsed);
            return body;
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException && !stop.IsCancellationRequested)
        {
            latencies.Error(kind, $"{path}: {e.Message}");
            return null;
        }
    }

    private async Task<bool> StartCircuitAsync(string html, CancellationToken stop)
    {
        var markers = MarkerPattern().Matches(html).Select(m => m.Groups[1].Value)
            .Where(json => json.Contains("\"descriptor\"", StringComparison.Ordinal)).ToList();
        if (markers.Count == 0)
        {
            latencies.Error("circuit start", "the page has no interactive server components");
            return false;
        }
        var state = StatePattern().Match(html) is { Success: true } m ? m.Groups[1].Value : "";

        var builder = new HubConnectionBuilder().WithUrl(new Uri(site, "_blazor"), o => o.Transports = HttpTransportType.WebSockets);
        builder.Services.AddSingleton<IHubProtocol, BlazorPackProtocol>();
        var hub = _hub = builder.Build();
        hub.On<long, byte[]>("JS.RenderBatch", async (batch, _) =>
        {
            Interlocked.Increment(ref _renderBatches);
            await SendAsync("OnRenderCompleted", batch, null);
            _firstRender.TrySetResult();
        });
        // .NET 10: (asyncHandle, identifier, argsJson, resultType, targetInstanceId, callType).
        hub.On("JS.BeginInvokeJS", [typeof(long), typeof(string), typeof(string), typeof(int), typeof(long), typeof(int)],
            args => AnswerJsAsync((long)args[0]!, (string)args[1]!, (string?)args[2], (int)args[3]!));
        hub.On("JS.AttachComponent", [typeof(int), typeof(string)], _ => Task.CompletedTask);
        hub.On("JS.EndUpdateRootComponents", [typeof(long)], _ => Task.CompletedTask);
        hub.On("JS.EndInvokeDotNet", [typeof(string), typeof(bool), typeof(string)], _ => Task.CompletedTask);
        hub.On<string>("JS.Error", message =>
        {
            latencies.Error("circuit", "JS.Error: " + message);
            _firstRender.TrySetResult();
        });
        hub.Closed += e =>
        {
            if (!_closing) latencies.Error("circuit", "connection closed: " + (e?.Message ?? "by the server"));
            Open = false;
            return Task.CompletedTask;
        };

        var clock = Stopwatch.StartNew();
        try
        {
            await hub.StartAsync(stop);
            var secret = await hub.InvokeAsync<string?>("StartCircuit", site.ToString(), new Uri(site, "/").ToString(), "[]", "", stop);
            if (string.IsNullOrEmpty(secret))
            {
                latencies.Error("circuit start", "StartCircuit refused");
                return false;
            }
            var operations = markers.Select((json, i) => new { type = "add", ssrComponentId = i + 1, marker = JsonDocument.Parse(json).RootElement });
            await hub.SendAsync("UpdateRootComponents", JsonSerializer.Serialize(new { batchId = 1, operations }), state, stop);
            await _firstRender.Task.WaitAsync(TimeSpan.FromSeconds(30), stop);
            latencies.Record("circuit start", clock.Elapsed);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException || !stop.IsCancellationRequested)
        {
            latencies.Error("circuit start", e.Message);
            return false;
        }
    }

    /// <summary>Answers a JS interop call the way the browser's timechart.js and Blazor's runtime would.</summary>
    private async Task AnswerJsAsync(long handle, string identifier, string? argsJson, int resultType)
    {
        if (identifier == "create" && argsJson is not null)
        {
            // [element, config, dotnet]: the 1-second charts keep a 5-minute window, the interval chart 2 hours.
            using var args = JsonDocument.Parse(argsJson);
            var window = args.RootElement[1].TryGetProperty("liveWindowMs", out var w) && w.ValueKind == JsonValueKind.Number ? w.GetDouble() : 0;
            _perInterval[ElementId(args.RootElement[0])] = window > TimeSpan.FromMinutes(30).TotalMilliseconds;
        }
        if (identifier == "append" && argsJson is not null)
        {
            Interlocked.Increment(ref _appends);
            // [element, timeMs, values]: live capture stamps points with wall time, so now minus the end of
            // the second (or interval) a point stands for is how late the dashboard shows it.
            using var args = JsonDocument.Parse(argsJson);
            var time = DateTimeOffset.FromUnixTimeMilliseconds((long)args.RootElement[1].GetDouble());
            if (_perInterval.TryGetValue(ElementId(args.RootElement[0]), out var perInterval) && perInterval)
                latencies.Record("live interval delay", DateTimeOffset.UtcNow - (time + interval));
            else
                latencies.Record("live second delay", DateTimeOffset.UtcNow - time.AddSeconds(1));
        }
        if (handle == 0) return;
        var result = resultType == ResultJsObjectReference
            ? $"{{\"__jsObjectId\":{Interlocked.Increment(ref _nextJsObject)}}}"
            : "null";
        await SendAsync("EndInvokeJSFromDotNet", handle, true, $"[{handle},true,{result}]");
    }

    private static string ElementId(JsonElement element) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty("__internalId", out var id) ? id.ToString() : element.ToString();

    private async Task SendAsync(string method, params object?[] args)
    {
        if (_hub is null || _closing) return;
        try
        {
            await _hub.SendCoreAsync(method, args);
        }
        catch (Exception e) when (!_closing)
        {
            latencies.Error("circuit", $"{method}: {e.Message}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        _closing = true;
        if (_hub is not null) await _hub.DisposeAsync();
    }

    [GeneratedRegex(@"<!--Blazor:(\{.*?\})-->", RegexOptions.Singleline)]
    private static partial Regex MarkerPattern();

    [GeneratedRegex(@"<!--Blazor-Server-Component-State:(.*?)-->", RegexOptions.Singleline)]
    private static partial Regex StatePattern();
}
