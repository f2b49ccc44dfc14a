using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Probe.Hosting;
using Monitor.Storage.Model;
using Monitor.Storage.Model.Queries;
using Monitor.Storage.Model.Snapshots;
using Monitor.TestKit.Filesystems;
using PacketDotNet;
using SharpPcap;
using SharpPcap.LibPcap;
using Xunit.Abstractions;

namespace Monitor.Web.Tests.Features.Alerts;

/// <summary>
/// Ourmon's trigger on a live link: the in-process probe captures on the loopback interface, a real
/// UDP scan between two loopback addresses makes the kernel answer with ICMP port unreachables, the
/// UDP-weight rule fires, and the evidence capture keeps the scanner's next packets.
/// </summary>
public sealed class LiveEvidenceTests(ITestOutputHelper output)
{
    private const string Scanner = "127.0.0.77";
    private const string Target = "127.0.0.78";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(40);

    private static void Scan(int firstPort, int ports)
    {
        using var udp = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp);
        udp.Bind(new IPEndPoint(IPAddress.Parse(Scanner), 0));
        var target = IPAddress.Parse(Target);
        var payload = new byte[8];
        for (var port = firstPort; port < firstPort + ports; port++)
        {
            try
            {
                udp.SendTo(payload, new IPEndPoint(target, port));
            }
            catch (SocketException)
            {
                // The previous datagram's port unreachable is reported on the next send; the scan goes on.
            }
        }
    }

    private static void KnockTcp(int port)
    {
        using var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        tcp.Bind(new IPEndPoint(IPAddress.Parse(Scanner), 0));
        try
        {
            tcp.Connect(new IPEndPoint(IPAddress.Parse(Target), port));
        }
        catch (SocketException)
        {
            // Refused: the SYN and the RST are on the wire, which is all this is for.
        }
    }

    [Fact]
    public async Task A_live_udp_scan_on_loopback_fires_the_rule_and_the_evidence_pcap_holds_the_scanners_next_packets()
    {
        using var dir = new TempDirectory();
        using var smtp = new SmtpServer(dir.Path);
        await smtp.StartAsync();
        await using var site = await AlertSite.StartAsync(dir.Path, smtp.Port, capture: null,
            ("Probe:Interface", "lo"),
            ("Probe:Filter", $"host {Scanner}"),
            ("Probe:Interval", "5"),
            ("Probe:Name", "live-probe"),
            ("Alerts:Evidence:Packets", "40"),
            ("Alerts:Evidence:Seconds", "30"));
        var feed = site.Services.GetRequiredService<ProbeLiveFeed>();
        await Until(() => feed.Status.State == ProbeState.Running || feed.Status.State == ProbeState.Failed);
        Assert.True(feed.Status.State == ProbeState.Running, $"live capture on lo did not start: {feed.Status.LastError}");

        // 8,000 ports: however an interval boundary splits the scan, one side weighs at least 4,000² = 16,000,000.
        Scan(20000, 8000);
        var alert = (await smtp.WaitForMessagesAsync(1, Wait)).FirstOrDefault();
        Assert.NotNull(alert);
        output.WriteLine($"Subject: {alert.Subject}");
        output.WriteLine(string.Join("\n", (alert.TextBody ?? "").Split('\n').Take(8)));
        Assert.Equal($"[Monitor CRITICAL] udp_weight: {Scanner}", alert.Subject);
        Assert.Contains($"Evidence for {Scanner}: next 40 packets matching \"host {Scanner} and (udp or icmp)\"", alert.TextBody);

        // The scan goes on after the alert, with TCP knocks in between that the evidence filter leaves out.
        for (var i = 0; i < 5; i++)
        {
            KnockTcp(30000 + i);
            Scan(31000 + 20 * i, 20);
        }
        var store = site.Services.GetRequiredService<IMonitorStore>();
        var captureEvent = await Until(async () =>
            (await store.QueryEventsAsync(new EventQuery(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(1), Kind: EventKinds.Capture))).FirstOrDefault());
        Assert.Equal(("40", "packet limit"), (captureEvent.Details["packets"], captureEvent.Details["reason"]));

        var file = Path.Combine(dir.Path, "evidence", captureEvent.Details["file"]);
        using var reader = new CaptureFileReaderDevice(file);
        reader.Open();
        var packets = new List<IPPacket>();
        while (reader.GetNextPacket(out var capture) == GetPacketStatus.PacketRead)
        {
            var raw = capture.GetPacket();
            packets.Add(Packet.ParsePacket(raw.LinkLayerType, raw.Data).Extract<IPPacket>());
        }
        Assert.Equal(40, packets.Count);
        Assert.All(packets, p => Assert.Contains(Scanner, new[] { p.SourceAddress.ToString(), p.DestinationAddress.ToString() }));
        Assert.All(packets, p => Assert.True(p.Protocol is PacketDotNet.ProtocolType.Udp or PacketDotNet.ProtocolType.Icmp, $"{p.Protocol} kept"));
        Assert.Contains(packets, p => p.Extract<UdpPacket>() is { DestinationPort: >= 31000 });
        Assert.Contains(packets, p => p.Extract<IcmpV4Packet>() is { TypeCode: IcmpV4TypeCode.UnreachablePort });

        using var download = await site.Client().GetAsync(captureEvent.Details["url"]);
        Assert.Equal(await File.ReadAllBytesAsync(file), await download.Content.ReadAsByteArrayAsync());

        // The alert, its resolution and the evidence follow-up, which links the file only now that it holds packets.
        var messages = await smtp.WaitForMessagesAsync(3, Wait);
        Assert.Contains(messages, m => m.Subject == "[Monitor RESOLVED] udp_weight on live-probe");
        var evidenceMail = Assert.Single(messages, m => m.Subject == $"[Monitor CRITICAL] udp_weight: evidence for {Scanner}");
        Assert.Contains($"40 packets", evidenceMail.TextBody);
        Assert.Contains("/evidence/" + Uri.EscapeDataString(captureEvent.Details["file"]), evidenceMail.TextBody);
        Assert.DoesNotContain("/evidence/", alert.TextBody);
    }

    private static async Task Until(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!condition() && DateTime.UtcNow < deadline) await Task.Delay(50);
    }

    private static async Task<T> Until<T>(Func<Task<T?>> probe) where T : class
    {
        var deadline = DateTime.UtcNow + Wait;
        while (true)
        {
            if (await probe() is { } value) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met within 40 s");
            await Task.Delay(100);
        }
    }
}
