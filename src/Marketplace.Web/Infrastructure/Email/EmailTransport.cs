using System.Net;
using System.Net.Mail;
using System.Net.Mime;
using System.Text;
using Microsoft.Extensions.Options;

namespace Marketplace.Web.Infrastructure.Email;

/// <summary>A message ready to leave: one recipient, a text part and an HTML part, a fixed Message-ID.</summary>
public sealed record EmailMessage(string To, string Subject, string TextBody, string HtmlBody, string MessageId, string Language,
    string? UnsubscribeUrl = null);

/// <summary>The email port. Only the outbox sender uses it; features write <see cref="OutboxEmail"/> rows instead.</summary>
public interface IEmailTransport
{
    Task SendAsync(EmailMessage message, CancellationToken cancellationToken);
}

public enum EmailTransportKind
{
    /// <summary>.eml files under &lt;DataDirectory&gt;/mail/: a local run needs no mail server.</summary>
    Files,
    /// <summary>SMTP through System.Net.Mail (SendGrid: its SMTP relay).</summary>
    Smtp,
}

/// <summary>Settings under <c>Email:</c>. Credentials come from configuration or environment, never from files in the repo.</summary>
public sealed class EmailOptions
{
    public const string Section = "Email";

    public EmailTransportKind Transport { get; set; } = EmailTransportKind.Files;
    public string From { get; set; } = "Panier de services numériques <no-reply@panier.invalid>";
    /// <summary>Domain part of generated Message-IDs.</summary>
    public string MessageIdDomain { get; set; } = "panier.invalid";
    public string SmtpHost { get; set; } = "localhost";
    public int SmtpPort { get; set; } = 25;
    /// <summary>STARTTLS (System.Net.Mail's EnableSsl). Required by SendGrid on port 587.</summary>
    public bool SmtpStartTls { get; set; }
    public string? SmtpUserName { get; set; }
    public string? SmtpPassword { get; set; }
    /// <summary>How often the background sender looks for due emails.</summary>
    public double PollSeconds { get; set; } = 5;
    /// <summary>Run the background sender in this process (tests deliver by hand instead).</summary>
    public bool BackgroundSender { get; set; } = true;
    /// <summary>At most this many messages per second leave the sender (0: no limit).</summary>
    public double MessagesPerSecond { get; set; }
    /// <summary>How long a claimed row belongs to the sender that claimed it; after a crash, it is sent again once this has passed.</summary>
    public double LeaseSeconds { get; set; } = 300;
}

/// <summary>Builds the MIME message both transports send: multipart/alternative, UTF-8, our Message-ID.</summary>
internal static class MailMessages
{
    public static MailMessage Build(EmailMessage message, EmailOptions options)
    {
        var mail = new MailMessage
        {
            From = new MailAddress(options.From),
            Subject = OutboxEmail.OneLine(message.Subject),
            SubjectEncoding = Encoding.UTF8,
            HeadersEncoding = Encoding.UTF8,
            BodyEncoding = Encoding.UTF8,
        };
        mail.To.Add(new MailAddress(message.To));
        mail.Headers.Add("Message-ID", message.MessageId);
        mail.Headers.Add("Content-Language", message.Language == "en" ? "en-CA" : "fr-CA");
        if (message.UnsubscribeUrl is { } unsubscribe)
        {
            // RFC 2369 and RFC 8058: mail clients offer « se désabonner » and may POST to it in one click.
            mail.Headers.Add("List-Unsubscribe", $"<{unsubscribe}>");
            mail.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
        }
        mail.AlternateViews.Add(AlternateView.CreateAlternateViewFromString(CrLf(message.TextBody), Encoding.UTF8, MediaTypeNames.Text.Plain));
        mail.AlternateViews.Add(AlternateView.CreateAlternateViewFromString(CrLf(message.HtmlBody), Encoding.UTF8, MediaTypeNames.Text.Html));
        return mail;
    }

    private static string CrLf(string text) => text.Replace("\r\n", "\n").Replace("\n", "\r\n");
}

public sealed class FileEmailTransport(IOptions<MarketplaceOptions> marketplace, IOptions<EmailOptions> options) : IEmailTransport
{
    public string Directory => Path.Combine(marketplace.Value.DataDirectory, "mail");

    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(Directory);
        using var mail = MailMessages.Build(message, options.Value);
        using var client = new SmtpClient { DeliveryMethod = SmtpDeliveryMethod.SpecifiedPickupDirectory, PickupDirectoryLocation = Directory };
        await client.SendMailAsync(mail, cancellationToken);
    }
}

public sealed class SmtpEmailTransport(IOptions<EmailOptions> options) : IEmailTransport
{
    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        var o = options.Value;
        using var mail = MailMessages.Build(message, o);
        using var client = new SmtpClient(o.SmtpHost, o.SmtpPort)
        {
            EnableSsl = o.SmtpStartTls,
            DeliveryMethod = SmtpDeliveryMethod.Network,
            Timeout = 30_000,
        };
        if (!string.IsNullOrEmpty(o.SmtpUserName)) client.Credentials = new NetworkCredential(o.SmtpUserName, o.SmtpPassword);
        await client.SendMailAsync(mail, cancellationToken);
    }
}
