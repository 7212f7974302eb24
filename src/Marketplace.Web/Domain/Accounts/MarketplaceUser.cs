using Microsoft.AspNetCore.Identity;

namespace Marketplace.Web.Domain.Accounts;

/// <summary>The four roles of the site. A user may hold several (an admin is usually a curator too).</summary>
public static class Roles
{
    public const string Nonprofit = "Nonprofit";
    public const string Provider = "Provider";
    public const string Curator = "Curator";
    public const string Admin = "Admin";

    public static readonly IReadOnlyList<string> All = [Nonprofit, Provider, Curator, Admin];
}

/// <summary>An account (ASP.NET Core Identity, EF stores) that belongs to at most one organization.</summary>
public sealed class MarketplaceUser : IdentityUser
{
    public const int DisplayNameMaxLength = 120;

    public string DisplayName { get; set; } = "";
    /// <summary>The organization the user acts for; null for staff (curators, admins).</summary>
    public int? OrganizationId { get; set; }
    /// <summary>"fr" (default) or "en": the language of the emails the user gets.</summary>
    public string Language { get; set; } = "fr";
    public DateTimeOffset CreatedAt { get; set; }
    /// <summary>The last sign-in; null until the first one. The retention job counts inactivity from it (or from <see cref="CreatedAt"/>).</summary>
    public DateTimeOffset? LastSeenAt { get; set; }
    /// <summary>When the retention job warned that the account will be deleted for inactivity; cleared by the next sign-in.</summary>
    public DateTimeOffset? InactivityWarnedAt { get; set; }

    /// <summary>A sign-in: the account is active again, and any inactivity warning no longer holds.</summary>
    public void SignedIn(DateTimeOffset now)
    {
        LastSeenAt = now;
        InactivityWarnedAt = null;
    }
}
