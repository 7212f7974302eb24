using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Marketplace.Web.Features.Claims;

/// <summary>
/// What accepting or rejecting a claim does, whoever decides (the link's reader or the verification team): the
/// organization manages the listing, other pending claims of it end, an audit entry, and an email to the claimant's members.
/// </summary>
public sealed class ClaimDecisions(MarketplaceDbContext db, MemberEmails members, IStringLocalizer<SharedResource> text, TimeProvider time,
    Infrastructure.Search.ISearchIndexer indexer)
{
    /// <summary>
    /// Accepts <paramref name="claim"/> (tracked) through <paramref name="decide"/>; false, with nothing changed, when the
    /// listing is already managed or the claimant now manages another one.
    /// </summary>
    public async Task<bool> AcceptAsync(ListingClaim claim, Action decide, string actorUserId, string? reason, CancellationToken cancellationToken)
    {
        var organization = await db.Organizations.SingleAsync(o => o.Id == claim.OrganizationId, cancellationToken);
        if (organization.ProviderId is not null || await db.Organizations.AnyAsync(o => o.ProviderId == claim.ProviderId, cancellationToken))
            return false;
        var now = time.GetUtcNow();
        decide();
        organization.Manages(claim.ProviderId);
        foreach (var other in await db.ListingClaims.Where(c => c.ProviderId == claim.ProviderId && c.Id != claim.Id && c.State == ClaimState.Pending)
                     .ToListAsync(cancellationToken))
            other.Withdraw(now);
        db.AuditEntries.Add(new AuditEntry(organization.Id, claim.ProviderId, null, actorUserId, AuditAction.ClaimAccepted, reason, now));
        var listing = await db.Providers.Where(p => p.Id == claim.ProviderId).Select(p => p.Name).SingleAsync(cancellationToken);
        await members.EnqueueAsync(organization.Id, _ => new MemberEmails.Letter(
            text["Email.Claim.Accepted.Subject", listing], [text["Email.Claim.Accepted.Body", listing]],
            text["Email.Claim.SeeListing"], "fr/compte/fiche", "en/account/listing"), cancellationToken);
        // The public page no longer invites to claim the listing: pages kept under the search version must see it (ADR 0025),
        // so the change is logged for search in the same transaction as the claim's acceptance.
        await using (var transaction = await db.Database.BeginTransactionAsync(cancellationToken))
        {
            await db.SaveChangesAsync(cancellationToken);
            await indexer.ProviderChangedAsync(claim.ProviderId, cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        await indexer.CatchUpAsync(cancellationToken);
        return true;
    }

    public async Task RejectAsync(ListingClaim claim, string curatorUserId, string note, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        claim.Reject(curatorUserId, note, now);
        db.AuditEntries.Add(new AuditEntry(claim.OrganizationId, claim.ProviderId, null, curatorUserId, AuditAction.ClaimRejected, note, now));
        var listing = await db.Providers.Where(p => p.Id == claim.ProviderId).Select(p => p.Name).SingleAsync(cancellationToken);
        await members.EnqueueAsync(claim.OrganizationId, _ => new MemberEmails.Letter(
            text["Email.Claim.Rejected.Subject", listing], [text["Email.Claim.Rejected.Body", listing], note],
            text["Email.Claim.SeeListing"], "fr/compte/fiche", "en/account/listing"), cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
    }
}
