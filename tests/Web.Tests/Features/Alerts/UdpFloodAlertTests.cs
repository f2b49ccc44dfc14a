using System.Text.Json;
using Monitor.Storage.Model;
using Monitor.Storage.Model.Queries;
using Monitor.Storage.Model.Snapshots;
using Microsoft.Extensions.DependencyInjection;
using Monitor.TestKit.Filesystems;
using Monitor.Web.Features.Alerts;
using Xunit.Abstractions;

namespace Monitor.Web.Tests.Features.Alerts;

/// <summary>
/// End to end through real parts: a generated UDP scan replayed by the in-process probe into a real
/// SQLite store, the UDP-weight rule evaluated from it, mail delivered by MailKit to Debian's aiosmtpd.
/// </summary>
public sealed class UdpFloodAlertTests(ITestOutputHelper output)
{
    private static readonly TimeSpan MailWait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Udp_flood_fires_the_udp_weight_rule_and_the_mail_names_the_scanner_then_a_resolved_mail_follows()
    {
        using var dir = new TempDirectory();
        using var smtp = new SmtpServer(dir.Path);
        await smtp.StartAsync();
        var capture = UdpScanCapture.Write(dir.File("udp-scan.pcap"));

        await using var site = await AlertSite.StartAsync(dir.Path, smtp.Port, capture);
        var messages = await smtp.WaitForMessagesAsync(2, MailWait);
        Assert.True(messages.Count >= 2, $"expected the alert and the resolved mail, got {messages.Count}: {File.ReadAllText(smtp.LogFile)}");

        var alert = messages[0];
        output.WriteLine($"Subject: {alert.Subject}");
        output.WriteLine(string.Join("\n", (alert.TextBody ?? "").Split('\n').Take(12)));
        Assert.Equal("[Monitor CRITICAL] udp_weight: 192.0.2.7", alert.Subject);
        Assert.Equal("soc@example.org", Assert.Single(alert.To.Mailboxes).Address);
        Assert.Contains("Condition: any row of report udp with weight > 10,000,000.", alert.TextBody);
        Assert.Contains("Probe flood-probe, interval 2026-11-23 10:00:00 UTC to 2026-11-23 10:00:10 UTC:", alert.TextBody);
        Assert.Contains("192.0.2.7 weight 16,000,000 (threshold > 10,000,000)", alert.TextBody);
        Assert.DoesNotContain("198.51.100.20 weight", alert.TextBody);
        Assert.Contains("Top rows of report udp:", alert.TextBody);
        Assert.Contains("http://monitor.test:5080/reports/udp?from=2026-11-23T10%3A00%3A00Z&to=2026-11-23T10%3A00%3A10Z&probe=flood-probe", alert.TextBody);
        // A replayed interval is not live: its offender's next packets are not on the wire, so no capture is started
        // and no (empty) evidence file is linked.
        Assert.DoesNotContain("/evidence/", alert.TextBody);
        Assert.DoesNotContain("Evidence for", alert.TextBody);
        // The sets stored behind the distinct counts stay out of the mail's table.
        Assert.DoesNotContain("_set", alert.TextBody);
        Assert.Contains("<td>192.0.2.7</td>", alert.HtmlBody);
        Assert.Contains("href=\"http://monitor.test:5080/reports/udp?from=", alert.HtmlBody);

        var resolved = messages[1];
        Assert.Equal("[Monitor RESOLVED] udp_weight on flood-probe", resolved.Subject);
        Assert.Contains("active from 2026-11-23 10:00:00 UTC until 2026-11-23 10:00:10 UTC", resolved.TextBody);

        var store = site.Services.GetRequiredService<IMonitorStore>();
        var events = await store.QueryEventsAsync(new EventQuery(UdpScanCapture.Start.AddHours(-1), UdpScanCapture.Start.AddHours(1)));
        var fired = Assert.Single(events, e => e.Kind == EventKinds.Alert);
        Assert.Equal("192.0.2.7", fired.Details["hosts"]);
        Assert.Equal(UdpScanCapture.Weight.ToString(System.Globalization.CultureInfo.InvariantCulture), fired.Details["value"]);
        Assert.Single(events, e => e.Kind == EventKinds.AlertResolved);

        Assert.DoesNotContain(events, e => e.Kind == EventKinds.Capture);
        Assert.Empty(Directory.Exists(Path.Combine(dir.Path, "evidence")) ? Directory.GetFiles(Path.Combine(dir.Path, "evidence")) : []);

        using var api = JsonDocument.Parse(await site.Client().GetStringAsync("/api/alerts"));
        Assert.Equal("udp_weight", api.RootElement.GetProperty("rules")[0].GetProperty("name").GetString());
        Assert.Equal(0, api.RootElement.GetProperty("outbox").GetProperty("pending").GetInt32());
    }

    [Fact]
    public async Task With_the_smtp_server_stopped_the_alert_waits_in_the_outbox_and_arrives_after_it_starts()
    {
        using var dir = new TempDirectory();
        using var smtp = new SmtpServer(dir.Path);
        var capture = UdpScanCapture.Write(dir.File("udp-scan.pcap"));

        await using var site = await AlertSite.StartAsync(dir.Path, smtp.Port, capture);
        var outbox = site.Services.GetRequiredService<AlertOutbox>();
        var waiting = await WaitForAsync(() =>
        {
            var s = outbox.Status();
            return Task.FromResult(s.Pending >= 2 && s.LastError is not null ? s : null);
        });
        Assert.Equal(0, waiting.Sent);

        await smtp.StartAsync();
        var messages = await smtp.WaitForMessagesAsync(2, MailWait);
        Assert.Equal(["[Monitor CRITICAL] udp_weight: 192.0.2.7", "[Monitor RESOLVED] udp_weight on flood-probe"], messages.Select(m => m.Subject));
        await WaitForAsync(() => Task.FromResult(outbox.Status() is { Pending: 0, Sent: 2 } s ? s : null));
    }

    private static async Task<T> WaitForAsync<T>(Func<Task<T?>> probe) where T : class
    {
        var deadline = DateTime.UtcNow + MailWait;
        while (true)
        {
            if (await probe() is { } value) return value;
            if (DateTime.UtcNow > deadline) throw new TimeoutException("condition not met within 30 s");
            await Task.Delay(100);
        }
    }
}
