using System.Text.Json;
using Monitor.Probe.Tests.Capture;

namespace Monitor.Probe.Tests.EndToEnd;

/// <summary>The real <c>monitor-probe</c> executable, as a user runs it.</summary>
public sealed class ExecutableTests
{
    private static Task<(int Code, string Out, string Err)> RunProbe(params string[] args) =>
        NativeProbe.RunProcessAsync(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet",
            [Path.Combine(AppContext.BaseDirectory, "monitor-probe.dll"), .. args]);

    [SharedCapturesFact]
    public async Task The_executable_writes_json_lines_to_stdout_that_match_the_oracle()
    {
        const string capture = "pcpp-example.pcap";
        var oracle = SharedPcaps.OracleOf(capture);

        var (code, output, error) = await RunProbe("--read", SharedPcaps.PathOf(capture), "--json", "-",
            "--interval", ProbeRun.WholeFile, "--top", "20", "--store", "none");

        Assert.True(code == 0, error);
        var line = Assert.Single(output.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var root = JsonDocument.Parse(line).RootElement;
        Assert.Equal(oracle.Packets, root.GetProperty("packets").GetInt64());
        Assert.Equal(oracle.Bytes, root.GetProperty("bytes").GetInt64());
        Assert.Equal(oracle.Protocols["tcp"], root.GetProperty("protocols").GetProperty("tcp").GetProperty("packets").GetInt64());
        var talkers = root.GetProperty("reports").GetProperty("talkers").EnumerateArray()
            .ToDictionary(t => t.GetProperty("ip").GetString()!, t => new Talker(t.GetProperty("ip").GetString()!,
                t.GetProperty("packets").GetInt64(), t.GetProperty("bytes").GetInt64()));
        Assert.Equal(20, talkers.Count);
        foreach (var expected in oracle.Talkers.Take(20)) Assert.Equal(expected, talkers[expected.Ip]);
        Assert.Matches(@"monitor-probe: 4631 packets, 3738523 bytes in [0-9.]+ s \([0-9]+ packets/s\)", error);
    }

    [SharedCapturesFact]
    public async Task The_executable_exits_2_with_one_line_naming_a_damaged_file_and_its_offset()
    {
        const string capture = "surv-pgsql-5000-query-results.pcap";

        var (code, output, error) = await RunProbe("--read", SharedPcaps.PathOf(capture), "--json", "-", "--interval", "5", "--store", "none");

        Assert.Equal(2, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(785, lines.Sum(l => JsonDocument.Parse(l).RootElement.GetProperty("packets").GetInt64()));
        var errorLine = Assert.Single(error.Split('\n'), l => l.Contains("error:"));
        Assert.Contains(capture, errorLine);
        Assert.Contains("offset", errorLine);
        Assert.DoesNotContain("   at ", error);
    }
}
