namespace Marketplace.Web.Infrastructure.Accounts;

/// <summary>Limits on what one account can make the site send (<c>Marketplace:AccountLimits</c>, ADR 0020).</summary>
public sealed class AccountLimitsOptions
{
    public const string Section = "Marketplace:AccountLimits";

    /// <summary>Invitations one account may send in 24 hours (counted from the audit rows), then 429.</summary>
    public int InvitationsPerDay { get; set; } = 10;

    /// <summary>How long an invitation link stays valid.</summary>
    public int InvitationValidDays { get; set; } = 7;

    /// <summary>Password-reset emails to one address per hour (counted from the outbox rows); beyond, nothing is sent.</summary>
    public int PasswordResetsPerHour { get; set; } = 3;

    /// <summary>« Someone tried to sign up with your address » emails to one address per hour; beyond, nothing is sent.</summary>
    public int SignUpNoticesPerHour { get; set; } = 3;
}
