using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Infrastructure.Accounts;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Identity;

namespace Marketplace.Web.Features.TwoFactor;

/// <summary>
/// An admin turns off someone's two-factor authentication (a lost phone and lost codes): a new authenticator key, no
/// recovery codes, no remembered step, a new security stamp (every open session of that person ends at its next click)
/// and an audit row. Staff pages send the person to set it up again at the next sign-in (<see cref="RequireTwoFactorAttribute"/>).
/// </summary>
public sealed class TwoFactorReset(MarketplaceDbContext db, UserManager<MarketplaceUser> users, TimeProvider time)
{
    /// <summary>Recovery codes as Identity's user store keeps them (its internal names).</summary>
    private const string StoreProvider = "[AspNetUserStore]";
    private const string RecoveryCodes = "RecoveryCodes";

    public async Task HandleAsync(MarketplaceUser target, string actorUserId, CancellationToken cancellationToken)
    {
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        Check(await users.SetTwoFactorEnabledAsync(target, false));
        Check(await users.ResetAuthenticatorKeyAsync(target)); // also moves the security stamp
        Check(await users.RemoveAuthenticationTokenAsync(target, StoreProvider, RecoveryCodes));
        Check(await users.RemoveAuthenticationTokenAsync(target, SingleUseAuthenticatorTokenProvider.LoginProvider, SingleUseAuthenticatorTokenProvider.LastStepToken));
        db.AuditEntries.Add(new AuditEntry(target.OrganizationId ?? 0, null, null, actorUserId, AuditAction.TwoFactorReset,
            $"user:{target.Id}", time.GetUtcNow()));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded) throw new InvalidOperationException(string.Join("; ", result.Errors.Select(e => e.Code)));
    }
}
