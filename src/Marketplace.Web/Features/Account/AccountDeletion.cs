using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Email;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Marketplace.Web.Features.Account;

/// <summary>
/// Deletes an account in one transaction (Law 25, s. 23 and 28; ADR 0027): the person asked (<c>/fr/compte/supprimer</c>),
/// an admin did it on their request, or the retention job found it unconfirmed or inactive. What goes: the Identity user
/// and its roles, claims, logins and tokens, consents (digest subscription included), unsent emails to them; the
/// organization with its requests, matches, conversations and messages when they were its last member. What stays,
/// without identity: audit entries (actor « supprimé »), approved listing revisions (the listing's history), sent emails'
/// date, kind and status. Their email address, display name (and, with it, the organization's name) are then replaced
/// by « [supprimé] » in every text column the model maps, except the public listing tables: no copy stays anywhere.
/// </summary>
public sealed class AccountDeletion(MarketplaceDbContext db, TimeProvider time)
{
    /// <summary>What replaces a deleted person's user id wherever another record keeps it (audit actor, message author…).</summary>
    public const string DeletedActor = "supprimé";
    /// <summary>What replaces their email address and name inside texts (emails sent to others, messages, notes).</summary>
    public const string Placeholder = "[supprimé]";
    /// <summary>The actor of the retention job's own audit entries and deletions.</summary>
    public const string RetentionActor = "retention";

    /// <summary>The public listing and the search: never rewritten here (a listing outlives the people who managed it).</summary>
    private static readonly HashSet<string> UntouchedTables =
        ["providers", "service_offerings", "taxonomy_terms", "synonym_groups", "search_index_state", "search_changes", "listing_revisions",
         // Other accounts and organizations keep their own names, even one that contains theirs; the person's rows are gone.
         "users", "roles", "user_roles", "user_claims", "user_logins", "user_tokens", "role_claims", "organizations", "consents"];

    public sealed record Outcome(bool OrganizationDeleted);

    /// <param name="actorUserId">Who deletes: the person themself (recorded as « supprimé »), an admin's id, or « retention ».</param>
    /// <param name="reason">An admin's reason (the request's reference), or the retention rule; never the person's name.</param>
    /// <param name="at">The retention job's date (<c>--now</c>); otherwise now.</param>
    public async Task<Outcome?> HandleAsync(string userId, string actorUserId, string? reason, CancellationToken cancellationToken,
        DateTimeOffset? at = null)
    {
        var person = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.Id, u.Email, u.DisplayName, u.OrganizationId }).SingleOrDefaultAsync(cancellationToken);
        if (person is null) return null;
        var now = at ?? time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);

        var organization = person.OrganizationId is { } organizationId
            ? await db.Organizations.AsNoTracking().Where(o => o.Id == organizationId).Select(o => new { o.Id, o.Name }).SingleOrDefaultAsync(cancellationToken)
            : null;
        var lastMember = organization is not null
            && !await db.Users.AnyAsync(u => u.OrganizationId == organization.Id && u.Id != userId, cancellationToken);

        // Emails to them: unsent ones are dropped; sent ones keep their date, kind and status, nothing that says to whom.
        var email = person.Email ?? "";
        var lowered = email.ToLowerInvariant();
        var theirs = db.OutboxEmails.Where(e => e.RecipientUserId == userId || (email != "" && e.To.ToLower() == lowered));
        await theirs.Where(e => e.SentAt == null).ExecuteDeleteAsync(cancellationToken);
        await theirs.ExecuteUpdateAsync(u => u
            .SetProperty(e => e.To, "").SetProperty(e => e.Subject, "").SetProperty(e => e.TextBody, "").SetProperty(e => e.HtmlBody, "")
            .SetProperty(e => e.UnsubscribeUrl, (string?)null).SetProperty(e => e.RecipientUserId, (string?)null), cancellationToken);

        if (lastMember)
        {
            // The organization goes with its last member; its approved revisions stay as the published listing's history.
            await db.ListingRevisions.Where(r => r.OrganizationId == organization!.Id && !ListingRevision.KeptAfterDeletion.Contains(r.State))
                .ExecuteDeleteAsync(cancellationToken);
            await db.ListingRevisions.Where(r => r.OrganizationId == organization!.Id)
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.OrganizationId, (int?)null), cancellationToken);
        }

        // An incident's notices stay (the register proves notice was given), one per incident and account: each deleted
        // person becomes a placeholder of their own, so that two of them never collide on the unique key.
        await db.IncidentNotices.Where(n => n.UserId == userId)
            .ExecuteUpdateAsync(u => u.SetProperty(n => n.UserId, n => DeletedActor + "-" + n.Id.ToString()), cancellationToken);

        // Every record that names them by id (audit actor, message author, reviews, claims, revisions…) now names nobody.
        foreach (var (table, column) in Columns(c => c.Name.EndsWith("UserId", StringComparison.Ordinal) && !c.IsKey() && !c.IsForeignKey(),
                     includeListingRevisions: true))
        {
            if (table == "outbox_emails") continue; // recipient ids were cleared above (they are unique per digest period)
            // Names from the EF model, never from input; the values are parameters.
            var sql = "UPDATE \"" + table + "\" SET \"" + column + "\" = {0} WHERE \"" + column + "\" = {1}";
            await db.Database.ExecuteSqlRawAsync(sql, [DeletedActor, userId], cancellationToken);
        }

        // The account itself; the database cascades to roles, claims, logins, tokens and consents.
        await db.Users.Where(u => u.Id == userId).ExecuteDeleteAsync(cancellationToken);
        // … then the organization, cascading to its requests (matches, responses, reviews), conversations and claims.
        if (lastMember) await db.Organizations.Where(o => o.Id == organization!.Id).ExecuteDeleteAsync(cancellationToken);

        // Their identity as others received it: disclosures to providers, invitations, notes. With the organization gone,
        // its name is part of that identity too.
        // Their id too, where a text quotes it (an audit reason « user:{id} »).
        var identity = new List<string> { email, person.DisplayName, userId };
        if (lastMember) identity.Add(organization!.Name);
        foreach (var value in identity.Where(v => v.Trim().Length >= 3).SelectMany(v => new[] { v, EmailBodies.HtmlText(v) }).Distinct())
            await ScrubAsync(value, cancellationToken);

        db.AuditEntries.Add(new AuditEntry(organization?.Id ?? 0, null, null, actorUserId == userId ? DeletedActor : actorUserId,
            AuditAction.AccountDeleted, reason, now));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return new Outcome(lastMember);
    }

    private async Task ScrubAsync(string value, CancellationToken cancellationToken)
    {
        foreach (var (table, column) in Columns(c => !c.Name.EndsWith("UserId", StringComparison.Ordinal) && !c.IsKey() && !c.IsForeignKey(),
                     includeListingRevisions: false))
        {
            var sql = "UPDATE \"" + table + "\" SET \"" + column + "\" = replace(\"" + column + "\", {0}, {1}) WHERE \"" + column + "\" LIKE {2}";
            await db.Database.ExecuteSqlRawAsync(sql, [value, Placeholder, "%" + value + "%"], cancellationToken);
        }
    }

    /// <summary>The string columns of the tables this model maps (Identity's included), read from the EF model.</summary>
    private IEnumerable<(string Table, string Column)> Columns(Func<IProperty, bool> keep, bool includeListingRevisions)
    {
        foreach (var entity in db.Model.GetEntityTypes())
        {
            if (entity.GetTableName() is not { } table || entity.IsOwned()) continue;
            if (UntouchedTables.Contains(table) && !(includeListingRevisions && table == "listing_revisions")) continue;
            var store = StoreObjectIdentifier.Table(table, entity.GetSchema());
            foreach (var property in entity.GetProperties())
                if (property.ClrType == typeof(string) && property.GetValueConverter() is null && keep(property)
                    && property.GetColumnName(store) is { } column)
                    yield return (table, column);
        }
    }
}
