using Monitor.Storage;
using Monitor.Storage.Model.Queries;
using Monitor.TestKit.Servers;

namespace Monitor.Probe.Tests.EndToEnd;

/// <summary>
/// The natively compiled probe does what the probe run in-process does: the same JSON to the byte,
/// every report setting applied, intervals in SQLite and InfluxDB, a damaged file's whole packets.
/// </summary>
public sealed class NativeProbeTests(NativeProbe native) : IClassFixture<NativeProbe>, IDisposable
{
    private static readonly DateTimeOffset Start = new(2024, 6, 2, 3, 0, 4, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("probe-native-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    /// <summary>A capture, a blacklist and a configuration with a BPF graph, home network and worm threshold.</summary>
    private async Task<(SyntheticCapture Capture, string Config)> CaptureWithSettingsAsync(DateTimeOffset? start = null)
    {
        var capture = SyntheticCapture.Write(Path.Combine(_folder, "n.pcap"), seed: 21, packets: 30_000,
            start ?? Start, TimeSpan.FromSeconds(70), TimeSpan.FromSeconds(30));
        var blacklist = Path.Combine(_folder, "blacklist.txt");
        await File.WriteAllTextAsync(blacklist, "192.0.2.3\n2001:db8::1\n");
        var config = Path.Combine(_folder, "probe.json");
        await File.WriteAllTextAsync(config, $$"""
            {
              "Probe": {
                "Blacklist": "{{blacklist}}",
                "HomeNet": ["192.0.2.0/25"],
                "WormThreshold": 5,
                "Bpf": [ { "Name": "mix", "Unit": "bytes",
                           "Lines": [ { "Name": "udp", "Filter": "udp" }, { "Name": "v6", "Filter": "ip6" } ] } ]
              },
              "Spool": { "Directory": "{{Path.Combine(_folder, "spool")}}" }
            }
            """);
        return (capture, config);
    }

    [Fact]
    public async Task The_native_probe_writes_the_same_json_lines_as_the_probe_run_in_process()
    {
        var (capture, config) = await CaptureWithSettingsAsync();
        string[] args = ["--read", capture.Path, "--config", config, "--interval", "30", "--top", "50",
            "--store", "none", "--probe-name", "native"];

        var (code, output, error) = await native.RunAsync([.. args, "--json", "-"]);
        var inProcess = await ProbeRun.RunAsync(args);

        Assert.True(code == 0, error);
        Assert.Equal(0, inProcess.ExitCode);
        Assert.Equal(3, inProcess.Lines.Count);
        Assert.Equal(inProcess.Lines, output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var reports = inProcess.Intervals[1].GetProperty("reports");
        Assert.NotEmpty(reports.GetProperty("blacklist").EnumerateArray());
        Assert.True(inProcess.Intervals[1].GetProperty("metrics").GetProperty("bpf.mix.udp").GetDouble() > 0);
        Assert.Matches(@"monitor-probe: 30000 packets, [0-9]+ bytes in [0-9.]+ s", error);
    }

    [Fact]
    public async Task The_native_probe_stores_intervals_in_sqlite_that_the_store_reads_back()
    {
        var (capture, config) = await CaptureWithSettingsAsync();
        var database = Path.Combine(_folder, "monitor.db");

        var (code, _, error) = await native.RunAsync("--read", capture.Path, "--config", config, "--interval", "30",
            "--store", $"sqlite:{database}", "--probe-name", "native-sqlite");

        Assert.True(code == 0, error);
        await using var store = StoreFactory.Open($"sqlite:{database}");
        var intervals = await store.QueryIntervalsAsync(new IntervalQuery(Start.AddMinutes(-1), Start.AddMinutes(5), ["native-sqlite"]));
        Assert.Equal(3, intervals.Count);
        Assert.Equal(capture.Packets, intervals.Sum(i => i.Packets));
        Assert.Equal(capture.Bytes, intervals.Sum(i => i.Bytes));
        Assert.All(intervals, i => Assert.NotEmpty(i.Reports["talkers"]));
    }

    [Fact]
    public async Task The_native_probe_writes_to_a_real_influxd_through_its_http_api()
    {
        // InfluxDB drops points older than its retention policies keep: traffic of an hour ago.
        var start = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds() / 60 * 60 + 4);
        var (capture, config) = await CaptureWithSettingsAsync(start);
        await using var influx = new InfluxServer();
        await influx.StartAsync();
        var spec = influx.Spec("native");

        var (code, _, error) = await native.RunAsync("--read", capture.Path, "--config", config, "--interval", "30",
            "--store", spec, "--probe-name", "native-influx");

        Assert.True(code == 0, error);
        await using var store = StoreFactory.Open(spec);
        var intervals = await store.QueryIntervalsAsync(new IntervalQuery(start.AddMinutes(-1), start.AddMinutes(5), ["native-influx"]));
        Assert.Equal(3, intervals.Count);
        Assert.Equal(capture.Packets, intervals.Sum(i => i.Packets));
        Assert.Equal(capture.Bytes, intervals.Sum(i => i.Bytes));
    }

    [Fact]
    public async Task A_capture_cut_short_makes_the_native_probe_exit_2_having_counted_every_whole_packet()
    {
        var capture = SyntheticCapture.Write(Path.Combine(_folder, "whole.pcap"), seed: 22, packets: 2_000,
            Start, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(30));
        var cut = Path.Combine(_folder, "cut.pcap");
        var bytes = await File.ReadAllBytesAsync(capture.Path);
        await File.WriteAllBytesAsync(cut, bytes[..(bytes.Length - 7)]);

        var (code, output, error) = await native.RunAsync("--read", cut, "--json", "-", "--interval", ProbeRun.WholeFile, "--store", "none");

        Assert.Equal(2, code);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(capture.Packets - 1, System.Text.Json.JsonDocument.Parse(line).RootElement.GetProperty("packets").GetInt64());
        Assert.Contains("cut.pcap", Assert.Single(error.Split('\n'), l => l.Contains("error:")));
    }
}
