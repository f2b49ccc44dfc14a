using Microsoft.Extensions.Logging.Abstractions;
using Monitor.TestKit.Filesystems;
using Monitor.Web.Features.Alerts;

namespace Monitor.Web.Tests.Features.Alerts;

public sealed class OutboxDeliveryTests
{
    /// <summary>The site's delivery service over a real outbox and MailKit sender, on the system clock.</summary>
    private static OutboxDeliveryService Delivery(AlertSettings settings, AlertOutbox outbox) =>
        new(settings, outbox, new SmtpMailSender(settings), TimeProvider.System, NullLogger<OutboxDeliveryService>.Instance);

    private static OutgoingMail Mail(string subject) =>
        new("alert", "udp_weight", subject, ["soc@example.org"], $"plain {subject}\nsecond line", $"<p>html {subject}</p>");

    [Fact]
    public async Task Mail_waits_in_the_outbox_while_the_smtp_server_is_down_and_arrives_after_it_starts()
    {
        using var dir = new TempDirectory();
        using var smtp = new SmtpServer(dir.Path);
        var settings = AlertSettings.Validate(AlertTestKit.Options(dir.Path, smtp.Port, AlertTestKit.UdpWeightRule()));
        using var outbox = new AlertOutbox(settings.Options.Outbox);
        var delivery = Delivery(settings, outbox);

        outbox.Enqueue(Mail("first"), DateTimeOffset.UtcNow);
        await delivery.DeliverDueAsync(CancellationToken.None);
        var down = outbox.Status();
        Assert.Equal(1, down.Pending);
        Assert.NotNull(down.LastError);
        Assert.True(down.NextAttempt > DateTimeOffset.UtcNow.AddMilliseconds(-50), "a failed mail is retried later, not at once");

        await smtp.StartAsync();
        await delivery.StartAsync(CancellationToken.None);
        try
        {
            var messages = await smtp.WaitForMessagesAsync(1, TimeSpan.FromSeconds(15));
            var message = Assert.Single(messages);
            Assert.Equal("first", message.Subject);
            Assert.Contains("plain first", message.TextBody);
            Assert.Contains("html first", message.HtmlBody);
            Assert.Equal(0, outbox.Status().Pending);
            Assert.Equal(1, outbox.Status().Sent);
        }
        finally
        {
            await delivery.StopAsync(CancellationToken.None);
        }
    }

    [Fact]
    public async Task Pending_mail_survives_a_restart_of_the_site_and_is_sent_once()
    {
        using var dir = new TempDirectory();
        using var smtp = new SmtpServer(dir.Path);
        var settings = AlertSettings.Validate(AlertTestKit.Options(dir.Path, smtp.Port, AlertTestKit.UdpWeightRule()));
        using (var before = new AlertOutbox(settings.Options.Outbox))
        {
            before.Enqueue(Mail("kept"), DateTimeOffset.UtcNow);
            before.Enqueue(Mail("also kept"), DateTimeOffset.UtcNow);
        }

        await smtp.StartAsync();
        using var after = new AlertOutbox(settings.Options.Outbox);
        Assert.Equal(2, after.Status().Pending);
        var delivery = Delivery(settings, after);
        await delivery.DeliverDueAsync(CancellationToken.None);
        await delivery.DeliverDueAsync(CancellationToken.None);

        var messages = await smtp.WaitForMessagesAsync(2, TimeSpan.FromSeconds(10));
        Assert.Equal(["kept", "also kept"], messages.Select(m => m.Subject));
        Assert.Equal(0, after.Status().Pending);
    }

    [Fact]
    public async Task An_alert_whose_back_off_is_longer_still_arrives_before_the_resolved_mail_written_after_it()
    {
        using var dir = new TempDirectory();
        using var smtp = new SmtpServer(dir.Path);
        var settings = AlertSettings.Validate(AlertTestKit.Options(dir.Path, smtp.Port, AlertTestKit.UdpWeightRule()));
        using var outbox = new AlertOutbox(settings.Options.Outbox);
        var delivery = Delivery(settings, outbox);
        var now = DateTimeOffset.UtcNow;
        // While the server was down the alert failed three times and backs off for minutes; the resolved mail,
        // written later, failed once and is due again now.
        var alert = outbox.Enqueue(Mail("alert"), now.AddMinutes(-3));
        for (var attempt = 0; attempt < 3; attempt++) outbox.MarkFailed(alert, "connection refused", now.AddMinutes(5));
        var resolved = outbox.Enqueue(Mail("resolved"), now.AddMinutes(-1));
        outbox.MarkFailed(resolved, "connection refused", now.AddSeconds(-1));

        Assert.Equal(["alert", "resolved"], outbox.Due(now).Select(item => item.Mail.Subject));
        await smtp.StartAsync();
        await delivery.DeliverDueAsync(CancellationToken.None);

        var messages = await smtp.WaitForMessagesAsync(2, TimeSpan.FromSeconds(10));
        Assert.Equal(["alert", "resolved"], messages.Select(m => m.Subject));
        Assert.Equal(0, outbox.Status().Pending);
    }

    [Fact]
    public void Nothing_is_due_while_every_pending_mail_backs_off()
    {
        using var dir = new TempDirectory();
        using var outbox = new AlertOutbox(Path.Combine(dir.Path, "outbox.db"));
        var now = DateTimeOffset.UtcNow;
        outbox.MarkFailed(outbox.Enqueue(Mail("alert"), now), "connection refused", now.AddSeconds(20));
        outbox.MarkFailed(outbox.Enqueue(Mail("resolved"), now), "connection refused", now.AddSeconds(10));

        Assert.Empty(outbox.Due(now.AddSeconds(5)));
        Assert.Equal(["alert", "resolved"], outbox.Due(now.AddSeconds(10)).Select(item => item.Mail.Subject));
    }

    [Fact]
    public void Back_off_doubles_from_the_retry_delay_up_to_the_maximum()
    {
        using var dir = new TempDirectory();
        var options = AlertTestKit.Options(dir.Path, 25, AlertTestKit.UdpWeightRule());
        options.RetrySeconds = 10;
        options.MaxRetrySeconds = 60;
        var settings = AlertSettings.Validate(options);
        using var outbox = new AlertOutbox(settings.Options.Outbox);
        var delivery = Delivery(settings, outbox);
        Assert.Equal([10.0, 20, 40, 60, 60], Enumerable.Range(0, 5).Select(a => delivery.Backoff(a).TotalSeconds));
    }
}
