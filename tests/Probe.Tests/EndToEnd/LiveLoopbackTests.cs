using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Monitor.Probe.Cli;

namespace Monitor.Probe.Tests.EndToEnd;

/// <summary>
/// Live capture on the loopback interface (needs root or CAP_NET_RAW, and tcpdump): the probe and
/// tcpdump watch the same UDP traffic sent to 127.0.0.1; the probe's live intervals must equal the
/// probe reading tcpdump's capture file.
/// </summary>
public sealed class LiveLoopbackTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("probe-live-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static bool CanCapture => Environment.UserName == "root" && File.Exists("/usr/bin/tcpdump");

    [Fact]
    public async Task Live_capture_on_loopback_counts_what_reading_tcpdumps_file_counts()
    {
        if (!CanCapture) return; // live capture needs root and tcpdump; ./scripts/test.sh runs as root in CI
        using var receiver = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        var port = ((IPEndPoint)receiver.Client.LocalEndPoint!).Port;
        var filter = $"udp and port {port}";
        var pcap = Path.Combine(_folder, "lo.pcap");
        var liveJson = Path.Combine(_folder, "live.jsonl");

        using var tcpdump = StartTcpdump(pcap, filter);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var stderr = new StringWriter();
        var probe = Task.Run(() => ProbeCli.RunAsync(
            ["--interface", "lo", "--filter", filter, "--interval", "3600", "--top", "1000", "--store", "none",
             "--json", liveJson, "--probe-name", "lo-test"], new StringWriter(), stderr, stop.Token));
        await Task.Delay(TimeSpan.FromSeconds(2));

        using (var sender = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0)))
        {
            var random = new Random(5);
            for (var i = 0; i < 3000; i++)
            {
                await sender.SendAsync(new byte[random.Next(0, 1200)], new IPEndPoint(IPAddress.Loopback, port));
                if (i % 100 == 0) await Task.Delay(5);
            }
        }
        await Task.Delay(TimeSpan.FromSeconds(2.5));
        await stop.CancelAsync();
        // libpcap on Linux may wait in its read until a packet arrives, so one larger packet (told apart
        // by its length) wakes the capture loop to notice the cancellation; it is taken out below.
        const int wakePayload = 1400;
        using (var waker = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0)))
            await waker.SendAsync(new byte[wakePayload], new IPEndPoint(IPAddress.Loopback, port));
        var exitCode = await probe.WaitAsync(TimeSpan.FromSeconds(30));
        await StopTcpdump(tcpdump);

        Assert.True(exitCode == 0, stderr.ToString());
        var live = ProbeRun.FromJsonFile(liveJson, exitCode, stderr.ToString());
        var offline = await ProbeRun.RunAsync("--read", pcap, "--filter", $"udp and less {wakePayload}", "--interval", "3600",
            "--top", "1000", "--store", "none", "--probe-name", "lo-test");

        Assert.Equal(0, offline.ExitCode);
        Assert.Equal(3000, offline.Packets);
        var woke = live.Packets - offline.Packets;
        Assert.InRange(woke, 0, 1);
        var wakeBytes = woke * (14 + 20 + 8 + wakePayload);
        Assert.Equal(offline.Bytes, live.Bytes - wakeBytes);
        Assert.Equal(offline.ProtocolPackets("udp"), live.ProtocolPackets("udp") - woke);
        var talker = Assert.Single(live.Talkers().Values);
        Assert.Equal(Assert.Single(offline.Talkers().Values), talker with { Packets = talker.Packets - woke, Bytes = talker.Bytes - wakeBytes });
    }

    private static Process StartTcpdump(string file, string filter)
    {
        var start = new ProcessStartInfo("/usr/bin/tcpdump", ["-i", "lo", "-U", "-n", "-w", file, filter])
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
        };
        var process = Process.Start(start)!;
        // tcpdump prints "listening on lo" once its filter is installed.
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (DateTime.UtcNow < deadline)
        {
            var line = process.StandardError.ReadLine();
            if (line is null || line.Contains("listening on", StringComparison.Ordinal)) break;
        }
        return process;
    }

    private static async Task StopTcpdump(Process tcpdump)
    {
        using (var kill = Process.Start("/bin/kill", ["-INT", tcpdump.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await tcpdump.WaitForExitAsync(wait.Token);
    }
}
