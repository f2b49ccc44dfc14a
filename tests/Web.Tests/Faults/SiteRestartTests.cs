using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Monitor.Storage.Model.Queries;
using Monitor.TestKit.Synthetic;
using Monitor.Web.Tests.Support;

namespace Monitor.Web.Tests.Faults;

/// <summary>
/// Separate probe processes keep writing to the SQLite file while the site that reads it is stopped
/// and started again: every closed interval is there once, with exact counts, and the site answers.
/// </summary>
public sealed class SiteRestartTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("monitor-restart-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task Restarting_the_site_while_probes_write_loses_and_duplicates_no_interval()
    {
        var capture = Path.Combine(_folder, "mixed.pcap");
        var truth = SyntheticCaptureGenerator.Write(capture, new SyntheticCaptureOptions
        {
            Packets = 200_000, Seed = 7, Duration = TimeSpan.FromSeconds(120), Ipv4Clients = 300, Ipv6Clients = 30,
            // Recent times: the stores keep intervals for two weeks back from the newest data or the clock.
            Start = DateTimeOffset.UtcNow.AddMinutes(-10),
        });
        var store = $"sqlite:{Path.Combine(_folder, "monitor.db")}";
        var settings = new Dictionary<string, string?> { ["Probe:Store"] = store };
        string[] probes = ["probe-a", "probe-b", "probe-c", "probe-d"];

        var writers = probes.Select(name => RunProbe(capture, store, name)).ToList();
        for (var restart = 0; restart < 3; restart++)
        {
            using var site = new MonitorSite(settings: settings);
            var answer = await site.CreateClient().GetAsync("/api/probes");
            Assert.True(answer.IsSuccessStatusCode, $"site start {restart}: {answer.StatusCode}");
        }
        foreach (var (code, error) in await Task.WhenAll(writers)) Assert.True(code == 0, error);

        using var last = new MonitorSite(settings: settings);
        foreach (var probe in probes)
        {
            var intervals = await last.Store.QueryIntervalsAsync(new IntervalQuery(truth.First.AddDays(-1), truth.Last.AddDays(1), [probe]));
            Assert.Equal(intervals.Count, intervals.Select(i => i.Start).Distinct().Count());
            Assert.Equal(truth.Packets, intervals.Sum(i => i.Packets));
            Assert.Equal(truth.Bytes, intervals.Sum(i => i.Bytes));
        }
        var listed = await last.CreateClient().GetFromJsonAsync<JsonElement>("/api/probes");
        var names = listed.GetProperty("probes").EnumerateArray().Select(p => p.GetProperty("probe").GetString()).ToList();
        Assert.All(probes, p => Assert.Contains(p, names));
    }

    /// <summary>
    /// The probe's own build output (same configuration as this test), whose deps file lists the
    /// hosting packages the site's output takes from the ASP.NET Core framework instead.
    /// </summary>
    private static string ProbeExecutable()
    {
        var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
        var configuration = testOutput.Parent!.Name;
        var root = testOutput.Parent!.Parent!.Parent!.Parent!.Parent!.FullName;
        return Path.Combine(root, "src", "Probe", "bin", configuration, testOutput.Name, "monitor-probe.dll");
    }

    private static async Task<(int Code, string Error)> RunProbe(string capture, string store, string name)
    {
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet";
        var start = new ProcessStartInfo(dotnet,
            [ProbeExecutable(), "--read", capture, "--interval", "5", "--store", store, "--probe-name", name, "--session-store", "none"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // Four writers share one SQLite file on a busy CI machine: let each finish delivering
            // rather than leave its last intervals in its spool for the next start.
            Environment = { ["Spool__FlushTimeout"] = "00:02:00" },
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        await process.WaitForExitAsync(timeout.Token);
        await output;
        return (process.ExitCode, await error);
    }
}
