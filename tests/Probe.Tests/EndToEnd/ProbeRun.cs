using System.Text.Json;
using Monitor.Probe.Cli;

namespace Monitor.Probe.Tests.EndToEnd;

/// <summary>
/// Runs the probe through the command line's own entry point (in-process) and reads back its JSON
/// lines; totals are summed over every interval written.
/// </summary>
public sealed class ProbeRun
{
    /// <summary>Holds any capture in one interval (aligned intervals of ~68 years).</summary>
    public const string WholeFile = "2147483647";

    private ProbeRun(int exitCode, string stdout, string stderr, IReadOnlyList<string> lines)
    {
        ExitCode = exitCode;
        Stdout = stdout;
        Stderr = stderr;
        Lines = lines;
        Intervals = lines.Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
    }

    public int ExitCode { get; }
    public string Stdout { get; }
    public string Stderr { get; }
    public IReadOnlyList<string> Lines { get; }
    public IReadOnlyList<JsonElement> Intervals { get; }

    public long Packets => Intervals.Sum(i => i.GetProperty("packets").GetInt64());
    public long Bytes => Intervals.Sum(i => i.GetProperty("bytes").GetInt64());

    public long ProtocolPackets(string protocol) =>
        Intervals.Sum(i => i.GetProperty("protocols").TryGetProperty(protocol, out var p) ? p.GetProperty("packets").GetInt64() : 0);

    /// <summary>Talkers summed over intervals (exact when --top holds every address).</summary>
    public IReadOnlyDictionary<string, Talker> Talkers()
    {
        var talkers = new Dictionary<string, Talker>();
        foreach (var interval in Intervals)
        {
            foreach (var row in interval.GetProperty("reports").GetProperty("talkers").EnumerateArray())
            {
                var ip = row.GetProperty("ip").GetString()!;
                var packets = row.GetProperty("packets").GetInt64();
                var bytes = row.GetProperty("bytes").GetInt64();
                talkers[ip] = talkers.TryGetValue(ip, out var t) ? t with { Packets = t.Packets + packets, Bytes = t.Bytes + bytes } : new Talker(ip, packets, bytes);
            }
        }
        return talkers;
    }

    public static async Task<ProbeRun> RunAsync(params string[] args)
    {
        var json = Path.Combine(Path.GetTempPath(), $"probe-{Guid.NewGuid():N}.jsonl");
        try
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            var exitCode = await ProbeCli.RunAsync([.. args, "--json", json], stdout, stderr);
            var lines = File.Exists(json) ? await File.ReadAllLinesAsync(json) : [];
            return new ProbeRun(exitCode, stdout.ToString(), stderr.ToString(), lines);
        }
        finally
        {
            File.Delete(json);
        }
    }

    public static ProbeRun FromJsonFile(string json, int exitCode, string stderr) =>
        new(exitCode, "", stderr, File.Exists(json) ? File.ReadAllLines(json) : []);

    /// <summary>Reads capture files with one interval holding them, every talker listed, no store.</summary>
    public static Task<ProbeRun> ReadAsync(string[] files, params string[] more) =>
        RunAsync(["--read", .. files, "--interval", WholeFile, "--top", "100000", "--store", "none", .. more]);
}
