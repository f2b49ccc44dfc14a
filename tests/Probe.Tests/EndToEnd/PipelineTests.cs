using System.Globalization;

namespace Monitor.Probe.Tests.EndToEnd;

public sealed class PipelineTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2024, 5, 1, 12, 0, 7, TimeSpan.Zero);
    private readonly string _folder = Directory.CreateTempSubdirectory("probe-pipeline-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_synthetic_capture_is_counted_exactly_into_aligned_intervals()
    {
        var capture = SyntheticCapture.Write(Path.Combine(_folder, "s.pcap"), seed: 7, packets: 20_000,
            Start, TimeSpan.FromSeconds(95), TimeSpan.FromSeconds(30));

        var run = await ProbeRun.RunAsync("--read", capture.Path, "--interval", "30", "--top", "100000",
            "--store", "none", "--workers", "3", "--probe-name", "synthetic");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(capture.Packets, run.Packets);
        Assert.Equal(capture.Bytes, run.Bytes);
        foreach (var (protocol, packets) in capture.ProtocolPackets) Assert.Equal(packets, run.ProtocolPackets(protocol));
        Assert.Equal(capture.Talkers.OrderBy(t => t.Key), run.Talkers().OrderBy(t => t.Key));
        var perInterval = run.Intervals.ToDictionary(
            i => DateTimeOffset.Parse(i.GetProperty("start").GetString()!, CultureInfo.InvariantCulture),
            i => i.GetProperty("packets").GetInt64());
        Assert.Equal(capture.PacketsPerInterval.OrderBy(p => p.Key), perInterval.OrderBy(p => p.Key));
        foreach (var interval in run.Intervals)
        {
            var start = DateTimeOffset.Parse(interval.GetProperty("start").GetString()!, CultureInfo.InvariantCulture);
            var end = DateTimeOffset.Parse(interval.GetProperty("end").GetString()!, CultureInfo.InvariantCulture);
            Assert.Equal(0, start.ToUnixTimeSeconds() % 30);
            Assert.Equal(TimeSpan.FromSeconds(30), end - start);
            Assert.Equal("synthetic", interval.GetProperty("probe").GetString());
        }
    }

    [Fact]
    public async Task One_worker_and_four_workers_write_identical_intervals()
    {
        var capture = SyntheticCapture.Write(Path.Combine(_folder, "w.pcap"), seed: 11, packets: 30_000,
            Start, TimeSpan.FromSeconds(70), TimeSpan.FromSeconds(30));
        string[] args = ["--read", capture.Path, "--interval", "30", "--top", "50", "--store", "none", "--probe-name", "p"];

        var one = await ProbeRun.RunAsync([.. args, "--workers", "1"]);
        var four = await ProbeRun.RunAsync([.. args, "--workers", "4"]);

        Assert.Equal(0, one.ExitCode);
        Assert.Equal(0, four.ExitCode);
        Assert.Equal(3, one.Lines.Count);
        Assert.Equal(one.Lines, four.Lines);
    }

    [Fact]
    public async Task Threads_that_split_the_tables_write_what_one_thread_writes()
    {
        var capture = SyntheticCapture.Write(Path.Combine(_folder, "t.pcap"), seed: 13, packets: 30_000,
            Start, TimeSpan.FromSeconds(70), TimeSpan.FromSeconds(30));
        string[] args = ["--read", capture.Path, "--interval", "30", "--top", "50", "--store", "none", "--probe-name", "p"];

        var one = await ProbeRun.RunAsync([.. args, "--workers", "1", "--table-groups", "1"]);
        var split = await ProbeRun.RunAsync([.. args, "--workers", "1", "--table-groups", "2"]);
        var splitPartitions = await ProbeRun.RunAsync([.. args, "--workers", "3", "--table-groups", "2"]);

        Assert.Equal(0, split.ExitCode);
        Assert.Equal(3, one.Lines.Count);
        Assert.Equal(one.Lines, split.Lines);
        Assert.Equal(one.Lines, splitPartitions.Lines);
    }

    [Fact]
    public async Task Several_files_are_read_in_order_as_one_stream()
    {
        var first = SyntheticCapture.Write(Path.Combine(_folder, "a.pcap"), 1, 3000, Start, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(60));
        var second = SyntheticCapture.Write(Path.Combine(_folder, "b.pcap"), 2, 4000, Start.AddSeconds(20), TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(60));

        var run = await ProbeRun.RunAsync("--read", first.Path, second.Path, "--interval", "60", "--store", "none");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(7000, run.Packets);
        Assert.Equal(first.Bytes + second.Bytes, run.Bytes);
    }

    [Fact]
    public async Task Report_settings_from_flags_and_from_a_configuration_file_reach_the_reports()
    {
        var capture = SyntheticCapture.Write(Path.Combine(_folder, "r.pcap"), 5, 5000, Start, TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(60));
        var blacklist = Path.Combine(_folder, "blacklist.txt");
        await File.WriteAllTextAsync(blacklist, "192.0.2.1\n");
        var config = Path.Combine(_folder, "reports.json");
        await File.WriteAllTextAsync(config, $$"""
            { "Probe": { "Blacklist": "{{blacklist}}", "HomeNet": ["192.0.2.0/24"], "WormThreshold": 1000000 } }
            """);

        var byFlags = await ProbeRun.ReadAsync([capture.Path], "--blacklist", blacklist, "--home-net", "192.0.2.0/24");
        var byFile = await ProbeRun.ReadAsync([capture.Path], "--config", config);

        foreach (var run in new[] { byFlags, byFile })
        {
            Assert.Equal(0, run.ExitCode);
            var reports = Assert.Single(run.Intervals).GetProperty("reports");
            var hits = reports.GetProperty("blacklist").EnumerateArray().ToList();
            Assert.NotEmpty(hits);
            Assert.All(hits, hit => Assert.Contains("192.0.2.1", new[] { hit.GetProperty("src").GetString(), hit.GetProperty("dst").GetString() }));
            var talkers = reports.GetProperty("talkers").EnumerateArray().ToList();
            Assert.All(talkers, t => Assert.Equal(t.GetProperty("ip").GetString()!.StartsWith("192.0.2.", StringComparison.Ordinal),
                t.GetProperty("inside").GetBoolean()));
        }
        Assert.DoesNotContain(Assert.Single(byFile.Intervals).GetProperty("reports").GetProperty("syn").EnumerateArray(),
            row => row.GetProperty("worm").GetBoolean());
    }
}
