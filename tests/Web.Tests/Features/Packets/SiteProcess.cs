using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Monitor.Web.Tests.Features.Packets;

/// <summary>
/// The built monitor-web (beside the tests) running as its own process on a free loopback port, as on another
/// machine: its own data folder, its own settings (<c>--Key=value</c>), its console log kept for the test.
/// </summary>
public sealed partial class SiteProcess : IDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();

    private SiteProcess(Process process, string dataDirectory)
    {
        _process = process;
        DataDirectory = dataDirectory;
    }

    public string DataDirectory { get; }
    public string BaseUrl { get; private set; } = "";
    public string Log => string.Join('\n', _lines);

    /// <summary>Starts the site and waits until it listens; throws with its output when it exits or takes over a minute.</summary>
    public static async Task<SiteProcess> StartAsync(params (string Key, string Value)[] settings)
    {
        var data = Directory.CreateTempSubdirectory("monitor-site-process-").FullName;
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = data,
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "monitor-web.dll"));
        foreach (var (key, value) in new[]
                 {
                     ("urls", "http://127.0.0.1:0"),
                     ("Probe:Enabled", "false"),
                     ("Probe:Store", $"sqlite:{Path.Combine(data, "monitor.db")}"),
                     ("Sessions:Store", $"duckdb:{Path.Combine(data, "sessions.duckdb")}"),
                 }.Concat(settings))
            start.ArgumentList.Add($"--{key}={value}");
        var site = new SiteProcess(Process.Start(start)!, data);
        var listening = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Read(string? line)
        {
            if (line is null) return;
            site._lines.Enqueue(line);
            if (Listening().Match(line) is { Success: true } m) listening.TrySetResult(m.Groups[1].Value);
        }
        site._process.OutputDataReceived += (_, e) => Read(e.Data);
        site._process.ErrorDataReceived += (_, e) => Read(e.Data);
        site._process.BeginOutputReadLine();
        site._process.BeginErrorReadLine();
        var exited = site._process.WaitForExitAsync();
        var first = await Task.WhenAny(listening.Task, exited, Task.Delay(TimeSpan.FromMinutes(1)));
        if (first != listening.Task)
        {
            site.Dispose();
            throw new InvalidOperationException($"monitor-web did not start listening:\n{site.Log}");
        }
        site.BaseUrl = listening.Task.Result.TrimEnd('/');
        return site;
    }

    /// <summary>Waits until a line containing every fragment is logged (lines may trail the answer they report).</summary>
    public async Task<string> WaitForLogAsync(params string[] fragments)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (true)
        {
            if (_lines.FirstOrDefault(l => fragments.All(f => l.Contains(f, StringComparison.Ordinal))) is { } line) return line;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"no log line with {string.Join(" + ", fragments)} in:\n{Log}");
            await Task.Delay(50);
        }
    }

    public void Dispose()
    {
        if (!_process.HasExited) _process.Kill(entireProcessTree: true);
        _process.WaitForExit(10_000);
        _process.Dispose();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file the killed process held may linger a moment; the temp folder is cleaned later.
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex Listening();
}
