using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Monitor.Web.Features.Alerts;

/// <summary>Sends composed mails through the configured SMTP server with MailKit, one connection per batch.</summary>
public sealed class SmtpMailSender(AlertSettings settings)
{
    public static MimeMessage ToMessage(OutgoingMail mail, MailboxAddress from)
    {
        var message = new MimeMessage();
        message.From.Add(from);
        foreach (var to in mail.To) message.To.Add(MailboxAddress.Parse(to));
        message.Subject = mail.Subject;
        message.Headers.Add("X-Monitor-Alert", mail.Rule);
        message.Body = new BodyBuilder { TextBody = mail.Text, HtmlBody = mail.Html }.ToMessageBody();
        return message;
    }

    /// <summary>
    /// Sends each mail in order; stops at the first failure of the connection (the rest would fail
    /// the same way) and reports per mail which were accepted.
    /// </summary>
    public async Task SendAsync(IReadOnlyList<OutboxItem> items, Action<OutboxItem> sent, Action<OutboxItem, Exception> failed,
        CancellationToken cancellationToken)
    {
        if (items.Count == 0) return;
        var smtp = settings.Options.Smtp;
        using var client = new SmtpClient { Timeout = (int)(smtp.TimeoutSeconds * 1000) };
        try
        {
            await client.ConnectAsync(smtp.Host ?? "localhost", Port(smtp), Security(smtp.Security), cancellationToken).ConfigureAwait(false);
            if (!string.IsNullOrEmpty(smtp.User))
                await client.AuthenticateAsync(smtp.User, smtp.Password ?? "", cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            foreach (var item in items) failed(item, e);
            return;
        }
        for (var i = 0; i < items.Count; i++)
        {
            try
            {
                await client.SendAsync(ToMessage(items[i].Mail, settings.From), cancellationToken).ConfigureAwait(false);
                sent(items[i]);
            }
            catch (Exception e) when (e is SmtpCommandException or ParseException or FormatException)
            {
                // The server refused this mail (a recipient, say); the others may still go.
                failed(items[i], e);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                for (var j = i; j < items.Count; j++) failed(items[j], e);
                return;
            }
        }
        try
        {
            await client.DisconnectAsync(true, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Every mail was accepted already; a failed QUIT changes nothing.
            _ = e;
        }
    }

    public static int Port(SmtpOptions smtp) => smtp.Port > 0 ? smtp.Port : smtp.Security.ToLowerInvariant() switch
    {
        "tls" => 465,
        "starttls" => 587,
        _ => 25,
    };

    private static SecureSocketOptions Security(string security) => security.ToLowerInvariant() switch
    {
        "tls" => SecureSocketOptions.SslOnConnect,
        "starttls" => SecureSocketOptions.StartTls,
        _ => SecureSocketOptions.None,
    };
}
