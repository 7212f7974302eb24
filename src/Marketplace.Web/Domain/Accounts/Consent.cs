namespace Marketplace.Web.Domain.Accounts;

/// <summary>
/// What a person agrees to or was shown, each recorded separately (Law 25): the terms of use (a contract), the privacy
/// notice (read, not consented to: it informs), and each optional use.
/// </summary>
public enum ConsentPurpose
{
    /// <summary>Before 2026-12-06: the terms and the privacy policy accepted in one box (kept as given).</summary>
    TermsAndPrivacy,
    WeeklyDigest,
    /// <summary>The terms of use accepted, in the language recorded (Charter of the French language, s. 55).</summary>
    Terms,
    /// <summary>The privacy notice of this version was shown and read (at sign-up, then after each new version).</summary>
    PrivacyNoticeRead,
}

/// <summary>One consent given, with the version of the text shown; withdrawing keeps the record and dates the withdrawal.</summary>
public sealed class Consent
{
    public const int TextVersionMaxLength = 40;

    private Consent() { }

    public Consent(string userId, ConsentPurpose purpose, string textVersion, DateTimeOffset givenAt, string language = "fr")
    {
        UserId = Guard.Text(userId, 450, nameof(userId));
        Purpose = purpose;
        TextVersion = Guard.Text(textVersion, TextVersionMaxLength, nameof(textVersion));
        GivenAt = givenAt;
        Language = language is "fr" or "en" ? language : throw new DomainException("A consent's text is French or English.");
    }

    public long Id { get; private set; }
    public string UserId { get; private set; } = "";
    public ConsentPurpose Purpose { get; private set; }
    public string TextVersion { get; private set; } = "";
    /// <summary>« fr » or « en »: the language of the text agreed to (rows before 2026-12-06: « fr », the only one offered first).</summary>
    public string Language { get; private set; } = "fr";
    public DateTimeOffset GivenAt { get; private set; }
    public DateTimeOffset? WithdrawnAt { get; private set; }
    public bool IsActive => WithdrawnAt is null;

    public void Withdraw(DateTimeOffset at)
    {
        if (WithdrawnAt is not null) throw new DomainException("This consent was already withdrawn.");
        WithdrawnAt = at;
    }
}
