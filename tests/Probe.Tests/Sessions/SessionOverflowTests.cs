using System.Text.Json;
using System.Text.RegularExpressions;
using Monitor.Probe.Tests.EndToEnd;
using Monitor.TestKit.Synthetic;

namespace Monitor.Probe.Tests.Sessions;

/// <summary>
/// A spoofed SYN flood through the whole probe with a small session table: the table evicts, and the
/// overflow report says so per interval, in figures that agree with the records and the run's summary.
/// </summary>
public sealed class SessionOverflowTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("session-overflow-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public async Task A_flood_that_fills_the_session_table_shows_its_early_evictions_in_the_overflow_report()
    {
        var capture = Path.Combine(_folder, "flood.pcap");
        SynFloodGenerator.Write(capture, new SynFloodOptions
        {
            DistinctSources = 20_000, HeavyHitters = 2, HeavyHitterSyns = 100, HeavyHitterStep = 10, Duration = TimeSpan.FromSeconds(55),
        });
        var config = Path.Combine(_folder, "probe.json");
        await File.WriteAllTextAsync(config, """{ "Probe": { "SessionTable": { "Capacity": 1024 } } }""");
        var sessions = Path.Combine(_folder, "sessions.jsonl");

        var run = await ProbeRun.RunAsync("--read", capture, "--config", config, "--workers", "1", "--interval", "30",
            "--store", "none", "--sessions", sessions);

        Assert.True(run.ExitCode == 0, run.Stderr);
        var rows = run.Intervals
            .Select(i => i.GetProperty("reports").GetProperty("overflow").EnumerateArray()
                .SingleOrDefault(r => r.GetProperty("table").GetString() == "sessions"))
            .ToList();
        Assert.Equal(2, rows.Count);
        Assert.All(rows, r =>
        {
            Assert.Equal(JsonValueKind.Object, r.ValueKind);
            Assert.Equal(1024, r.GetProperty("capacity").GetInt64());
            Assert.Equal(1024, r.GetProperty("keys").GetInt64());
            Assert.Equal(0, r.GetProperty("max_error").GetInt64());
            Assert.True(r.GetProperty("folded").GetInt64() > 1000);
        });
        // Every session ended evicted but those still open when the capture ended (a session that had its status
        // record and no packet since is evicted without a second record, so count sessions, not records).
        var records = File.ReadLines(sessions).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        (string?, int, string?, int, string?) Key(JsonElement r) => (r.GetProperty("src").GetString(), r.GetProperty("sport").GetInt32(),
            r.GetProperty("dst").GetString(), r.GetProperty("dport").GetInt32(), r.GetProperty("start").GetString());
        var stopped = records.Where(r => r.GetProperty("reason").GetString() == "stopped").Select(Key).ToHashSet();
        var endedEarly = records.Select(Key).Distinct().Count(k => !stopped.Contains(k));
        var folded = rows.Sum(r => r.GetProperty("folded").GetInt64());
        Assert.Equal(endedEarly, folded);
        // 20,000 spoofed sources and the heavy hitters' 100 + 90 SYNs, each from a port of its own.
        Assert.Equal(20_190 - 1024, folded);
        var summary = Regex.Match(run.Stderr + run.Stdout, "([0-9]+) sessions evicted early");
        Assert.True(summary.Success, run.Stderr);
        Assert.Equal(folded, long.Parse(summary.Groups[1].Value));
    }
}
