using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Monitor.Web.Features.Alerts;

/// <summary>
/// Delivers the outbox: due mails go out in order; a failure sets that mail's next attempt with
/// exponential back-off (RetrySeconds doubling up to MaxRetrySeconds), never dropping it.
/// </summary>
public sealed class OutboxDeliveryService(
    AlertSettings settings, AlertOutbox outbox, SmtpMailSender sender, TimeProvider time, ILogger<OutboxDeliveryService> logger)
    : BackgroundService
{
    public TimeSpan Backoff(int attempts)
    {
        var seconds = settings.Options.RetrySeconds * Math.Pow(2, Math.Min(attempts, 30));
        return TimeSpan.FromSeconds(Math.Min(seconds, settings.Options.MaxRetrySeconds));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!settings.MailConfigured) return;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await DeliverDueAsync(stoppingToken).ConfigureAwait(false);
                var status = outbox.Status();
                var wait = status.NextAttempt is { } next ? next - time.GetUtcNow() : TimeSpan.FromMinutes(1);
                wait = TimeSpan.FromMilliseconds(Math.Clamp(wait.TotalMilliseconds, 50, 60_000));
                await outbox.WaitForWorkAsync(wait, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Alert outbox {Path} failed; retrying in 10 s", outbox.Path);
                await Task.Delay(TimeSpan.FromSeconds(10), time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    public async Task DeliverDueAsync(CancellationToken cancellationToken)
    {
        var due = outbox.Due(time.GetUtcNow());
        await sender.SendAsync(due,
            item =>
            {
                outbox.MarkSent(item.Id, time.GetUtcNow());
                if (item.Attempts == 0)
                    logger.LogInformation("Alert mail sent: {Subject} to {To}", item.Mail.Subject, string.Join(", ", item.Mail.To));
                else
                    logger.LogInformation("Alert mail sent after {Failed} failed attempt(s): {Subject} to {To}",
                        item.Attempts, item.Mail.Subject, string.Join(", ", item.Mail.To));
            },
            (item, error) =>
            {
                var delay = Backoff(item.Attempts);
                outbox.MarkFailed(item.Id, error.Message, time.GetUtcNow() + delay);
                // One warning per mail; its retries (with back-off, for as long as the server is down) log at Debug.
                logger.Log(item.Attempts == 0 ? LogLevel.Warning : LogLevel.Debug,
                    "Alert mail not sent ({Error}); attempt {Attempt}, kept in the outbox and retried in {Delay:0} s: {Subject}",
                    error.Message, item.Attempts + 1, delay.TotalSeconds, item.Mail.Subject);
            },
            cancellationToken).ConfigureAwait(false);
    }
}
