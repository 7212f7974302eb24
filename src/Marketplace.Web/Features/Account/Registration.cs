using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Infrastructure;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Email;
using Marketplace.Web.Infrastructure.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.WebUtilities;
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
    TimeProvider time)
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
        var path = colleague.Language == "en" ? "en/account/set-password" : "fr/compte/definir-mot-de-passe";
        var link = QueryHelpers.AddQueryString($"{site.Value.PublicBaseUrl.TrimEnd('/')}/{path}",
            new Dictionary<string, string?> { ["user"] = colleague.Id, ["token"] = token });
        using (Cultures.UseLanguage(colleague.Language))
        {
            var lines = new[] { text["Email.Greeting", colleague.DisplayName].Value, text["Email.Invite.Body", inviter.DisplayName].Value };
            db.OutboxEmails.Add(new OutboxEmail(emailAddress, text["Email.Invite.Subject", inviter.DisplayName],
                EmailBodies.Text(lines, text["Email.Reset.Button"], link, text["Email.Footer"]),
                EmailBodies.Html(lines, text["Email.Reset.Button"], link, text["Email.Footer"]),
                colleague.Language, $"<{Guid.NewGuid():N}@{email.Value.MessageIdDomain}>", time.GetUtcNow()));
        }
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
        var path = user.Language == "en" ? "en/account/set-password" : "fr/compte/definir-mot-de-passe";
        var link = QueryHelpers.AddQueryString($"{site.Value.PublicBaseUrl.TrimEnd('/')}/{path}",
            new Dictionary<string, string?> { ["user"] = user.Id, ["token"] = token });
        using var _ = Cultures.UseLanguage(user.Language);
        var lines = new[] { text["Email.Greeting", user.DisplayName].Value, text["Email.Reset.Body"].Value };
        db.OutboxEmails.Add(new OutboxEmail(user.Email, text["Email.Reset.Subject"],
            EmailBodies.Text(lines, text["Email.Reset.Button"], link, text["Email.Footer"]),
            EmailBodies.Html(lines, text["Email.Reset.Button"], link, text["Email.Footer"]),
            user.Language, $"<{Guid.NewGuid():N}@{email.Value.MessageIdDomain}>", time.GetUtcNow()));
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task EnqueueConfirmationAsync(MarketplaceUser user)
    {
        var token = await users.GenerateEmailConfirmationTokenAsync(user);
        var path = user.Language == "en" ? "en/account/confirm" : "fr/compte/confirmer";
        var link = QueryHelpers.AddQueryString($"{site.Value.PublicBaseUrl.TrimEnd('/')}/{path}",
            new Dictionary<string, string?> { ["user"] = user.Id, ["token"] = token });
        using var _ = Cultures.UseLanguage(user.Language);
        var lines = new[] { text["Email.Greeting", user.DisplayName].Value, text["Email.Confirm.Body"].Value };
        var textBody = EmailBodies.Text(lines, text["Email.Confirm.Button"], link, text["Email.Footer"]);
        var htmlBody = EmailBodies.Html(lines, text["Email.Confirm.Button"], link, text["Email.Footer"]);
        db.OutboxEmails.Add(new OutboxEmail(user.Email!, text["Email.Confirm.Subject"], textBody, htmlBody, user.Language,
            $"<{Guid.NewGuid():N}@{email.Value.MessageIdDomain}>", time.GetUtcNow()));
    }
}
