using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Monitor.Probe.Hosting;
using Monitor.TestKit.Filesystems;
using Monitor.Web.Security;
using Monitor.Web.Tests.Support;
using Xunit.Abstractions;

namespace Monitor.Web.Tests.Features.Alerts;

/// <summary>
/// Alert evidence from the recording, in the real site (Program): the in-process probe replays a UDP scan and
/// records it (<c>Probe:Record</c>), the UDP-weight rule fires for the scan's interval, and the mail links the
/// recorded packets of that interval that match the rule's evidence filter, which the API key downloads.
/// </summary>
public sealed partial class RecordedEvidenceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task With_recording_on_the_alert_mail_links_the_recorded_packets_of_the_interval_and_they_are_the_offenders_packets()
    {
        using var dir = new TempDirectory();
        using var smtp = new SmtpServer(dir.Path);
        await smtp.StartAsync();
        var capture = UdpScanCapture.Write(dir.File("udp-scan.pcap"));
        var apiKey = Credentials.NewApiKey();
        using var site = new MonitorSite(settings: new Dictionary<string, string?>
        {
            ["Probe:Enabled"] = "true",
            ["Probe:Read:0"] = capture,
            ["Probe:Record"] = dir.File("record"),
            ["Probe:Interval"] = "10",
            ["Probe:Workers"] = "1",
            ["Auth:ApiKeys:0:Name"] = "analyst",
            ["Auth:ApiKeys:0:Hash"] = Credentials.HashApiKey(apiKey),
            ["Alerts:SiteUrl"] = "http://monitor.test:5080",
            ["Alerts:PollSeconds"] = "0.2",
            ["Alerts:Smtp:Host"] = "127.0.0.1",
            ["Alerts:Smtp:Port"] = smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Alerts:Rules:0:Type"] = "udp_weight",
            ["Alerts:Rules:0:To:0"] = "soc@example.org",
        });
        var client = site.CreateClient(new() { AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);

        var alert = (await smtp.WaitForMessagesAsync(1, TimeSpan.FromSeconds(30))).FirstOrDefault();
        Assert.NotNull(alert);
        output.WriteLine(alert.TextBody);
        Assert.Equal("[Monitor CRITICAL] udp_weight: 192.0.2.7", alert.Subject);
        var link = PcapLink().Match(alert.TextBody ?? "");
        Assert.True(link.Success, "the mail links the recorded packets");
        Assert.Equal(
            "http://monitor.test:5080/api/pcap?from=2026-11-23T10:00:00Z&to=2026-11-23T10:00:10Z" +
            "&filter=host%20192.0.2.7%20and%20%28udp%20or%20icmp%29&probe=test-probe", link.Groups["url"].Value);
        Assert.Contains($"href=\"{WebUtility.HtmlEncode(link.Groups["url"].Value)}\"", alert.HtmlBody);

        // The replay (and with it the recording) has ended before the packets are asked for.
        var feed = site.Services.GetRequiredService<ProbeLiveFeed>();
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (feed.Status.State is ProbeState.NotStarted or ProbeState.Running && DateTime.UtcNow < deadline) await Task.Delay(50);
        Assert.Equal(ProbeState.Stopped, feed.Status.State);

        var url = new Uri(link.Groups["url"].Value);
        using (var refused = await site.CreateClient(new() { AllowAutoRedirect = false }).GetAsync(url.PathAndQuery))
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        using var response = await client.GetAsync(url.PathAndQuery);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var download = dir.File("download.pcap");
        await File.WriteAllBytesAsync(download, await response.Content.ReadAsByteArrayAsync());

        // The scanner's 4,000 datagrams and the target's 4,000 port unreachables of that interval, as tcpdump
        // reads them from the replayed capture with the same filter: the packets that made the alert.
        var recorded = Tcpdump.Lines(download);
        Assert.Equal(2 * UdpScanCapture.Ports, recorded.Count(l => char.IsAsciiDigit(l[0])));
        Assert.Equal(Tcpdump.Lines(capture, "host 192.0.2.7 and (udp or icmp)"), recorded);
    }

    [GeneratedRegex(@"Recorded packets of 192\.0\.2\.7 in this interval matching ""host 192\.0\.2\.7 and \(udp or icmp\)"" \(pcap; login or API key\): (?<url>\S+)")]
    private static partial Regex PcapLink();
}
