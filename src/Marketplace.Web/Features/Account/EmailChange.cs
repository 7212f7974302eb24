using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Infrastructure;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Email;
using Marketplace.Web.Infrastructure.Web;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace Marketplace.Web.Features.Account;

/// <summary>
/// Correcting one's email address (Law 25, s. 28): a link to the NEW address (Identity's change-email token, which
/// expires with the default token lifespan, one day) and a notice to the OLD one, both through the outbox in the
/// person's language. The address changes only when the link is followed; the user name follows when it was the address.
/// </summary>
public sealed class EmailChange(
    MarketplaceDbContext db,
    UserManager<MarketplaceUser> users,
    IStringLocalizer<SharedResource> text,
    IOptions<MarketplaceOptions> site,
    IOptions<EmailOptions> email,
    TimeProvider time,
    OutboxSecrets secrets)
{
    /// <summary>
    /// Writes both emails (the caller saves, with the rest of the profile). An address that already belongs to another
    /// account gets nothing, and the page answers the same (ADR 0020: the form says nothing about other accounts).
    /// </summary>
    public async Task RequestAsync(MarketplaceUser user, string newAddress)
    {
        if (user.Email is not { } oldAddress) throw new InvalidOperationException("An account without an address.");
        if (await users.FindByEmailAsync(newAddress) is not null) return;
        var token = await users.GenerateChangeEmailTokenAsync(user, newAddress);
        var link = EmailBodies.Link(site.Value.PublicBaseUrl, user.Language == "en" ? "en/account/profile/email" : "fr/compte/profil/courriel",
            new Dictionary<string, string?> { ["user"] = user.Id, ["email"] = newAddress, ["token"] = token });
        var now = time.GetUtcNow();
        using (Cultures.UseLanguage(user.Language))
        {
            db.OutboxEmails.Add(secrets.Seal(EmailBodies.Compose(newAddress, text["Email.ChangeEmail.Subject"],
                [text["Email.Greeting", user.DisplayName].Value, text["Email.ChangeEmail.Body"].Value], text["Email.ChangeEmail.Button"], link,
                text["Email.Footer"], user.Language, email.Value.MessageIdDomain, now, EmailKinds.EmailChange), link));
            var profile = EmailBodies.Link(site.Value.PublicBaseUrl, user.Language == "en" ? "en/account/profile" : "fr/compte/profil");
            db.OutboxEmails.Add(EmailBodies.Compose(oldAddress, text["Email.EmailChangeNotice.Subject"],
                [text["Email.Greeting", user.DisplayName].Value, text["Email.EmailChangeNotice.Body", newAddress].Value],
                text["Email.EmailChangeNotice.Button"], profile, text["Email.Footer"], user.Language, email.Value.MessageIdDomain, now,
                EmailKinds.EmailChangeNotice));
        }
    }

    /// <summary>Follows the link: true when the address changed (and the user name with it, if it was the address).</summary>
    public async Task<bool> ConfirmAsync(string? userId, string? newAddress, string? token, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(userId) || string.IsNullOrWhiteSpace(newAddress) || string.IsNullOrEmpty(token)) return false;
        var user = await users.FindByIdAsync(userId);
        if (user is null) return false;
        var userNameWasAddress = string.Equals(user.UserName, user.Email, StringComparison.OrdinalIgnoreCase);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var changed = await users.ChangeEmailAsync(user, newAddress, token);
        if (!changed.Succeeded) return false;
        if (userNameWasAddress && !(await users.SetUserNameAsync(user, newAddress)).Succeeded) return false;
        await transaction.CommitAsync(cancellationToken);
        return true;
    }
}
