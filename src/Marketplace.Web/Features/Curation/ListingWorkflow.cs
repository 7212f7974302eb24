using System.Globalization;
using System.Text;
using Marketplace.Web.Domain;
using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Search;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Web.Features.Curation;

public enum Decision
{
    Approve,
    RequestChanges,
    Reject,
}

public enum DecisionOutcome
{
    Done,
    /// <summary>Someone else decided (or the provider changed) the revision first: nothing was changed.</summary>
    AlreadyDecided,
}

/// <summary>
/// The use cases of a listing's life: a provider organization drafts, saves and submits revisions; a curator decides;
/// a provider or a curator archives; a curator renews a verification or restores an archived listing. Every change writes its audit entry and its emails in the same transaction, and
/// search reflects a publication, an approved edit or an archive as soon as it commits. Provider-side methods take the
/// caller's organization and find nothing outside it (the caller answers 404).
/// </summary>
public sealed class ListingWorkflow(MarketplaceDbContext db, ISearchIndexer indexer, ListingEmails emails, TimeProvider time,
    Infrastructure.Jobs.MatchingQueue matching)
{
    /// <summary>The organization's open revision, or a new draft: empty for a new listing, a copy of the published one for an edit.</summary>
    public async Task<ListingRevision> OpenAsync(int organizationId, string userId, CancellationToken cancellationToken)
    {
        var organization = await db.Organizations.SingleAsync(o => o.Id == organizationId, cancellationToken);
        if (organization.Kind != OrganizationKind.Provider) throw new DomainException("Only a provider organization keeps a listing.");
        var open = await OpenRevisions(organizationId).OrderBy(r => r.Id).FirstOrDefaultAsync(cancellationToken);
        if (open is not null) return open;

        var content = ListingContent.Empty(organization.Name);
        if (organization.ProviderId is { } providerId)
        {
            var provider = await db.Providers.Include(p => p.Offerings).SingleAsync(p => p.Id == providerId, cancellationToken);
            if (provider.Status == ListingStatus.Archived) throw new DomainException("An archived listing cannot be edited.");
            content = ListingContent.Of(provider);
        }
        var revision = new ListingRevision(organizationId, organization.ProviderId, content, userId, time.GetUtcNow());
        db.ListingRevisions.Add(revision);
        await db.SaveChangesAsync(cancellationToken);
        return revision;
    }

    /// <summary>A revision of this organization, or null (the caller answers 404).</summary>
    public Task<ListingRevision?> FindAsync(int revisionId, int organizationId, CancellationToken cancellationToken) =>
        db.ListingRevisions.SingleOrDefaultAsync(r => r.Id == revisionId && r.OrganizationId == organizationId, cancellationToken);

    public async Task<bool> SaveAsync(int revisionId, int organizationId, ListingContent content, CancellationToken cancellationToken)
    {
        var revision = await FindAsync(revisionId, organizationId, cancellationToken);
        if (revision is null) return false;
        revision.Edit(content, time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    public async Task<bool> SubmitAsync(int revisionId, int organizationId, string userId, CancellationToken cancellationToken)
    {
        var revision = await FindAsync(revisionId, organizationId, cancellationToken);
        if (revision is null) return false;
        revision.Submit(time.GetUtcNow());
        Audit(revision, userId, AuditAction.Submitted, reason: null);
        await emails.EnqueueAsync(revision, AuditAction.Submitted, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>
    /// A curator's decision on the version of the revision they saw. If the revision moved since (another curator
    /// decided, or the provider withdrew it), nothing changes and the curator is told.
    /// </summary>
    public async Task<DecisionOutcome> DecideAsync(int revisionId, int seenVersion, Decision decision, string curatorId,
        string? reason, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var revision = await db.ListingRevisions.SingleAsync(r => r.Id == revisionId, cancellationToken);
        if (revision.Version != seenVersion || revision.State != RevisionState.Submitted) return DecisionOutcome.AlreadyDecided;

        var action = decision switch
        {
            Decision.Approve => AuditAction.Approved,
            Decision.RequestChanges => AuditAction.ChangesRequested,
            _ => AuditAction.Rejected,
        };
        try
        {
            switch (decision)
            {
                case Decision.Approve:
                    revision.Approve(curatorId, now);
                    await PublishAsync(revision, now, cancellationToken);
                    break;
                case Decision.RequestChanges:
                    revision.RequestChanges(curatorId, reason ?? "", now);
                    break;
                case Decision.Reject:
                    revision.Reject(curatorId, reason ?? "", now);
                    break;
            }
            Audit(revision, curatorId, action, revision.DecisionReason);
            await emails.EnqueueAsync(revision, action, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            // The row's version moved between our read and our write: the other decision stands, ours is dropped.
            await transaction.RollbackAsync(cancellationToken);
            db.ChangeTracker.Clear();
            return DecisionOutcome.AlreadyDecided;
        }
        if (revision.ProviderId is { } providerId) await indexer.ProviderChangedAsync(providerId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await indexer.CatchUpAsync(cancellationToken); // the curator sees the decision in search at once
        if (decision == Decision.Approve && revision.ProviderId is { } published)
            await matching.ProviderChangedAsync(published, cancellationToken);
        return DecisionOutcome.Done;
    }

    /// <summary>Archives a published listing: it leaves search at once. Providers may archive only their own.</summary>
    public async Task<bool> ArchiveAsync(int providerId, int? organizationId, string actorId, string? reason, CancellationToken cancellationToken)
    {
        var owner = await db.Organizations.SingleOrDefaultAsync(o => o.ProviderId == providerId, cancellationToken);
        if (organizationId is not null && owner?.Id != organizationId) return false;
        var provider = await db.Providers.SingleOrDefaultAsync(p => p.Id == providerId, cancellationToken);
        if (provider is null) return false;
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        provider.Archive();
        foreach (var open in await db.ListingRevisions.Where(r => r.ProviderId == providerId && ListingRevision.OpenStates.Contains(r.State))
                     .ToListAsync(cancellationToken))
            open.Discard(time.GetUtcNow());
        db.AuditEntries.Add(new AuditEntry(owner?.Id ?? 0, providerId, null, actorId, AuditAction.Archived, reason, time.GetUtcNow()));
        // The provider is told when someone else (a curator) archives its listing.
        if (owner is not null && organizationId is null) await emails.EnqueueArchivedAsync(owner.Id, provider.Name, reason, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await indexer.ProviderChangedAsync(providerId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await indexer.CatchUpAsync(cancellationToken); // the person who acted sees it in search at once
        await matching.ProviderChangedAsync(providerId, cancellationToken);
        return true;
    }

    /// <summary>
    /// A curator checked a published listing again and found it current (a note says how): the verification date moves
    /// to now, and search and suggestions see the fresh date as they do after an approval.
    /// </summary>
    public async Task<bool> RenewVerificationAsync(int providerId, string curatorId, string note, CancellationToken cancellationToken)
    {
        var provider = await db.Providers.SingleOrDefaultAsync(p => p.Id == providerId, cancellationToken);
        if (provider is null) return false;
        var owner = await db.Organizations.SingleOrDefaultAsync(o => o.ProviderId == providerId, cancellationToken);
        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        provider.RenewVerification(now);
        db.AuditEntries.Add(new AuditEntry(owner?.Id ?? 0, providerId, null, curatorId, AuditAction.VerificationRenewed, note, now));
        if (owner is not null) await emails.EnqueueRenewedAsync(owner.Id, provider.Name, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await indexer.ProviderChangedAsync(providerId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await indexer.CatchUpAsync(cancellationToken); // the person who acted sees it in search at once
        await matching.ProviderChangedAsync(providerId, cancellationToken);
        return true;
    }

    /// <summary>A curator undoes an archive (ADR 0016): the listing is published again as it was and returns to search.</summary>
    public async Task<bool> RestoreAsync(int providerId, string curatorId, string? note, CancellationToken cancellationToken)
    {
        var provider = await db.Providers.Include(p => p.Offerings).SingleOrDefaultAsync(p => p.Id == providerId, cancellationToken);
        if (provider is null) return false;
        var owner = await db.Organizations.SingleOrDefaultAsync(o => o.ProviderId == providerId, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        provider.Restore();
        db.AuditEntries.Add(new AuditEntry(owner?.Id ?? 0, providerId, null, curatorId, AuditAction.Restored, note, time.GetUtcNow()));
        if (owner is not null) await emails.EnqueueRestoredAsync(owner.Id, provider.Name, note, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        await indexer.ProviderChangedAsync(providerId, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await indexer.CatchUpAsync(cancellationToken); // the person who acted sees it in search at once
        await matching.ProviderChangedAsync(providerId, cancellationToken);
        return true;
    }

    private async Task PublishAsync(ListingRevision revision, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var content = revision.Content;
        if (revision.ProviderId is { } providerId)
        {
            var provider = await db.Providers.Include(p => p.Offerings).SingleAsync(p => p.Id == providerId, cancellationToken);
            provider.ApplyContent(content, now);
            provider.Publish(now);
            return;
        }
        var created = Provider.FromContent(await FreeSlugAsync(content.Name, cancellationToken), content, now);
        created.Publish(now);
        db.Providers.Add(created);
        await db.SaveChangesAsync(cancellationToken);
        revision.AttachTo(created.Id);
        var organization = await db.Organizations.SingleAsync(o => o.Id == revision.OrganizationId, cancellationToken);
        organization.Manages(created.Id);
    }

    private void Audit(ListingRevision revision, string actorId, AuditAction action, string? reason) =>
        db.AuditEntries.Add(new AuditEntry(revision.OrganizationId ?? 0, revision.ProviderId, revision.Id, actorId, action, reason, time.GetUtcNow()));

    private IQueryable<ListingRevision> OpenRevisions(int organizationId) =>
        db.ListingRevisions.Where(r => r.OrganizationId == organizationId && ListingRevision.OpenStates.Contains(r.State));

    private async Task<string> FreeSlugAsync(string name, CancellationToken cancellationToken)
    {
        var stem = Slug(name);
        var slug = stem;
        for (var n = 2; await db.Providers.AnyAsync(p => p.Slug == slug, cancellationToken); n++) slug = $"{stem}-{n}";
        return slug;
    }

    /// <summary>« Atelier Numérique & Cie » → "atelier-numerique-cie".</summary>
    public static string Slug(string name)
    {
        var builder = new StringBuilder();
        foreach (var ch in name.Normalize(NormalizationForm.FormD).ToLowerInvariant())
        {
            if (CharUnicodeInfo.GetUnicodeCategory(ch) == UnicodeCategory.NonSpacingMark) continue;
            if (ch is >= 'a' and <= 'z' or >= '0' and <= '9') builder.Append(ch);
            else if (ch == 'œ') builder.Append("oe");
            else if (builder.Length > 0 && builder[^1] != '-') builder.Append('-');
        }
        var slug = builder.ToString().Trim('-');
        if (slug.Length > 60) slug = slug[..60].TrimEnd('-');
        return slug.Length == 0 ? "fiche" : slug;
    }
}
