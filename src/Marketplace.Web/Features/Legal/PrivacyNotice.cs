using System.Security.Claims;
using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Infrastructure;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Caching.Memory;
using Microsoft.Extensions.Options;

namespace Marketplace.Web.Features.Legal;

/// <summary>
/// Whether a signed-in person has read the current version of the privacy notice. A new <see cref="PrivacyOptions.PolicyVersion"/>
/// shows every signed-in person a banner asking them to read it (the notice informs: nothing is blocked). Once read,
/// the answer is kept in memory for the version, so pages do not ask the database again.
/// </summary>
public sealed class PrivacyNotice(MarketplaceDbContext db, IOptions<PrivacyOptions> privacy, IMemoryCache memory, TimeProvider time)
{
    private string Version => privacy.Value.PolicyVersion;

    public async Task<bool> NeedsReadingAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (user.Identity?.IsAuthenticated != true || user.FindFirstValue(ClaimTypes.NameIdentifier) is not { } userId) return false;
        var key = ("privacy-notice-read", userId, Version);
        if (memory.TryGetValue(key, out _)) return false;
        var read = await db.Consents.AnyAsync(c => c.UserId == userId && c.TextVersion == Version
            && (c.Purpose == ConsentPurpose.PrivacyNoticeRead || c.Purpose == ConsentPurpose.TermsAndPrivacy), cancellationToken);
        if (read) memory.Set(key, true, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromHours(8) });
        return !read;
    }

    public async Task RecordReadAsync(ClaimsPrincipal user, CancellationToken cancellationToken)
    {
        if (!await NeedsReadingAsync(user, cancellationToken)) return;
        var userId = user.FindFirstValue(ClaimTypes.NameIdentifier)!;
        db.Consents.Add(new Consent(userId, ConsentPurpose.PrivacyNoticeRead, Version, time.GetUtcNow(), Cultures.Current));
        await db.SaveChangesAsync(cancellationToken);
        memory.Set(("privacy-notice-read", userId, Version), true, new MemoryCacheEntryOptions { Size = 1, SlidingExpiration = TimeSpan.FromHours(8) });
    }
}
