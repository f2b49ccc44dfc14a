using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Monitor.TestKit.Servers;

/// <summary>
/// A real clickhouse-server (Debian's clickhouse-server, 18.16) on loopback for one test run: a minimal
/// config in a temp folder, free HTTP and native ports, the default user limited to loopback; Start
/// waits until /ping answers.
/// </summary>
public sealed class ClickHouseServer : IAsyncDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("monitor-clickhouse-").FullName;
    private Process? _process;

    public ClickHouseServer()
    {
        HttpPort = FreePort();
        var tcpPort = FreePort();
        var root = _root;
        ConfigPath = Path.Combine(root, "config.xml");
        File.WriteAllText(ConfigPath, $"""
            <?xml version="1.0"?>
            <yandex>
                <logger><level>warning</level><console>1</console></logger>
                <http_port>{HttpPort}</http_port>
                <tcp_port>{tcpPort}</tcp_port>
                <listen_host>127.0.0.1</listen_host>
                <path>{root}/data/</path>
                <tmp_path>{root}/tmp/</tmp_path>
                <format_schema_path>{root}/format_schemas/</format_schema_path>
                <users_config>users.xml</users_config>
                <default_profile>default</default_profile>
                <default_database>default</default_database>
                <mark_cache_size>268435456</mark_cache_size>
                <timezone>UTC</timezone>
            </yandex>
            """);
        File.WriteAllText(Path.Combine(root, "users.xml"), """
            <?xml version="1.0"?>
            <yandex>
                <profiles><default><max_memory_usage>4000000000</max_memory_usage></default></profiles>
                <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default></users>
                <quotas><default></default></quotas>
            </yandex>
            """);
    }

    public int HttpPort { get; }
    public string ConfigPath { get; }

    public string Spec(string database) => $"clickhouse://127.0.0.1:{HttpPort}/{database}";

    public static string? Executable => new[] { "/usr/sbin/clickhouse-server", "/usr/bin/clickhouse-server" }.FirstOrDefault(File.Exists);

    public async Task StartAsync()
    {
        if (_process is { HasExited: false }) return;
        var executable = Executable
            ?? throw new InvalidOperationException("clickhouse-server is not installed: run scripts/ensure-deps.sh test (Debian package clickhouse-server)");
        var info = new ProcessStartInfo(executable) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _root };
        info.ArgumentList.Add($"--config-file={ConfigPath}");
        _process = Process.Start(info) ?? throw new InvalidOperationException("could not start clickhouse-server");
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited) throw new InvalidOperationException($"clickhouse-server exited with {_process.ExitCode} at start");
            try
            {
                using var response = await http.GetAsync($"http://127.0.0.1:{HttpPort}/ping");
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException) { }
            catch (TaskCanceledException) { }
            await Task.Delay(100);
        }
        throw new TimeoutException("clickhouse-server did not answer /ping within 60 s");
    }

    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync();
            }
            _process.Dispose();
        }
        Directory.Delete(_root, recursive: true);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
