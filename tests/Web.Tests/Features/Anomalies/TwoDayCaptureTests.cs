using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Monitor.Probe.Cli;
using Monitor.Storage.Model.Metrics;
using Monitor.TestKit.Synthetic;
using Xunit.Abstractions;

namespace Monitor.Web.Tests.Features.Anomalies;

/// <summary>
/// The analyst's case of issue 14: a generated two-day capture that opens with a SYN scan, an ICMP sweep and a UDP
/// flood (minutes 1-6 of day 1), loaded with the probe's command line into a real SQLite file and read through the
/// site's API: the day's SYN report puts the scanner first and the day's spike list has the three incidents.
/// </summary>
public sealed class TwoDayCaptureTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 3, 2, 0, 0, 10, TimeSpan.Zero);
    private const string Scanner = "203.0.113.66";
    private const string Sweeper = "203.0.113.99";
    private const string Flooder = "203.0.113.200";
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "monitor-2day-" + Guid.NewGuid().ToString("N")[..12]);
    private WebApplicationFactory<Program>? _site;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        // Day 1 from 00:00:10 for 90 minutes, then (after a gap the probe skips) day 2's first half hour, read in
        // order as one stream: a capture over two days whose every interval stays cheap to make in a test.
        var pcap = Path.Combine(_dir, "day1.pcap");
        var day2 = Path.Combine(_dir, "day2.pcap");
        SyntheticCaptureGenerator.Write(pcap, new SyntheticCaptureOptions
        {
            Start = Start,
            Duration = TimeSpan.FromMinutes(90),
            Packets = 5 * 5_400,
            Ipv4Clients = 400,
            Ipv6Clients = 40,
            ConcurrentFlows = 64,
            AttackWindow = (TimeSpan.FromSeconds(50), TimeSpan.FromSeconds(350)),
            AttackPacketsPerSecond = 200,
        });
        SyntheticCaptureGenerator.Write(day2, new SyntheticCaptureOptions
        {
            Seed = 2,
            Start = Start.AddDays(1),
            Duration = TimeSpan.FromMinutes(30),
            Packets = 5 * 1_800,
            Ipv4Clients = 400,
            Ipv6Clients = 40,
            ConcurrentFlows = 64,
            Attacks = false,
        });
        var db = Path.Combine(_dir, "monitor.db");
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await ProbeCli.RunAsync(["--read", pcap, day2, "--store", "sqlite:" + db, "--probe-name", "capture"], stdout, stderr);
        Assert.True(code == 0, $"monitor-probe exited {code}: {stderr}");
        _site = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Probe:Enabled", "false");
            b.UseSetting("Probe:Store", "sqlite:" + db);
            b.UseSetting("Anomalies:Enabled", "false");
            b.UseEnvironment("Production");
        });
    }

    public async Task DisposeAsync()
    {
        if (_site is not null) await _site.DisposeAsync();
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }

    [Fact]
    public async Task The_first_days_syn_report_puts_the_scanner_first_and_its_spike_list_has_the_scan_the_sweep_and_the_flood()
    {
        using var client = _site!.CreateClient();
        var syn = await client.GetFromJsonAsync<JsonElement>("/api/reports?report=syn&span=day&at=2026-03-02T12:00:00Z&n=10");
        var rows = syn.GetProperty("rows").EnumerateArray().ToList();
        output.WriteLine($"syn, day {syn.GetProperty("from").GetString()} to {syn.GetProperty("to").GetString()}:");
        output.WriteLine("ip                syn_sent  tcp_sent  tcp_received  rst_received  distinct_ports  work_weight  flag  lower_bound");
        foreach (var r in rows)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.GetProperty("ip").GetString(),-16}  {r.GetProperty("syn_sent").GetInt64(),8}  {r.GetProperty("tcp_sent").GetInt64(),8}  {r.GetProperty("tcp_received").GetInt64(),12}  {r.GetProperty("rst_received").GetInt64(),12}  {r.GetProperty("distinct_ports").GetInt64(),14}  {r.GetProperty("work_weight").GetDouble(),11}  {r.GetProperty("flag").GetString(),4}  {(r.TryGetProperty("lower_bound", out var lb) && lb.GetBoolean())}"));
        Assert.Equal(Scanner, rows[0].GetProperty("ip").GetString());
        Assert.Equal("W", rows[0].GetProperty("flag").GetString());
        Assert.True(rows[0].GetProperty("distinct_ports").GetInt64() > 1000, "the scanner's ports over the day are the union of its intervals'");

        var sweep = await client.GetFromJsonAsync<JsonElement>("/api/reports?report=ip_scanners&span=day&at=2026-03-02T12:00:00Z&n=3");
        var sweeper = sweep.GetProperty("rows").EnumerateArray().First();
        output.WriteLine($"ip_scanners, day: first {sweeper.GetProperty("ip").GetString()} with {sweeper.GetProperty("distinct_destinations").GetInt64()} destinations");
        Assert.Equal(Sweeper, sweeper.GetProperty("ip").GetString());

        var day = await client.GetFromJsonAsync<JsonElement>("/api/days/2026-03-02/spikes");
        var spikes = day.GetProperty("spikes").EnumerateArray().ToList();
        output.WriteLine($"spikes of 2026-03-02 ({spikes.Count}):");
        foreach (var s in spikes)
            output.WriteLine($"{s.GetProperty("start").GetString()} – {s.GetProperty("end").GetString()}  {s.GetProperty("series").GetString(),-24} peak {s.GetProperty("peak").GetDouble():G4} baseline {s.GetProperty("baseline").GetDouble():G4}  {s.GetProperty("kind").GetString()}");
        output.WriteLine($"days with new spikes: {string.Join(", ", day.GetProperty("newSpikeDays").EnumerateArray().Select(d => d.GetString()))}");

        var firstMinutes = spikes.Where(s => DateTimeOffset.Parse(s.GetProperty("start").GetString()!, CultureInfo.InvariantCulture) < Start.AddMinutes(7)).ToList();
        var series = firstMinutes.Select(s => s.GetProperty("series").GetString()).ToHashSet();
        Assert.Contains(MetricCatalog.Syn, series);
        Assert.Contains(MetricCatalog.UdpMaxWeight, series);
        Assert.Contains(MetricCatalog.Scanners, series);
        Assert.Contains("2026-03-02", day.GetProperty("newSpikeDays").EnumerateArray().Select(d => d.GetString()));
    }
}
