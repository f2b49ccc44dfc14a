using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Monitor.Probe.Hosting;
using Monitor.Storage.Model;
using Monitor.Storage.Sessions;
using Monitor.Web.Tests.Support;

namespace Monitor.Web.Tests;

/// <summary>The site's one container: every setting in its configuration reaches the part that uses it.</summary>
public sealed class CompositionRootTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 20, 9, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("monitor-web-root-").FullName;

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }

    [Fact]
    public async Task A_live_in_process_probe_spools_under_the_sites_spool_directory()
    {
        // Live capture (on loopback) is where the spool works: a replay writes in bulk through the replay writer.
        var spool = Path.Combine(_dir, "live-spool");
        using var site = new MonitorSite(settings: new Dictionary<string, string?>
        {
            ["Probe:Enabled"] = "true",
            ["Probe:Interface"] = "lo",
            ["Probe:Store"] = $"sqlite:{Path.Combine(_dir, "live.db")}",
            ["Probe:SessionStore"] = "none",
            ["Probe:Workers"] = "1",
            ["Spool:Directory"] = spool,
        });
        var feed = site.Services.GetRequiredService<ProbeLiveFeed>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        // The spool opens before the engine reports itself running: wait for both (or for the probe to stop).
        while (!(File.Exists(Path.Combine(spool, "spool.lock")) && feed.Status.State == ProbeState.Running)
               && feed.Status.State is ProbeState.NotStarted or ProbeState.Running && DateTime.UtcNow < deadline)
            await Task.Delay(50);
        Assert.True(File.Exists(Path.Combine(spool, "spool.lock")), $"no spool under Spool:Directory; probe {feed.Status.State}: {feed.Status.LastError}");
        Assert.Equal(ProbeState.Running, feed.Status.State);
    }

    [Fact]
    public async Task Storage_retention_and_spool_settings_of_the_site_reach_its_in_process_probe_which_writes_the_store_the_pages_read()
    {
        var capture = Path.Combine(_dir, "long.pcap");
        Captures.Generate(capture, Start, TimeSpan.FromMinutes(35));
        var db = Path.Combine(_dir, "monitor.db");
        var spool = Path.Combine(_dir, "my-spool");
        using (var site = new MonitorSite(settings: new Dictionary<string, string?>
        {
            ["Probe:Enabled"] = "true",
            ["Probe:Read:0"] = capture,
            ["Probe:Store"] = $"sqlite:{db}",
            ["Probe:Workers"] = "1",
            ["Storage:SecondRetention"] = "00:01:00",
            ["Spool:Directory"] = spool,
        }))
        {
            var feed = site.Services.GetRequiredService<ProbeLiveFeed>();
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (feed.Status.State is ProbeState.NotStarted or ProbeState.Running && DateTime.UtcNow < deadline) await Task.Delay(50);
            Assert.Equal(ProbeState.Stopped, feed.Status.State);
            // A replay writes through the replay writer (in bulk, no spool files), not the live spool.
            Assert.False(File.Exists(Path.Combine(spool, "spool.lock")), "a capture replay does not go through the on-disk spool");
            // Nothing but that one store instance is ever opened by the site.
            Assert.Single(site.Services.GetServices<IMonitorStore>());
        }   // stopping the site flushes the probe's spool into the store

        await using var connection = new SqliteConnection($"Data Source={db};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT min(time), max(time) FROM seconds";
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync());
        var oldest = DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(0));
        var newest = DateTimeOffset.FromUnixTimeSeconds(reader.GetInt64(1));
        Assert.Equal(Start.AddMinutes(35).AddSeconds(-1), newest);
        // With Storage:SecondRetention = 1 minute the writer pruned the 1-second points as it went (every
        // 10 minutes of data); with the default 2 days the first second of the capture would still be there.
        Assert.True(oldest > Start.AddMinutes(15), $"oldest 1-second point {oldest:u} was not pruned");
    }

    [Fact]
    public async Task Without_Sessions_Store_the_pages_search_the_sessions_the_sites_probe_writes_next_to_its_series_store()
    {
        var capture = Path.Combine(_dir, "short.pcap");
        Captures.Generate(capture, Start, TimeSpan.FromMinutes(3));
        using var site = new MonitorSite(settings: new Dictionary<string, string?>
        {
            ["Probe:Enabled"] = "true",
            ["Probe:Read:0"] = capture,
            ["Probe:Store"] = $"sqlite:{Path.Combine(_dir, "elsewhere", "monitor.db")}",
            ["Probe:Workers"] = "1",
            ["Sessions:Store"] = null,
        });
        Assert.Equal($"duckdb:{Path.Combine(_dir, "elsewhere", "sessions.duckdb")}",
            site.Services.GetRequiredService<IOptions<SessionStoreOptions>>().Value.Store);
        var feed = site.Services.GetRequiredService<ProbeLiveFeed>();
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (feed.Status.State is ProbeState.NotStarted or ProbeState.Running && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Equal(ProbeState.Stopped, feed.Status.State);

        using var client = site.CreateClient();
        var url = $"/api/sessions?from={Start:yyyy-MM-ddTHH:mm:ssZ}&to={Start.AddMinutes(5):yyyy-MM-ddTHH:mm:ssZ}";
        var total = 0L;
        // The probe's last batch of records reaches the file as it stops.
        while (DateTime.UtcNow < deadline)
        {
            using var body = JsonDocument.Parse(await client.GetStringAsync(url));
            total = body.RootElement.GetProperty("total").GetInt64();
            if (total > 0) break;
            await Task.Delay(100);
        }
        Assert.True(total > 0, $"{url} found none of the replayed capture's sessions");
    }

    [Fact]
    public async Task Every_bad_setting_of_every_section_is_reported_on_its_own_line_with_its_key_and_the_site_does_not_start()
    {
        var (code, output, error) = await WebProcess.RunAsync(_dir,
            "--urls", "http://127.0.0.1:0", $"--Probe:Store=sqlite:{Path.Combine(_dir, "m.db")}", "--Probe:Enabled=false",
            "--Storage:SecondRetention=00:00:01", "--Storage:SummaryRows=0",
            "--Auth:MaxFailedAttempts=0", "--Auth:LockoutMinutes=0",
            "--Anomalies:Threshold=0", "--Anomalies:SeasonDays=30");

        Assert.Equal(2, code);
        var lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.Equal(6, lines.Length);
        Assert.All(lines, l => Assert.StartsWith("monitor-web: ", l, StringComparison.Ordinal));
        foreach (var key in new[] { "Storage:SecondRetention", "Storage:SummaryRows", "Auth:MaxFailedAttempts", "Auth:LockoutMinutes", "Anomalies: Threshold", "Anomalies: SeasonDays" })
            Assert.Single(lines, l => l.Contains(key, StringComparison.Ordinal));
        Assert.DoesNotContain("Now listening", output);
    }
}
