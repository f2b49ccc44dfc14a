using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Monitor.TestKit.Filesystems;
using Monitor.TestKit.Logging;
using Monitor.Web.Features.Alerts;

namespace Monitor.Web.Tests.Features.Alerts;

/// <summary>What the site's log says about alert mail, through a real logger provider and a real SMTP server.</summary>
public sealed class AlertMailLogTests
{
    [Fact]
    public async Task A_mail_that_cannot_be_sent_is_one_warning_however_often_it_is_retried_and_one_line_when_it_is_sent()
    {
        using var dir = new TempDirectory();
        using var smtp = new SmtpServer(dir.Path);
        var settings = AlertSettings.Validate(AlertTestKit.Options(dir.Path, smtp.Port, AlertTestKit.UdpWeightRule()));
        using var outbox = new AlertOutbox(settings.Options.Outbox);
        var log = new CapturedLog();
        using var loggers = log.Factory();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var delivery = new OutboxDeliveryService(settings, outbox, new SmtpMailSender(settings), clock,
            loggers.CreateLogger<OutboxDeliveryService>());
        outbox.Enqueue(new OutgoingMail("alert", "udp_weight", "UDP weight 12000 from 203.0.113.66", ["soc@example.org"], "text", "<p>html</p>"),
            clock.GetUtcNow());

        for (var attempt = 0; attempt < 3; attempt++)
        {
            await delivery.DeliverDueAsync(CancellationToken.None);
            clock.Advance(TimeSpan.FromSeconds(settings.Options.MaxRetrySeconds + 1));
        }
        Assert.Equal(1, outbox.Status().Pending);
        var failed = Assert.Single(log.Lines);
        Assert.Equal(LogLevel.Warning, failed.Level);
        Assert.Contains("Alert mail not sent", failed.Message);
        Assert.Contains("UDP weight 12000 from 203.0.113.66", failed.Message);

        await smtp.StartAsync();
        await delivery.DeliverDueAsync(CancellationToken.None);
        Assert.Single(await smtp.WaitForMessagesAsync(1, TimeSpan.FromSeconds(10)));
        Assert.Equal(2, log.Lines.Count);
        var sent = log.Lines[1];
        Assert.Equal(LogLevel.Information, sent.Level);
        Assert.Equal("Alert mail sent after 3 failed attempt(s): UDP weight 12000 from 203.0.113.66 to soc@example.org", sent.Message);
    }
}
