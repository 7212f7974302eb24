namespace Marketplace.Web.Infrastructure.Email;

/// <summary>Why an address is on the suppression list.</summary>
public enum SuppressionReason
{
    /// <summary>SendGrid's <c>bounce</c> event (a hard bounce; a temporary « blocked » bounce is not one).</summary>
    Bounce,
    /// <summary>SendGrid's <c>dropped</c> event: SendGrid itself refused to send to the address.</summary>
    Dropped,
    /// <summary>SendGrid's <c>spamreport</c> event: the person marked an email as spam.</summary>
    SpamReport,
    /// <summary>SendGrid's <c>unsubscribe</c> event.</summary>
    Unsubscribe,
    /// <summary>SendGrid's <c>group_unsubscribe</c> event.</summary>
    GroupUnsubscribe,
    /// <summary>Added by an admin.</summary>
    Admin,
}

/// <summary>
/// An address the site no longer writes to (issue 15, ADR 0032): fed by SendGrid's Event Webhook (bounces, drops, spam
/// reports, unsubscribes), honoured by the outbox sender whatever the transport (files, SMTP, SendGrid). One row per
/// normalized address; an admin lifts it (the row is deleted, the lift audited). Personal data (Law 25): kept while it
/// is in force, and deleted by the retention job <see cref="RetentionMonths"/> months after its last event.
/// </summary>
public sealed class EmailSuppression
{
    public const int SourceMaxLength = 100;
    public const int RetentionMonths = 24;
    public const string AdminSource = "admin";

    private EmailSuppression() { }

    public EmailSuppression(string address, SuppressionReason reason, string source, DateTimeOffset at)
    {
        Address = Normalize(address) ?? throw new Domain.DomainException("An address is needed.");
        Reason = reason;
        Source = Domain.Guard.Text(source, SourceMaxLength, nameof(source));
        CreatedAt = LastEventAt = at;
    }

    public long Id { get; private set; }
    /// <summary>Trimmed and lower-cased (<see cref="Normalize"/>): what the sender compares with.</summary>
    public string Address { get; private set; } = "";
    public SuppressionReason Reason { get; private set; }
    /// <summary>SendGrid's <c>sg_event_id</c> of the event that added it, or « admin ».</summary>
    public string Source { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }
    /// <summary>The last event that confirmed it (a new bounce for an address already listed): retention counts from here.</summary>
    public DateTimeOffset LastEventAt { get; private set; }

    /// <summary>Another event for the same address: the listing stays, with its first reason, and is kept longer.</summary>
    public void Confirmed(DateTimeOffset at)
    {
        if (at > LastEventAt) LastEventAt = at;
    }

    /// <summary>
    /// The form compared: trimmed, lower-cased (invariant). Mailbox names are case-sensitive in theory and never in
    /// practice; SendGrid reports addresses lower-cased. Null for nothing usable.
    /// </summary>
    public static string? Normalize(string? address)
    {
        var trimmed = address?.Trim();
        if (string.IsNullOrEmpty(trimmed) || trimmed.Length > OutboxEmail.AddressMaxLength || !trimmed.Contains('@')) return null;
        return trimmed.ToLowerInvariant();
    }
}

/// <summary>
/// One SendGrid event already handled (its <c>sg_event_id</c>, unique): SendGrid delivers events at least once, so a
/// second delivery of the same event changes nothing. No address, no content: the id and when it came. Kept
/// <see cref="RetentionDays"/> days, far longer than a signed request is accepted (ADR 0032).
/// </summary>
public sealed class ProcessedEmailEvent
{
    public const int EventIdMaxLength = 100;
    public const int RetentionDays = 30;

    private ProcessedEmailEvent() { }

    public ProcessedEmailEvent(string eventId, DateTimeOffset receivedAt)
    {
        EventId = Domain.Guard.Text(eventId, EventIdMaxLength, nameof(eventId));
        ReceivedAt = receivedAt;
    }

    public string EventId { get; private set; } = "";
    public DateTimeOffset ReceivedAt { get; private set; }
}
