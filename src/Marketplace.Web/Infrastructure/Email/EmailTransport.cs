using System.Net;
using System.Net.Mail;
using System.Net.Mime;
using System.Text;
using Microsoft.Extensions.Options;

namespace Marketplace.Web.Infrastructure.Email;

/// <summary>
/// A message ready to leave: one recipient, a text part and an HTML part, a fixed Message-ID; the outbox row's id and
/// kind (SendGrid's custom argument and category).
/// </summary>
public sealed record EmailMessage(string To, string Subject, string TextBody, string HtmlBody, string MessageId, string Language,
    string? UnsubscribeUrl = null, long OutboxId = 0, string Kind = EmailKinds.General);

/// <summary>
/// The server refused this message for good (SendGrid's 400, say): the outbox stops trying it and shows the error on the
/// admins' email page. Any other exception from a transport is taken as transient and retried with back-off.
/// </summary>
public sealed class PermanentEmailFailureException(string message) : Exception(message);

/// <summary>The email port. Only the outbox sender uses it; features write <see cref="OutboxEmail"/> rows instead.</summary>
public interface IEmailTransport
{
    Task SendAsync(EmailMessage message, CancellationToken cancellationToken);

    /// <summary>
    /// A session for one sender loop, which sends its messages one after the other; by default each message goes on its
    /// own. SMTP keeps its connection open for the session: a connection per message costs a TCP (and, with a relay,
    /// a TLS and an AUTH) handshake each time.
    /// </summary>
    IEmailSession OpenSession() => new OneByOneSession(this);
}

/// <summary>Messages sent one after the other by one sender loop; never used by two loops at once.</summary>
public interface IEmailSession : IDisposable
{
    /// <summary>Returns once the server (or the file) has accepted the message; throws otherwise.</summary>
    Task SendAsync(EmailMessage message, CancellationToken cancellationToken);
}

internal sealed class OneByOneSession(IEmailTransport transport) : IEmailSession
{
    public Task SendAsync(EmailMessage message, CancellationToken cancellationToken) => transport.SendAsync(message, cancellationToken);

    public void Dispose() { }
}

public enum EmailTransportKind
{
    /// <summary>.eml files under &lt;DataDirectory&gt;/mail/: a local run needs no mail server.</summary>
    Files,
    /// <summary>SMTP through System.Net.Mail (any relay, SendGrid's included).</summary>
    Smtp,
    /// <summary>SendGrid's v3 Web API through its SDK (<see cref="SendGridEmailTransport"/>, ADR 0032).</summary>
    SendGrid,
}

/// <summary>Settings under <c>Email:SendGrid:</c> (ADR 0032).</summary>
public sealed class SendGridOptions
{
    /// <summary>An API key with the « Mail Send » permission only. A secret: environment or user secrets, never a file in the repo.</summary>
    public string? ApiKey { get; set; }
    /// <summary>The API's address; empty: the SDK's (https://api.sendgrid.com). Tests point it at a local server.</summary>
    public string? Host { get; set; }
    /// <summary>The Event Webhook's verification key (base64 DER, from SendGrid's « Signed Event Webhook » settings); empty: no webhook.</summary>
    public string? WebhookPublicKey { get; set; }
    /// <summary>A signed webhook request whose timestamp is older than this is refused (401): a captured request cannot be replayed later.</summary>
    public double WebhookMaxAgeHours { get; set; } = 72;
    /// <summary>The largest webhook body read (bytes); a larger one gets 413. SendGrid posts events in batches.</summary>
    public int WebhookMaxBytes { get; set; } = 4 * 1024 * 1024;
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
    public SendGridOptions SendGrid { get; set; } = new();
    /// <summary>How often the background sender looks for due emails.</summary>
    public double PollSeconds { get; set; } = 5;
    /// <summary>Run the background sender in this process (tests deliver by hand instead).</summary>
    public bool BackgroundSender { get; set; } = true;
    /// <summary>At most this many messages per second leave the sender (0: no limit).</summary>
    public double MessagesPerSecond { get; set; }
    /// <summary>How long a claimed row belongs to the sender that claimed it; after a crash, it is sent again once this has passed.</summary>
    public double LeaseSeconds { get; set; } = 300;
    /// <summary>
    /// How many sender loops deliver at once, each with its own connection and its own batches (1: one at a time). After a
    /// crash, up to this many messages the server had accepted but the database had not yet recorded are sent again.
    /// </summary>
    public int SendParallelism { get; set; } = 8;
    /// <summary>
    /// Before issue 14: days a sent email kept its bodies. The retention job now clears them after
    /// <see cref="RetentionOptions.EmailBodyDays"/>; this setting is still read as that value when only it is set.
    /// Emails with a live link lose the link's token as soon as they are sent, whatever the period.
    /// </summary>
    public double SentBodyRetentionDays { get; set; } = 30;
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

/// <summary>
/// Writes each message as a <c>.eml</c> file in <c>&lt;DataDirectory&gt;/mail/</c>. A file appears there only complete:
/// System.Net.Mail writes it into a directory of its own under <c>mail/.partial/</c> (same file system), and it is then
/// renamed into <c>mail/</c>, which is atomic. A process killed mid-write leaves its part under <c>.partial/</c>, never a
/// torn <c>.eml</c> beside the complete copy sent again later; such leftovers are deleted once they are an hour old.
/// </summary>
public sealed class FileEmailTransport(IOptions<MarketplaceOptions> marketplace, IOptions<EmailOptions> options, TimeProvider? time = null)
    : IEmailTransport
{
    /// <summary>Where messages are being written; never read as mail.</summary>
    public const string PartialDirectoryName = ".partial";
    private static readonly TimeSpan LeftoverAge = TimeSpan.FromHours(1);
    private int _cleaned;

    public string Directory => Path.Combine(marketplace.Value.DataDirectory, "mail");

    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        var partial = Path.Combine(Directory, PartialDirectoryName);
        if (Interlocked.Exchange(ref _cleaned, 1) == 0) DeleteLeftovers(partial, (time ?? TimeProvider.System).GetUtcNow());
        var own = System.IO.Directory.CreateDirectory(Path.Combine(partial, Guid.NewGuid().ToString("N"))).FullName;
        try
        {
            using (var mail = MailMessages.Build(message, options.Value))
            using (var client = new SmtpClient { DeliveryMethod = SmtpDeliveryMethod.SpecifiedPickupDirectory, PickupDirectoryLocation = own })
                await client.SendMailAsync(mail, cancellationToken);
            var written = System.IO.Directory.GetFiles(own).Single();
            File.Move(written, Path.Combine(Directory, Path.GetFileName(written)));
        }
        finally
        {
            try { System.IO.Directory.Delete(own, recursive: true); }
            catch (IOException) { /* removed with the leftovers later */ }
        }
    }

    /// <summary>Parts left by a process that died while writing (their message is sent again from the outbox).</summary>
    private static void DeleteLeftovers(string partial, DateTimeOffset now)
    {
        if (!System.IO.Directory.Exists(partial)) return;
        foreach (var leftover in new DirectoryInfo(partial).GetDirectories())
        {
            if (now - new DateTimeOffset(leftover.LastWriteTimeUtc, TimeSpan.Zero) < LeftoverAge) continue; // another process may be writing it
            try { leftover.Delete(recursive: true); }
            catch (IOException) { }
        }
    }
}

public sealed class SmtpEmailTransport(IOptions<EmailOptions> options, ILogger<SmtpEmailTransport>? logger = null) : IEmailTransport
{
    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        using var session = new Session(options.Value, logger);
        await session.SendAsync(message, cancellationToken);
    }

    public IEmailSession OpenSession() => new Session(options.Value, logger);

    /// <summary>
    /// One SmtpClient, so one connection, for the messages of a sender loop (System.Net.Mail keeps it open between sends on
    /// the same instance and says QUIT when disposed). A new connection after an error, after a pause (the server may
    /// have dropped an idle one) and every <see cref="MessagesPerConnection"/> messages (servers may limit them).
    /// </summary>
    private sealed class Session(EmailOptions options, ILogger? logger) : IEmailSession
    {
        private const int MessagesPerConnection = 100;
        private static readonly TimeSpan IdleLimit = TimeSpan.FromSeconds(30);
        private SmtpClient? _client;
        private int _sent;
        private long _lastUsed;

        public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
        {
            if (_client is not null && (_sent >= MessagesPerConnection || System.Diagnostics.Stopwatch.GetElapsedTime(_lastUsed) > IdleLimit))
                Close();
            _client ??= Connect();
            using var mail = MailMessages.Build(message, options);
            try
            {
                await _client.SendMailAsync(mail, cancellationToken);
                _sent++;
                // The connection exists from the first message on; the next ones leave without waiting for delayed ACKs.
                if (_sent == 1) NoDelay.TrySet(_client, logger);
            }
            catch
            {
                Close();
                throw;
            }
            finally
            {
                _lastUsed = System.Diagnostics.Stopwatch.GetTimestamp();
            }
        }

        private SmtpClient Connect()
        {
            var client = new SmtpClient(options.SmtpHost, options.SmtpPort)
            {
                EnableSsl = options.SmtpStartTls,
                DeliveryMethod = SmtpDeliveryMethod.Network,
                Timeout = 30_000,
            };
            if (!string.IsNullOrEmpty(options.SmtpUserName)) client.Credentials = new NetworkCredential(options.SmtpUserName, options.SmtpPassword);
            return client;
        }

        private void Close()
        {
            try
            {
                _client?.Dispose(); // QUIT on an open connection
            }
            catch (Exception e) when (e is SmtpException or IOException or System.Net.Sockets.SocketException or ObjectDisposedException)
            {
                // The connection is gone already; the next message opens a new one.
            }
            _client = null;
            _sent = 0;
        }

        public void Dispose() => Close();
    }
}

/// <summary>
/// Turns Nagle's algorithm off on the connection of a <see cref="SmtpClient"/>. System.Net.Mail writes a message's body,
/// then « CRLF.CRLF » in a second small write; with Nagle on, that write waits until the server acknowledges the body,
/// and servers delay that ACK (40 ms on Linux). Every message then costs about 40 ms however fast both sides are: one
/// connection sent 21 messages per second to the local server, 183 with Nagle off (docs/benchmarks.md). SmtpClient has
/// no setting for it, so the socket is reached through its private fields, looked up once; if a future runtime renames
/// them, sending still works, only slower, and a warning is logged once (a test fails first: <c>OutboxTests</c>).
/// </summary>
public static class NoDelay
{
    private const System.Reflection.BindingFlags Private = System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance;
    private static readonly System.Reflection.FieldInfo? Transport = typeof(SmtpClient).GetField("_transport", Private);
    private static readonly System.Reflection.FieldInfo? Connection = Transport?.FieldType.GetField("_connection", Private);
    private static readonly System.Reflection.FieldInfo? Tcp = Connection?.FieldType.GetField("_tcpClient", Private);
    private static int _warned;

    /// <summary>Whether this runtime's SmtpClient has the fields this needs.</summary>
    public static bool Supported => Tcp?.FieldType == typeof(System.Net.Sockets.TcpClient);

    /// <summary>Null once the session's client is connected and Nagle is off on its socket; otherwise why not.</summary>
    public static string? TrySet(SmtpClient client, ILogger? logger = null)
    {
        try
        {
            if (!Supported) return Warn("SmtpClient._transport._connection._tcpClient not found");
            var transport = Transport!.GetValue(client);
            var connection = transport is null ? null : Connection!.GetValue(transport);
            if ((connection is null ? null : Tcp!.GetValue(connection)) is not System.Net.Sockets.TcpClient { Client: not null } tcp)
                return "not connected";
            tcp.NoDelay = true;
            return null;
        }
        catch (Exception e) when (e is ObjectDisposedException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            return e.GetType().Name;
        }

        string Warn(string why)
        {
            if (Interlocked.Exchange(ref _warned, 1) == 0)
                logger?.LogWarning("SMTP: cannot turn Nagle's algorithm off ({Why}); each message may wait for a delayed ACK", why);
            return why;
        }
    }
}
