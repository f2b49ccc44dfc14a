using System.Net;
using Bunit;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Monitor.Probe.Evidence;
using Monitor.Storage;
using Monitor.TestKit.Filesystems;
using Monitor.Web.Features.Alerts;
using Monitor.Web.Features.Packets;

namespace Monitor.Web.Tests.Features.Alerts;

public sealed class AlertPageTests
{
    private sealed class FixedAntiforgery : AntiforgeryStateProvider
    {
        public override AntiforgeryRequestToken GetAntiforgeryToken() => new("test-token", "__RequestVerificationToken");
    }

    [Fact]
    public async Task Alerts_page_lists_rules_with_state_recent_alerts_with_evidence_the_outbox_and_a_test_mail_form()
    {
        using var dir = new TempDirectory();
        var settings = AlertSettings.Validate(AlertTestKit.Options(dir.Path, 2525, AlertTestKit.UdpWeightRule()));
        await using var store = StoreFactory.Open("sqlite:" + dir.File("monitor.db"));
        using var outbox = new AlertOutbox(settings.Options.Outbox);
        outbox.Enqueue(new OutgoingMail("alert", "udp_weight", "[Monitor CRITICAL] udp_weight: 192.0.2.7", ["soc@example.org"], "t", "<p>h</p>"), DateTimeOffset.UtcNow);
        outbox.MarkFailed(1, "Connection refused", DateTimeOffset.UtcNow.AddSeconds(20));
        var activity = new AlertActivity();
        var evaluator = new AlertEvaluator(settings.Rules);
        var round = evaluator.Evaluate([AlertTestKit.Interval("p1", AlertTestKit.T0, reports: new Dictionary<string, IReadOnlyList<Monitor.Storage.Model.Snapshots.ReportRow>>
        {
            ["udp"] = [AlertTestKit.UdpRow("192.0.2.7", 5000, 0, 4000, 4000)],
        })], []);
        activity.RoundDone(DateTimeOffset.UtcNow, 1, evaluator.States);
        var composer = new AlertMailComposer(settings);
        var link = new EvidenceLink("udp_weight", "p1", "192.0.2.7", "udp_weight-192.0.2.7-20261123T100000Z.pcap", "host 192.0.2.7 and (udp or icmp)", 20);
        // Probe p1 records: the alert also links its recorded packets of the interval.
        var evidence = new AlertEvidence(settings, null, new EvidenceStore(settings.Options.Evidence.Directory, 1 << 20),
            new PacketsOptions { Recordings = { ["p1"] = dir.File("record") } }, store, NullLogger<AlertEvidence>.Instance);
        activity.Add([new AlertRecord(DateTimeOffset.UtcNow, "alert", "udp_weight", "critical", "p1", round.Fired[0].Start, round.Fired[0].End,
            round.Fired[0].Offenders[0].Label, composer.DrillDown(round.Fired[0]), [link], evidence.RecordedFor(round.Fired[0]))]);

        using var context = new BunitContext();
        context.Services.AddSingleton(settings);
        context.Services.AddSingleton(activity);
        context.Services.AddSingleton(outbox);
        context.Services.AddSingleton(evidence);
        context.Services.AddSingleton<AntiforgeryStateProvider, FixedAntiforgery>();
        var page = context.Render<AlertsPage>();

        var rules = page.Find("table.rules").TextContent;
        Assert.Contains("any row of report udp with weight > 10,000,000", rules);
        Assert.Contains("soc@example.org", rules);
        Assert.Contains("p1: ACTIVE since 2026-11-23 10:00:00 UTC", rules);
        var recent = page.Find("table.recent");
        Assert.Contains("192.0.2.7 weight 20,000,000 (threshold > 10,000,000)", recent.TextContent);
        Assert.Equal("/evidence/udp_weight-192.0.2.7-20261123T100000Z.pcap", recent.QuerySelector("a[download]")!.GetAttribute("href"));
        Assert.Equal("http://monitor.test:5080/api/pcap?from=2026-11-23T10:00:00Z&to=2026-11-23T10:00:30Z&filter=host%20192.0.2.7%20and%20%28udp%20or%20icmp%29&probe=p1",
            recent.QuerySelector("a.packets-link")!.GetAttribute("href"));
        Assert.Equal("Packets of 192.0.2.7", recent.QuerySelector("a.packets-link")!.TextContent);
        Assert.StartsWith("http://monitor.test:5080/reports/udp?from=2026-11-23T10%3A00%3A00Z", recent.QuerySelector("a:not([download])")!.GetAttribute("href"));
        Assert.Contains("1 waiting", page.Find(".outbox-pending").TextContent);
        Assert.Contains("Connection refused", page.Find("table.outbox").TextContent);
        var form = page.Find("form.test-mail");
        Assert.Equal("/alerts/test-mail", form.GetAttribute("action"));
        Assert.Equal("test-token", form.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value"));
    }

    [Fact]
    public async Task Send_test_email_needs_the_antiforgery_token_and_the_mail_arrives()
    {
        using var dir = new TempDirectory();
        using var smtp = new SmtpServer(dir.Path);
        await smtp.StartAsync();
        await using var site = await AlertSite.StartAsync(dir.Path, smtp.Port, capture: null);
        var client = site.Client();

        using var forged = await client.PostAsync("/alerts/test-mail", new FormUrlEncodedContent([new("to", "ops@example.org")]));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);

        using var tokenResponse = await client.GetAsync("/test/antiforgery");
        var token = await tokenResponse.Content.ReadAsStringAsync();
        var cookie = string.Join("; ", tokenResponse.Headers.GetValues("Set-Cookie").Select(c => c.Split(';')[0]));

        using var bad = new HttpRequestMessage(HttpMethod.Post, "/alerts/test-mail")
        {
            Content = new FormUrlEncodedContent([new("__RequestVerificationToken", token), new("to", "<script>x</script>")]),
        };
        bad.Headers.Add("Cookie", cookie);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.SendAsync(bad)).StatusCode);

        using var post = new HttpRequestMessage(HttpMethod.Post, "/alerts/test-mail")
        {
            Content = new FormUrlEncodedContent([new("__RequestVerificationToken", token), new("to", "ops@example.org")]),
        };
        post.Headers.Add("Cookie", cookie);
        using var response = await client.SendAsync(post);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/alerts?test=queued", response.Headers.Location?.ToString());

        var message = Assert.Single(await smtp.WaitForMessagesAsync(1, TimeSpan.FromSeconds(20)));
        Assert.Equal("[Monitor] Test e-mail", message.Subject);
        Assert.Equal("ops@example.org", Assert.Single(message.To.Mailboxes).Address);
        Assert.Contains($"through 127.0.0.1:{smtp.Port} (none)", message.TextBody);
    }

    [Theory]
    [InlineData("/evidence/..%2Fmonitor.db")]
    [InlineData("/evidence/..%2F..%2Fetc%2Fpasswd")]
    [InlineData("/evidence/monitor.db")]
    [InlineData("/evidence/none.pcap")]
    public async Task Evidence_downloads_refuse_anything_but_an_evidence_file(string url)
    {
        using var dir = new TempDirectory();
        await using var site = await AlertSite.StartAsync(dir.Path, SmtpServer.FreePort(), capture: null);
        using var response = await site.Client().GetAsync(url);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
