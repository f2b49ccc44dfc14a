using System.Globalization;
using Monitor.Probe.Tests.Capture;
using Monitor.Probe.Tests.EndToEnd;

namespace Monitor.Probe.Tests.Bpf;

public sealed class BpfGraphTests : IDisposable
{
    private readonly string _config = Path.Combine(Path.GetTempPath(), $"probe-bpf-{Guid.NewGuid():N}.json");

    public void Dispose() => File.Delete(_config);

    private static double Count(ProbeRun run, string metric) =>
        run.Intervals.Sum(i =>
        {
            var seconds = (DateTimeOffset.Parse(i.GetProperty("end").GetString()!, CultureInfo.InvariantCulture)
                - DateTimeOffset.Parse(i.GetProperty("start").GetString()!, CultureInfo.InvariantCulture)).TotalSeconds;
            return i.GetProperty("metrics").GetProperty(metric).GetDouble() * seconds;
        });

    [SharedCapturesFact]
    public async Task User_bpf_graphs_count_each_line_and_the_rest_as_other_in_packets_or_bytes()
    {
        const string capture = "ef-UDP_SCAN.pcap";
        await File.WriteAllTextAsync(_config, """
            { "Probe": { "Bpf": [
                { "Name": "scan", "Unit": "packets", "Lines": [ { "Name": "udp", "Filter": "udp" }, { "Name": "icmp", "Filter": "icmp" } ] },
                { "Name": "udp_bytes", "Unit": "bytes", "Lines": [ { "Name": "udp", "Filter": "ip proto 17" } ] }
            ] } }
            """);

        var run = await ProbeRun.RunAsync("--read", SharedPcaps.PathOf(capture), "--config", _config, "--interval", "60", "--store", "none");

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(1034, Math.Round(Count(run, "bpf.scan.udp")));
        Assert.Equal(993, Math.Round(Count(run, "bpf.scan.icmp")));
        Assert.Equal(2028 - 1034 - 993, Math.Round(Count(run, "bpf.scan.other")));
        var udpBytes = run.Intervals.Sum(i => i.GetProperty("protocols").GetProperty("udp").GetProperty("bytes").GetInt64());
        Assert.Equal(udpBytes, Math.Round(Count(run, "bpf.udp_bytes.udp")));
        Assert.Equal(run.Bytes - udpBytes, Math.Round(Count(run, "bpf.udp_bytes.other")));
    }

    [Fact]
    public async Task A_bad_bpf_expression_in_the_configuration_stops_the_probe_naming_the_setting()
    {
        var capture = Path.GetTempFileName();
        try
        {
            await File.WriteAllTextAsync(_config, """
                { "Probe": { "Bpf": [ { "Name": "web", "Lines": [ { "Name": "http", "Filter": "tcp prot 80" } ] } ] } }
                """);
            var run = await ProbeRun.RunAsync("--read", capture, "--config", _config, "--store", "none");

            Assert.Equal(2, run.ExitCode);
            Assert.Contains("Probe:Bpf:0:Lines:0:Filter", run.Stderr);
        }
        finally
        {
            File.Delete(capture);
        }
    }
}
