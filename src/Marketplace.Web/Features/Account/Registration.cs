using Marketplace.Web.Domain.Accounts;
using System.Text.Json;
using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Infrastructure;
using Marketplace.Web.Infrastructure.Accounts;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Email;
using Marketplace.Web.Infrastructure.Web;
using Microsoft.AspNetCore.DataProtection;
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
    IOptions<AccountLimitsOptions> limits,
    IDataProtectionProvider protection,
    TimeProvider time,
    OutboxSecrets secrets)
{
    /// <param name="Language">The page's language: the account's, and the one the privacy notice was read in.</param>
    /// <param name="TermsLanguage">The version of the terms that binds the person (« fr » unless English was chosen expressly).</param>
    public sealed record Request(string DisplayName, string Email, string Password, string OrganizationName,
        OrganizationKind Kind, bool WantsDigest, string Language, string TermsLanguage = "fr");

    /// <summary>
    /// Null on success, otherwise the Identity error codes (nothing is saved). An address that already has an account gets
    /// the same answer as a new one, after the same password checks and the same hashing work: nothing is created, and
    /// the owner gets an email saying someone tried (ADR 0020).
    /// </summary>
    public async Task<IReadOnlyList<string>?> RegisterAsync(Request request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var refused = await PasswordProblemsAsync(request.Email, request.Password);
        if (refused.Count > 0) return refused;
        if (await users.FindByEmailAsync(request.Email) is { } existing)
        {
            users.PasswordHasher.HashPassword(existing, request.Password); // as long as creating an account; the result is dropped
            await NoticeSignUpAttemptAsync(existing, cancellationToken);
            return null;
        }
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

        AddSignUpRecords(user.Id, request.TermsLanguage, user.Language, now);
        if (request.WantsDigest) db.Consents.Add(new Consent(user.Id, ConsentPurpose.WeeklyDigest, privacy.Value.PolicyVersion, now, user.Language));
        await EnqueueConfirmationAsync(user);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return null;
    }

    public enum Invited { Sent, Limited }

    /// <summary>What an invitation link carries, signed and expiring (ASP.NET Data Protection): nothing is stored.</summary>
    public sealed record Invitation(int OrganizationId, string Email, string InviterId, string DisplayName, string Language);

    private ITimeLimitedDataProtector Invitations => protection.CreateProtector("Marketplace.Invitation.v1").ToTimeLimitedDataProtector();

    /// <summary>
    /// A member (with a confirmed address, checked by the caller) invites a colleague into the same organization. Nothing
    /// is created: the email carries a signed, expiring link, and accepting it creates the account. An address that
    /// already has an account gets an email saying so instead, and the member gets the same answer either way. At most
    /// <see cref="AccountLimitsOptions.InvitationsPerDay"/> per account in 24 hours, counted from the audit rows.
    /// </summary>
    public async Task<Invited> InviteAsync(MarketplaceUser inviter, string emailAddress, string displayName, CancellationToken cancellationToken)
    {
        if (inviter.OrganizationId is not { } organizationId) throw new InvalidOperationException("An invitation needs an organization.");
        var now = time.GetUtcNow();
        var since = now - TimeSpan.FromDays(1);
        var sent = await db.AuditEntries.CountAsync(a => a.ActorUserId == inviter.Id && a.Action == AuditAction.InvitationSent && a.At >= since,
            cancellationToken);
        if (sent >= limits.Value.InvitationsPerDay) return Invited.Limited;

        if (await users.FindByEmailAsync(emailAddress) is { Email: not null } existing)
        {
            using (Cultures.UseLanguage(existing.Language))
                Enqueue(existing, text["Email.Invite.Subject", inviter.DisplayName], text["Email.InviteExisting.Body", inviter.DisplayName],
                    text["Account.LoginButton"], EmailBodies.Link(site.Value.PublicBaseUrl, existing.Language == "en" ? "en/login" : "fr/connexion",
                        new Dictionary<string, string?>()), EmailKinds.Invitation);
        }
        else
        {
            var invitation = new Invitation(organizationId, emailAddress, inviter.Id, displayName.Trim(), inviter.Language == "en" ? "en" : "fr");
            var token = Invitations.Protect(JsonSerializer.Serialize(invitation), TimeSpan.FromDays(limits.Value.InvitationValidDays));
            var link = EmailBodies.Link(site.Value.PublicBaseUrl, invitation.Language == "en" ? "en/invitation" : "fr/invitation",
                new Dictionary<string, string?> { ["t"] = token });
            using (Cultures.UseLanguage(invitation.Language))
                db.OutboxEmails.Add(EmailBodies.Compose(emailAddress, text["Email.Invite.Subject", inviter.DisplayName],
                    [text["Email.Invite.Greeting"].Value, text["Email.Invite.Body", inviter.DisplayName, limits.Value.InvitationValidDays].Value],
                    text["Email.Invite.Button"], link, text["Email.Footer"], invitation.Language, email.Value.MessageIdDomain, now,
                    EmailKinds.Invitation));
        }
        db.AuditEntries.Add(new AuditEntry(organizationId, null, null, inviter.Id, AuditAction.InvitationSent, null, now));
        await db.SaveChangesAsync(cancellationToken);
        return Invited.Sent;
    }

    /// <summary>The invitation a link carries, or null if it was altered or has expired.</summary>
    public Invitation? ReadInvitation(string? token)
    {
        if (string.IsNullOrEmpty(token)) return null;
        try
        {
            return JsonSerializer.Deserialize<Invitation>(Invitations.Unprotect(token));
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or JsonException or FormatException)
        {
            return null;
        }
    }

    public sealed record Acceptance(string DisplayName, string Password, string TermsLanguage = "fr", string PageLanguage = "fr");

    /// <summary>
    /// What sign-up records: the terms accepted (a contract, in the version that binds the person) and the privacy notice
    /// shown (a notice, not a consent: nobody is asked to « accept » it). Both with the policy version.
    /// </summary>
    private void AddSignUpRecords(string userId, string termsLanguage, string pageLanguage, DateTimeOffset now)
    {
        db.Consents.Add(new Consent(userId, ConsentPurpose.Terms, privacy.Value.PolicyVersion, now, termsLanguage == "en" ? "en" : "fr"));
        db.Consents.Add(new Consent(userId, ConsentPurpose.PrivacyNoticeRead, privacy.Value.PolicyVersion, now, pageLanguage == "en" ? "en" : "fr"));
    }

    /// <summary>
    /// Accepting an invitation creates the account, confirmed (the link came by email), in the organization and role of
    /// the member who invited, if both still hold. Null on success, otherwise error codes (nothing is saved):
    /// « InvitationInvalid », « DuplicateEmail » (the address got an account meanwhile) or Identity's password codes.
    /// </summary>
    public async Task<IReadOnlyList<string>?> AcceptInvitationAsync(Invitation invitation, Acceptance acceptance, CancellationToken cancellationToken)
    {
        var refused = await PasswordProblemsAsync(invitation.Email, acceptance.Password);
        if (refused.Count > 0) return refused;
        var inviter = await users.FindByIdAsync(invitation.InviterId);
        var organization = await db.Organizations.SingleOrDefaultAsync(o => o.Id == invitation.OrganizationId, cancellationToken);
        if (inviter?.OrganizationId != invitation.OrganizationId || organization is null) return ["InvitationInvalid"];
        if (await users.FindByEmailAsync(invitation.Email) is not null) return ["DuplicateEmail"];
        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var colleague = new MarketplaceUser
        {
            UserName = invitation.Email, Email = invitation.Email, EmailConfirmed = true, DisplayName = acceptance.DisplayName.Trim(),
            OrganizationId = organization.Id, Language = invitation.Language, CreatedAt = now,
        };
        var created = await users.CreateAsync(colleague, acceptance.Password);
        if (!created.Succeeded) return created.Errors.Select(e => e.Code).ToArray();
        var role = organization.Kind == OrganizationKind.Provider ? Roles.Provider : Roles.Nonprofit;
        if (!await roles.RoleExistsAsync(role)) await roles.CreateAsync(new IdentityRole(role));
        await users.AddToRoleAsync(colleague, role);
        AddSignUpRecords(colleague.Id, acceptance.TermsLanguage, acceptance.PageLanguage, now);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return null;
    }

    /// <summary>
    /// A one-time link to choose a new password, sent only if the address has an account, and at most
    /// <see cref="AccountLimitsOptions.PasswordResetsPerHour"/> times an hour (counted from the outbox rows). The caller
    /// answers the same in every case.
    /// </summary>
    public async Task EnqueuePasswordResetAsync(string emailAddress, CancellationToken cancellationToken)
    {
        var user = await users.FindByEmailAsync(emailAddress);
        if (user?.Email is null) return;
        var since = time.GetUtcNow() - TimeSpan.FromHours(1);
        var address = user.Email;
        // By subject, in either language: it outlives the body (sensitive bodies may be cleared once sent).
        string french, english;
        using (Cultures.UseLanguage("fr")) french = text["Email.Reset.Subject"];
        using (Cultures.UseLanguage("en")) english = text["Email.Reset.Subject"];
        var recent = await db.OutboxEmails.CountAsync(e => e.To == address && e.CreatedAt >= since
            && (e.Subject == french || e.Subject == english), cancellationToken);
        if (recent >= limits.Value.PasswordResetsPerHour) return;
        var token = await users.GeneratePasswordResetTokenAsync(user);
        using (Cultures.UseLanguage(user.Language))
            Enqueue(user, text["Email.Reset.Subject"], text["Email.Reset.Body"], text["Email.Reset.Button"], SetPasswordLink(user, token), EmailKinds.PasswordReset);
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

    /// <summary>Identity's password rules (length, common passwords) for an address, before anything else is looked at.</summary>
    private async Task<List<string>> PasswordProblemsAsync(string emailAddress, string password)
    {
        var probe = new MarketplaceUser { UserName = emailAddress, Email = emailAddress };
        var problems = new List<string>();
        foreach (var validator in users.PasswordValidators)
        {
            var result = await validator.ValidateAsync(users, probe, password);
            if (!result.Succeeded) problems.AddRange(result.Errors.Select(e => e.Code));
        }
        return problems;
    }

    /// <summary>« Someone tried to create an account with your address »: at most a few an hour, counted from the outbox.</summary>
    private async Task NoticeSignUpAttemptAsync(MarketplaceUser owner, CancellationToken cancellationToken)
    {
        if (owner.Email is not { } address) return;
        string subject;
        using (Cultures.UseLanguage(owner.Language)) subject = text["Email.SignUpAttempt.Subject"];
        var since = time.GetUtcNow() - TimeSpan.FromHours(1);
        if (await db.OutboxEmails.CountAsync(e => e.To == address && e.Subject == subject && e.CreatedAt >= since, cancellationToken)
            >= limits.Value.SignUpNoticesPerHour) return;
        using (Cultures.UseLanguage(owner.Language))
            Enqueue(owner, subject, text["Email.SignUpAttempt.Body"], text["Account.LoginButton"],
                EmailBodies.Link(site.Value.PublicBaseUrl, owner.Language == "en" ? "en/login" : "fr/connexion", new Dictionary<string, string?>()), EmailKinds.SignUpAttempt);
        await db.SaveChangesAsync(cancellationToken);
    }

    private async Task EnqueueConfirmationAsync(MarketplaceUser user)
    {
        var token = await users.GenerateEmailConfirmationTokenAsync(user);
        var link = EmailBodies.Link(site.Value.PublicBaseUrl, user.Language == "en" ? "en/account/confirm" : "fr/compte/confirmer",
            new Dictionary<string, string?> { ["user"] = user.Id, ["token"] = token });
        using (Cultures.UseLanguage(user.Language))
            Enqueue(user, text["Email.Confirm.Subject"], text["Email.Confirm.Body"], text["Email.Confirm.Button"], link, EmailKinds.AccountConfirmation);
    }

    private string SetPasswordLink(MarketplaceUser user, string token) =>
        EmailBodies.Link(site.Value.PublicBaseUrl, user.Language == "en" ? "en/account/set-password" : "fr/compte/definir-mot-de-passe",
            new Dictionary<string, string?> { ["user"] = user.Id, ["token"] = token });

    /// <summary>
    /// Greeting, one paragraph, one link: in the user's language (the caller sets it). Every such link carries a live
    /// token, so its query string is sealed at rest (<see cref="OutboxSecrets"/>).
    /// </summary>
    private void Enqueue(MarketplaceUser user, string subject, string body, string linkLabel, string link, string kind) =>
        db.OutboxEmails.Add(secrets.Seal(EmailBodies.Compose(user.Email!, subject, [text["Email.Greeting", user.DisplayName].Value, body],
            linkLabel, link, text["Email.Footer"], user.Language, email.Value.MessageIdDomain, time.GetUtcNow(), kind), link));
}
