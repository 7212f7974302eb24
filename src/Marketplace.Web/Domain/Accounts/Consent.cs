namespace Marketplace.Web.Domain.Accounts;

/// <summary>What a person agrees to, each asked for separately (Law 25): the terms and privacy policy, and each optional use.</summary>
public enum ConsentPurpose
{
    TermsAndPrivacy,
    WeeklyDigest,
}

/// <summary>One consent given, with the version of the text shown; withdrawing keeps the record and dates the withdrawal.</summary>
public sealed class Consent
{
    public const int TextVersionMaxLength = 40;

    private Consent() { }

    public Consent(string userId, ConsentPurpose purpose, string textVersion, DateTimeOffset givenAt)
    {
        UserId = Guard.Text(userId, 450, nameof(userId));
        Purpose = purpose;
        TextVersion = Guard.Text(textVersion, TextVersionMaxLength, nameof(textVersion));
        GivenAt = givenAt;
    }

    public long Id { get; private set; }
    public string UserId { get; private set; } = "";
    public ConsentPurpose Purpose { get; private set; }
    public string TextVersion { get; private set; } = "";
    public DateTimeOffset GivenAt { get; private set; }
    public DateTimeOffset? WithdrawnAt { get; private set; }
    public bool IsActive => WithdrawnAt is null;

    public void Withdraw(DateTimeOffset at)
    {
        if (WithdrawnAt is not null) throw new DomainException("This consent was already withdrawn.");
        WithdrawnAt = at;
    }
}
