namespace Marketplace.Web.Infrastructure.Email;

/// <summary>
/// An email waiting to be sent, written in the same transaction as the change that causes it, so that a crash loses
/// none; the sender delivers it with retries. The Message-ID is fixed when the row is written, so a retry after an
/// unrecorded success is recognizable by the receiving side.
/// </summary>
public sealed class OutboxEmail
{
    public const int AddressMaxLength = 320;
    public const int SubjectMaxLength = 300;
    public const int MaxAttempts = 8;
    public const int PeriodMaxLength = 10;
    public const int UrlMaxLength = 2000;
    public const int KindMaxLength = 40;

    private OutboxEmail() { }

    public OutboxEmail(string to, string subject, string textBody, string htmlBody, string language, string messageId,
        DateTimeOffset createdAt, string kind = EmailKinds.General)
    {
        Kind = Domain.Guard.Text(kind, KindMaxLength, nameof(kind));
        To = Domain.Guard.Text(to, AddressMaxLength, nameof(to));
        // Header injection: a subject is one line, whatever a user typed into the names it contains.
        Subject = Domain.Guard.Text(OneLine(subject), SubjectMaxLength, nameof(subject));
        TextBody = textBody;
        HtmlBody = htmlBody;
        Language = language;
        MessageId = messageId;
        CreatedAt = NextAttemptAt = createdAt;
    }

    public long Id { get; private set; }
    public string To { get; private set; } = "";
    public string Subject { get; private set; } = "";
    public string TextBody { get; private set; } = "";
    public string HtmlBody { get; private set; } = "";
    public string Language { get; private set; } = "fr";
    public string MessageId { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset NextAttemptAt { get; private set; }
    public int Attempts { get; private set; }
    public DateTimeOffset? SentAt { get; private set; }
    public string? LastError { get; private set; }
    public bool Failed => SentAt is null && Attempts >= MaxAttempts;
    /// <summary>What the email is (<see cref="EmailKinds"/>): SendGrid's category, and what the admins' email page shows.</summary>
    public string Kind { get; private set; } = EmailKinds.General;
    /// <summary>
    /// Set when the sender found the recipient on the suppression list (<see cref="EmailSuppression"/>): never sent, never
    /// tried again, whatever the transport.
    /// </summary>
    public DateTimeOffset? SuppressedAt { get; private set; }

    // A digest (issue 5): one row per recipient and period, unique on (RecipientUserId, DigestPeriod); null otherwise.
    public string? RecipientUserId { get; private set; }
    public string? DigestPeriod { get; private set; }
    /// <summary>The https link of the List-Unsubscribe header (RFC 8058), with its signed, expiring token.</summary>
    public string? UnsubscribeUrl { get; private set; }
    /// <summary>Set when a sender claims the row; still set on a row never marked, it means a sender stopped mid-way.</summary>
    public Guid? LeaseToken { get; private set; }

    /// <summary>A weekly digest for one recipient and one period; its Message-ID is stable for that pair.</summary>
    public static OutboxEmail Digest(string userId, string period, string to, string subject, string textBody, string htmlBody,
        string language, string messageId, string unsubscribeUrl, DateTimeOffset createdAt) =>
        new(to, subject, textBody, htmlBody, language, messageId, createdAt, EmailKinds.Digest)
        {
            RecipientUserId = Domain.Guard.Text(userId, 450, nameof(userId)),
            DigestPeriod = Domain.Guard.Text(period, PeriodMaxLength, nameof(period)),
            UnsubscribeUrl = Domain.Guard.Text(unsubscribeUrl, UrlMaxLength, nameof(unsubscribeUrl)),
        };

    /// <summary>
    /// Replaces a secret (a link's query string) by its sealed form in both bodies (<see cref="OutboxSecrets"/>): as the
    /// text part shows it and as the HTML part does.
    /// </summary>
    public void SealInBodies(string text, string html, string sealedForm)
    {
        if (SentAt is not null) throw new Domain.DomainException("A sent email is not sealed again.");
        TextBody = TextBody.Replace(text, sealedForm, StringComparison.Ordinal);
        HtmlBody = HtmlBody.Replace(html, sealedForm, StringComparison.Ordinal);
    }

    /// <summary>An admin retries a failed row: it becomes due now with a fresh count of attempts.</summary>
    public void Retry(DateTimeOffset now)
    {
        if (SentAt is not null) throw new Domain.DomainException("A sent email is never sent again.");
        Attempts = 0;
        NextAttemptAt = now;
    }

    /// <summary>
    /// The server refused this message for good (SendGrid's 400, say): no more attempts, the error kept for the admins'
    /// email page; an admin may still retry it (<see cref="Retry"/>) once the cause is fixed.
    /// </summary>
    public void MarkFailedPermanently(string error, DateTimeOffset at)
    {
        if (SentAt is not null) throw new Domain.DomainException("A sent email does not fail.");
        Attempts = Math.Max(Attempts + 1, MaxAttempts);
        LastError = error.Length > 1000 ? error[..1000] : error;
        NextAttemptAt = at;
    }

    /// <summary>Exponential back-off: 1, 2, 4 … minutes, capped at 2 hours.</summary>
    public void MarkFailed(string error, DateTimeOffset at)
    {
        Attempts++;
        LastError = error.Length > 1000 ? error[..1000] : error;
        NextAttemptAt = at + TimeSpan.FromMinutes(Math.Min(120, Math.Pow(2, Attempts - 1)));
    }

    public static string OneLine(string text) =>
        string.Join(' ', text.Split(['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
}

/// <summary>The kinds of email the site writes: SendGrid's categories (a-z and dashes, stable: reports group by them).</summary>
public static class EmailKinds
{
    public const string General = "general";
    public const string Digest = "digest";
    public const string AccountConfirmation = "account-confirmation";
    public const string PasswordReset = "password-reset";
    public const string Invitation = "invitation";
    public const string EmailChange = "email-change";
    public const string EmailChangeNotice = "email-change-notice";
    public const string InactiveAccount = "inactive-account";
    public const string Incident = "incident-notice";
    public const string Withdrawal = "withdrawal";
    public const string SignUpAttempt = "sign-up-attempt";
    /// <summary>News for an organization's members (listing decisions, messages, claims, needs: <see cref="MemberEmails"/>).</summary>
    public const string Member = "member";
    /// <summary>To a listing's public address (a message or a claim link: <see cref="PublicAddressEmails"/>).</summary>
    public const string PublicAddress = "public-address";
}
