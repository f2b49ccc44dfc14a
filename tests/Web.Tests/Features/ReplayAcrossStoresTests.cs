using System.Net.Http.Json;
using System.Text.Json;
using Monitor.Probe.Cli;
using Monitor.TestKit.Servers;
using Monitor.Web.Tests.Support;

namespace Monitor.Web.Tests.Features;

/// <summary>
/// A capture from years ago, replayed by monitor-probe into a real influxd and into SQLite, reads back the
/// same through /api/reports?span=range: InfluxDB keeps it instead of dropping it by the wall clock on write.
/// </summary>
public sealed class ReplayAcrossStoresTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2009, 3, 14, 15, 0, 0, TimeSpan.Zero);
    private readonly string _dir = Directory.CreateTempSubdirectory("monitor-replay-stores-").FullName;
    private readonly InfluxServer _influx = new();

    public Task InitializeAsync() => _influx.StartAsync();

    public async Task DisposeAsync()
    {
        await _influx.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }

    [Fact]
    public async Task A_capture_from_2009_replayed_into_influxdb_reads_back_the_talkers_sqlite_gives()
    {
        var capture = Path.Combine(_dir, "capture-from-2009.pcap");
        Captures.Generate(capture, Start, TimeSpan.FromMinutes(4));
        var sqlite = $"sqlite:{Path.Combine(_dir, "monitor.db")}";
        var influx = _influx.Spec("replay2009");

        foreach (var store in new[] { sqlite, influx })
        {
            var error = new StringWriter();
            var code = await ProbeCli.RunAsync(["--read", capture, "--store", store, "--probe-name", "old-probe", "--workers", "1"],
                new StringWriter(), error);
            Assert.True(code == 0, $"monitor-probe --store {store}: {error}");
        }

        var fromSqlite = await Talkers(sqlite);
        var fromInflux = await Talkers(influx);

        Assert.Contains("10.1.1.1", fromSqlite);
        Assert.Contains("192.0.2.80", fromSqlite);
        Assert.Equal(fromSqlite, fromInflux);
    }

    /// <summary>The talkers rows as the API gives them, JSON text (every field, in order).</summary>
    private static async Task<string> Talkers(string store)
    {
        using var site = new MonitorSite(settings: new Dictionary<string, string?> { ["Probe:Store"] = store });
        var from = Uri.EscapeDataString(Start.ToString("O"));
        var to = Uri.EscapeDataString(Start.AddMinutes(5).ToString("O"));
        var response = await site.CreateClient().GetFromJsonAsync<JsonElement>($"/api/reports?report=talkers&span=range&from={from}&to={to}&n=50");
        var rows = response.GetProperty("rows");
        Assert.True(rows.GetArrayLength() > 0, $"no talkers from {store}");
        return rows.GetRawText();
    }
}
