using System.Diagnostics;
using System.Globalization;

namespace Monitor.Bench.Load;

/// <summary>
/// Watches the site process: resident memory and CPU from /proc (through <see cref="Process"/>), the GC
/// heap and the probe's counters from its Prometheus endpoint, once a second (as a scraper would).
/// </summary>
internal sealed class SiteSampler(int pid, Uri site, HttpClient http, Latencies latencies)
{
    private readonly Process _process = Process.GetProcessById(pid);
    private TimeSpan _cpuAtStart;

    public long PeakRss { get; private set; }
    public long PeakGcHeap { get; private set; }
    public TimeSpan Cpu { get; private set; }
    public IReadOnlyDictionary<string, double> LastMetrics { get; private set; } = new Dictionary<string, double>();

    public async Task RunAsync(CancellationToken stop)
    {
        _process.Refresh();
        _cpuAtStart = _process.TotalProcessorTime;
        while (!stop.IsCancellationRequested)
        {
            await SampleAsync();
            try { await Task.Delay(1000, stop); }
            catch (OperationCanceledException) { }
        }
        await SampleAsync();
    }

    public async Task SampleAsync()
    {
        _process.Refresh();
        if (!_process.HasExited)
        {
            PeakRss = Math.Max(PeakRss, Math.Max(_process.WorkingSet64, _process.PeakWorkingSet64));
            Cpu = _process.TotalProcessorTime - _cpuAtStart;
        }
        var clock = Stopwatch.StartNew();
        try
        {
            using var response = await http.GetAsync(new Uri(site, "metrics"));
            var text = await response.Content.ReadAsStringAsync();
            if (!response.IsSuccessStatusCode)
            {
                latencies.Error("metrics scrape", $"HTTP {(int)response.StatusCode}");
                return;
            }
            latencies.Record("metrics scrape", clock.Elapsed);
            var values = new Dictionary<string, double>();
            foreach (var line in text.Split('\n'))
            {
                if (line.Length == 0 || line[0] == '#') continue;
                var space = line.LastIndexOf(' ');
                if (space > 0 && double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
                    values[line[..space]] = v;
            }
            LastMetrics = values;
            if (values.TryGetValue("dotnet_total_memory_bytes", out var heap)) PeakGcHeap = Math.Max(PeakGcHeap, (long)heap);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
        {
            latencies.Error("metrics scrape", e.Message);
        }
    }

    public double Metric(string name) => LastMetrics.TryGetValue(name, out var v) ? v : double.NaN;
}
