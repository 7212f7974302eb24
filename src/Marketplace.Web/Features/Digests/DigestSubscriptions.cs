using System.Security.Cryptography;
using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Infrastructure;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Email;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Marketplace.Web.Features.Digests;

/// <summary>
/// Opting in and out of the weekly digest, recorded as a consent (given with the text version, withdrawn with a date,
/// never deleted), and the signed, expiring token of the one-click stop link, which works without signing in.
/// </summary>
public sealed class DigestSubscriptions(
    MarketplaceDbContext db,
    IDataProtectionProvider protection,
    IOptions<PrivacyOptions> privacy,
    IOptions<MarketplaceOptions> site,
    IOptions<EmailOptions> email,
    TimeProvider time)
{
    /// <summary>How long a stop link works: long enough for a digest read weeks later.</summary>
    public static readonly TimeSpan TokenLifetime = TimeSpan.FromDays(90);

    private ITimeLimitedDataProtector Protector => protection.CreateProtector("Marketplace.DigestUnsubscribe.v1").ToTimeLimitedDataProtector();

    public string Token(string userId) => Protector.Protect(userId, time.GetUtcNow() + TokenLifetime);

    /// <summary>The user id in a token that is genuine and not expired; null otherwise.</summary>
    public string? UserIdFrom(string? token)
    {
        if (string.IsNullOrWhiteSpace(token) || token.Length > 1000) return null;
        try
        {
            var userId = Protector.Unprotect(token, out var expiration);
            return expiration > time.GetUtcNow() ? userId : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    /// <summary>The https stop link for the List-Unsubscribe header and the footer, in the recipient's language.</summary>
    public string StopLink(string userId, string language) =>
        EmailBodies.Link(site.Value.PublicBaseUrl, language == "en" ? "en/unsubscribe" : "fr/desabonnement",
            new Dictionary<string, string?> { ["t"] = Token(userId) });

    /// <summary>Stable per recipient and period, so a resend after a crash is recognizably the same message.</summary>
    public string MessageId(string userId, string period)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{userId}|{period}")))[..24];
        return $"<digest-{period.ToLowerInvariant()}-{hash}@{email.Value.MessageIdDomain}>";
    }

    public Task<bool> IsSubscribedAsync(string userId, CancellationToken cancellationToken) =>
        db.Consents.AnyAsync(c => c.UserId == userId && c.Purpose == ConsentPurpose.WeeklyDigest && c.WithdrawnAt == null, cancellationToken);

    /// <summary>Records the consent; false when it was already given. The caller saves.</summary>
    public async Task<bool> SubscribeAsync(string userId, CancellationToken cancellationToken)
    {
        if (await IsSubscribedAsync(userId, cancellationToken)) return false;
        db.Consents.Add(new Consent(userId, ConsentPurpose.WeeklyDigest, privacy.Value.PolicyVersion, time.GetUtcNow()));
        return true;
    }

    /// <summary>Dates the withdrawal of every active digest consent; false when there was none. The caller saves.</summary>
    public async Task<bool> UnsubscribeAsync(string userId, CancellationToken cancellationToken)
    {
        var active = await db.Consents.Where(c => c.UserId == userId && c.Purpose == ConsentPurpose.WeeklyDigest && c.WithdrawnAt == null)
            .ToListAsync(cancellationToken);
        foreach (var consent in active) consent.Withdraw(time.GetUtcNow());
        return active.Count > 0;
    }
}
