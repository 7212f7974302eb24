using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Infrastructure;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Email;
using Marketplace.Web.Infrastructure.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace Marketplace.Web.Features.Account;

/// <summary>
/// Sign-up: the organization, the account with its role, each consent as given (the terms and privacy policy, and
/// the optional digest only if ticked), and the confirmation email, all in one transaction.
/// </summary>
public sealed class Registration(
    MarketplaceDbContext db,
    UserManager<MarketplaceUser> users,
    RoleManager<IdentityRole> roles,
    IStringLocalizer<SharedResource> text,
    IOptions<MarketplaceOptions> site,
    IOptions<PrivacyOptions> privacy,
    IOptions<EmailOptions> email,
    TimeProvider time,
    OutboxSecrets secrets)
{
    public sealed record Request(string DisplayName, string Email, string Password, string OrganizationName,
        OrganizationKind Kind, bool WantsDigest, string Language);

    /// <summary>Null on success, otherwise the Identity error codes (nothing is saved).</summary>
    public async Task<IReadOnlyList<string>?> RegisterAsync(Request request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var organization = new Organization(request.OrganizationName, request.Kind, now);
        db.Organizations.Add(organization);
        await db.SaveChangesAsync(cancellationToken);

        var user = new MarketplaceUser
        {
            UserName = request.Email, Email = request.Email, DisplayName = request.DisplayName.Trim(),
            OrganizationId = organization.Id, Language = request.Language == "en" ? "en" : "fr", CreatedAt = now,
        };
        var created = await users.CreateAsync(user, request.Password);
        if (!created.Succeeded) return created.Errors.Select(e => e.Code).ToArray();
        var role = request.Kind == OrganizationKind.Provider ? Roles.Provider : Roles.Nonprofit;
        if (!await roles.RoleExistsAsync(role)) await roles.CreateAsync(new IdentityRole(role));
        await users.AddToRoleAsync(user, role);

        db.Consents.Add(new Consent(user.Id, ConsentPurpose.TermsAndPrivacy, privacy.Value.PolicyVersion, now));
        if (request.WantsDigest) db.Consents.Add(new Consent(user.Id, ConsentPurpose.WeeklyDigest, privacy.Value.PolicyVersion, now));
        await EnqueueConfirmationAsync(user);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return null;
    }

    /// <summary>
    /// A member invites a colleague into the same organization (and role): an account without a password, and an
    /// email with a one-time link to choose one, which also confirms the address. False if the address is taken.
    /// </summary>
    public async Task<bool> InviteAsync(MarketplaceUser inviter, string emailAddress, string displayName, CancellationToken cancellationToken)
    {
        if (inviter.OrganizationId is null || await users.FindByEmailAsync(emailAddress) is not null) return false;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var colleague = new MarketplaceUser
        {
            UserName = emailAddress, Email = emailAddress, DisplayName = displayName.Trim(), OrganizationId = inviter.OrganizationId,
            Language = inviter.Language, CreatedAt = time.GetUtcNow(),
        };
        if (!(await users.CreateAsync(colleague)).Succeeded) return false;
        foreach (var role in await users.GetRolesAsync(inviter))
            if (role is Roles.Provider or Roles.Nonprofit) await users.AddToRoleAsync(colleague, role);
        var token = await users.GeneratePasswordResetTokenAsync(colleague);
        using (Cultures.UseLanguage(colleague.Language))
            Enqueue(colleague, text["Email.Invite.Subject", inviter.DisplayName], text["Email.Invite.Body", inviter.DisplayName],
                text["Email.Reset.Button"], SetPasswordLink(colleague, token));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>A one-time link to choose a new password, sent only if the address has an account.</summary>
    public async Task EnqueuePasswordResetAsync(string emailAddress, CancellationToken cancellationToken)
    {
        var user = await users.FindByEmailAsync(emailAddress);
        if (user?.Email is null) return;
        var token = await users.GeneratePasswordResetTokenAsync(user);
        using (Cultures.UseLanguage(user.Language))
            Enqueue(user, text["Email.Reset.Subject"], text["Email.Reset.Body"], text["Email.Reset.Button"], SetPasswordLink(user, token));
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>At most this many confirmation emails per account within <see cref="ConfirmationWindow"/>, the sign-up one included.</summary>
    public const int ConfirmationsPerWindow = 3;

    public static readonly TimeSpan ConfirmationWindow = TimeSpan.FromHours(1);

    public enum Resent { Sent, AlreadyConfirmed, Limited }

    /// <summary>
    /// « Renvoyer le courriel de confirmation »: a new link to an unconfirmed account, through the outbox. Limited per
    /// account and per hour (counted from the outbox rows themselves, so no new column), on top of the per-address
    /// limit of the account pages.
    /// </summary>
    public async Task<Resent> ResendConfirmationAsync(MarketplaceUser user, CancellationToken cancellationToken)
    {
        if (user.EmailConfirmed || user.Email is null) return Resent.AlreadyConfirmed;
        var since = time.GetUtcNow() - ConfirmationWindow;
        var address = user.Email;
        var recent = await db.OutboxEmails.CountAsync(e => e.To == address && e.CreatedAt >= since
            && (e.TextBody.Contains("/fr/compte/confirmer?") || e.TextBody.Contains("/en/account/confirm?")), cancellationToken);
        if (recent >= ConfirmationsPerWindow) return Resent.Limited;
        await EnqueueConfirmationAsync(user);
        await db.SaveChangesAsync(cancellationToken);
        return Resent.Sent;
    }

    /// <summary>The same, from an address typed on the sign-in side: says nothing about whether the account exists.</summary>
    public async Task ResendConfirmationAsync(string emailAddress, CancellationToken cancellationToken)
    {
        if (await users.FindByEmailAsync(emailAddress) is { } user) await ResendConfirmationAsync(user, cancellationToken);
    }

    private async Task EnqueueConfirmationAsync(MarketplaceUser user)
    {
        var token = await users.GenerateEmailConfirmationTokenAsync(user);
        var link = EmailBodies.Link(site.Value.PublicBaseUrl, user.Language == "en" ? "en/account/confirm" : "fr/compte/confirmer",
            new Dictionary<string, string?> { ["user"] = user.Id, ["token"] = token });
        using (Cultures.UseLanguage(user.Language))
            Enqueue(user, text["Email.Confirm.Subject"], text["Email.Confirm.Body"], text["Email.Confirm.Button"], link);
    }

    private string SetPasswordLink(MarketplaceUser user, string token) =>
        EmailBodies.Link(site.Value.PublicBaseUrl, user.Language == "en" ? "en/account/set-password" : "fr/compte/definir-mot-de-passe",
            new Dictionary<string, string?> { ["user"] = user.Id, ["token"] = token });

    /// <summary>
    /// Greeting, one paragraph, one link: in the user's language (the caller sets it). Every such link carries a live
    /// token, so its query string is sealed at rest (<see cref="OutboxSecrets"/>).
    /// </summary>
    private void Enqueue(MarketplaceUser user, string subject, string body, string linkLabel, string link) =>
        db.OutboxEmails.Add(secrets.Seal(EmailBodies.Compose(user.Email!, subject, [text["Email.Greeting", user.DisplayName].Value, body],
            linkLabel, link, text["Email.Footer"], user.Language, email.Value.MessageIdDomain, time.GetUtcNow()), link));
}
