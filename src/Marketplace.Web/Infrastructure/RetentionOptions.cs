namespace Marketplace.Web.Infrastructure;

/// <summary>
/// Settings under <c>Retention:</c>: how long personal information is kept before the retention job clears, anonymizes
/// or deletes it (Law 25, s. 23). The privacy notice and the governance page state these very values.
/// </summary>
public sealed class RetentionOptions
{
    public const string Section = "Retention";

    /// <summary>
    /// Days after which a sent email's bodies are cleared (its date, kind, recipient and status stay). 30, not the 90 the
    /// issue suggested: the outbox already cleared them at 30 days (ADR 0021), and keeping them longer serves nobody.
    /// </summary>
    public int EmailBodyDays { get; set; } = 30;
    /// <summary>Days after which an account never confirmed, or an invitation never accepted, is deleted.</summary>
    public int UnconfirmedAccountDays { get; set; } = 30;
    /// <summary>Months after closing after which a request's text, its messages and its review questions are anonymized.</summary>
    public int ClosedRequestMonths { get; set; } = 12;
    /// <summary>Months without signing in after which an account is warned by email that it will be deleted.</summary>
    public int InactiveWarningMonths { get; set; } = 23;
    /// <summary>Months without signing in after which an account is deleted.</summary>
    public int InactiveDeletionMonths { get; set; } = 24;
    /// <summary>Years an incident stays in the register (the regulation asks at least 5).</summary>
    public int IncidentYears { get; set; } = 5;
}
