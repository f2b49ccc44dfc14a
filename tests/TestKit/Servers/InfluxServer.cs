using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Monitor.TestKit.Servers;

/// <summary>
/// A real influxd (Debian's influxdb package) on loopback for one test run: generated config in a temp folder,
/// free ports for HTTP and RPC, no reporting, no UDP/Graphite/CQ service; Start waits until /ping answers.
/// Stop kills it; Start again reuses the same data folder (a store outage and recovery).
/// </summary>
public sealed class InfluxServer : IAsyncDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("monitor-influxd-").FullName;
    private Process? _process;

    public InfluxServer()
    {
        HttpPort = FreePort();
        var rpcPort = FreePort();
        var root = _root;
        ConfigPath = Path.Combine(root, "influxdb.conf");
        File.WriteAllText(ConfigPath, $"""
            reporting-disabled = true
            bind-address = "127.0.0.1:{rpcPort}"
            [meta]
              dir = "{root}/meta"
              logging-enabled = false
            [data]
              dir = "{root}/data"
              wal-dir = "{root}/wal"
              query-log-enabled = false
            [coordinator]
              log-queries-after = "0s"
            [monitor]
              store-enabled = false
            [http]
              enabled = true
              bind-address = "127.0.0.1:{HttpPort}"
              auth-enabled = false
              log-enabled = false
              max-row-limit = 0
            [continuous_queries]
              enabled = false
            [subscriber]
              enabled = false
            """);
    }

    public int HttpPort { get; }
    public string ConfigPath { get; }

    public string Spec(string database) => $"influx://127.0.0.1:{HttpPort}/{database}";

    public static string Executable =>
        new[] { "/usr/bin/influxd", "/usr/local/bin/influxd" }.FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("influxd is not installed: run scripts/ensure-deps.sh test (Debian package influxdb)");

    public async Task StartAsync()
    {
        if (_process is { HasExited: false }) return;
        var info = new ProcessStartInfo(Executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        info.ArgumentList.Add("-config");
        info.ArgumentList.Add(ConfigPath);
        _process = Process.Start(info) ?? throw new InvalidOperationException("could not start influxd");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"influxd exited with {_process.ExitCode} at start");
            try
            {
                using var response = await http.GetAsync($"http://127.0.0.1:{HttpPort}/ping");
                if (response.StatusCode == HttpStatusCode.NoContent) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException("influxd did not answer /ping within 60 s");
    }

    public async Task StopAsync()
    {
        if (_process is null) return;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        _process = null;
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        Directory.Delete(_root, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
