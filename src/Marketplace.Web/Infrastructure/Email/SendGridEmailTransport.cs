using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Options;
using SendGrid;
using SendGrid.Helpers.Mail;

namespace Marketplace.Web.Infrastructure.Email;

/// <summary>
/// Sends through SendGrid's v3 Web API with its SDK (issue 15, ADR 0032): the same message as the SMTP transport (text
/// and HTML parts, our Message-ID, Content-Language, List-Unsubscribe and List-Unsubscribe-Post), the outbox row's kind
/// as its category and its id as the custom argument <c>outbox_id</c> (the Event Webhook sends both back). SendGrid's
/// click, open and subscription tracking are turned off: the site's emails carry no tracking (EmailBodies).
/// A 2xx is success; 429, 5xx, 401, 403 and network errors are transient (the outbox retries with back-off; a fixed
/// key or a quieter hour makes them pass); any other 4xx (a 400: a message SendGrid will never accept) is a
/// <see cref="PermanentEmailFailureException"/> carrying SendGrid's error messages.
/// </summary>
public sealed class SendGridEmailTransport : IEmailTransport, IDisposable
{
    public const string OutboxIdArgument = "outbox_id";
    private readonly EmailOptions _options;
    private readonly HttpClient _http;
    private readonly SendGridClient _client;

    public SendGridEmailTransport(IOptions<EmailOptions> options)
    {
        _options = options.Value;
        var sendGrid = _options.SendGrid;
        if (string.IsNullOrWhiteSpace(sendGrid.ApiKey)) throw new InvalidOperationException(MissingKey);
        // Our own HttpClient: no SDK-level retries (the outbox retries, with its lease and back-off), a bounded wait.
        _http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var clientOptions = new SendGridClientOptions { ApiKey = sendGrid.ApiKey };
        if (!string.IsNullOrWhiteSpace(sendGrid.Host)) clientOptions.Host = sendGrid.Host;
        _client = new SendGridClient(_http, clientOptions);
    }

    /// <summary>Why the site does not start with <c>Email:Transport=SendGrid</c> and no key.</summary>
    public const string MissingKey = "Email:Transport is SendGrid but Email:SendGrid:ApiKey (environment: Email__SendGrid__ApiKey) is not set / "
                                     + "Email:Transport vaut SendGrid mais Email:SendGrid:ApiKey (variable Email__SendGrid__ApiKey) n'est pas réglé.";

    public async Task SendAsync(EmailMessage message, CancellationToken cancellationToken)
    {
        var response = await _client.SendEmailAsync(Build(message, _options), cancellationToken);
        if (response.IsSuccessStatusCode) return;
        var errors = await ErrorsAsync(response, cancellationToken);
        var status = (int)response.StatusCode;
        var text = $"SendGrid {status.ToString(CultureInfo.InvariantCulture)}: {errors}";
        if (Transient(response.StatusCode)) throw new HttpRequestException(text, null, response.StatusCode);
        throw new PermanentEmailFailureException(text);
    }

    private static bool Transient(HttpStatusCode status) =>
        status is HttpStatusCode.TooManyRequests or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.RequestTimeout
        || (int)status >= 500;

    /// <summary>The message as the SDK sends it.</summary>
    public static SendGridMessage Build(EmailMessage message, EmailOptions options)
    {
        var from = new System.Net.Mail.MailAddress(options.From);
        var mail = new SendGridMessage
        {
            From = new EmailAddress(from.Address, string.IsNullOrEmpty(from.DisplayName) ? null : from.DisplayName),
            Subject = OutboxEmail.OneLine(message.Subject),
            PlainTextContent = message.TextBody,
            HtmlContent = message.HtmlBody,
        };
        mail.AddTo(new EmailAddress(message.To));
        mail.AddCategory(message.Kind);
        // The message's own custom_args and headers (the SDK's Add… methods would put them on the personalization).
        if (message.OutboxId != 0)
            mail.CustomArgs = new Dictionary<string, string> { [OutboxIdArgument] = message.OutboxId.ToString(CultureInfo.InvariantCulture) };
        mail.Headers = new Dictionary<string, string>
        {
            ["Message-ID"] = message.MessageId,
            ["Content-Language"] = message.Language == "en" ? "en-CA" : "fr-CA",
        };
        if (message.UnsubscribeUrl is { } unsubscribe)
        {
            // RFC 2369 and RFC 8058, as over SMTP: our own stop link, not SendGrid's subscription tracking.
            mail.Headers["List-Unsubscribe"] = $"<{unsubscribe}>";
            mail.Headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click";
        }
        mail.SetClickTracking(false, false);
        mail.SetOpenTracking(false);
        mail.SetSubscriptionTracking(false);
        return mail;
    }

    /// <summary>SendGrid's <c>{"errors":[{"message":…,"field":…}]}</c> as one line; the raw body (cut) when it is not that.</summary>
    private static async Task<string> ErrorsAsync(Response response, CancellationToken cancellationToken)
    {
        var body = response.Body is null ? "" : await response.Body.ReadAsStringAsync(cancellationToken);
        try
        {
            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty("errors", out var errors)
                                                                   && errors.ValueKind == JsonValueKind.Array)
            {
                var messages = errors.EnumerateArray()
                    .Select(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String
                        ? (e.TryGetProperty("field", out var f) && f.ValueKind == JsonValueKind.String ? $"{m.GetString()} ({f.GetString()})" : m.GetString())
                        : null)
                    .OfType<string>().ToList();
                if (messages.Count > 0) return Cut(string.Join(" ", messages));
            }
        }
        catch (JsonException)
        {
        }
        return Cut(OutboxEmail.OneLine(body));
    }

    private static string Cut(string text) => text.Length > 900 ? text[..900] : text;

    public void Dispose() => _http.Dispose();
}
