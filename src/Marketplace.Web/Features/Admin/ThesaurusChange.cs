using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Domain.Taxonomy;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Search;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Web.Features.Admin;

/// <summary>
/// The verification team adds, changes or removes one group of the search thesaurus. Every change is audited
/// (« avant : … / après : … ») and told to search in the same transaction, so the next query reads the new synonyms on
/// every instance. A group edited by someone else since the form was loaded is not overwritten (409), and a word may not
/// sit in two groups: a query for it would chain both meanings.
/// </summary>
public sealed class ThesaurusChange(MarketplaceDbContext db, ISearchIndexer indexer, TimeProvider time)
{
    /// <param name="GroupId">The group changed or removed; null adds a group.</param>
    /// <param name="Text">The alternatives as typed (commas or line breaks); null removes the group.</param>
    /// <param name="LoadedVersion">The group's <see cref="SynonymGroup.UpdatedAt"/> (UTC ticks) when the form was loaded.</param>
    public sealed record Command(int? GroupId, string? Text, long? LoadedVersion, string ActorId);

    public enum Refusal
    {
        None,
        TooFew,
        TooMany,
        AlternativeTooLong,
        GroupTooLong,
        InAnotherGroup,
        /// <summary>Someone changed the group since the form was loaded: nothing was saved.</summary>
        Stale,
        /// <summary>Someone removed the group since the form was loaded: nothing was saved.</summary>
        Gone,
    }

    /// <param name="Conflict">For <see cref="Refusal.InAnotherGroup"/>: the alternative typed and the group that already holds it.</param>
    public sealed record Outcome(Refusal Refusal, string? Alternative = null, IReadOnlyList<string>? Conflict = null)
    {
        public bool Done => Refusal == Refusal.None;
    }

    public async Task<Outcome> HandleAsync(Command command, CancellationToken cancellationToken)
    {
        SynonymGroup? group = null;
        if (command.GroupId is { } id)
        {
            group = await db.SynonymGroups.SingleOrDefaultAsync(g => g.Id == id, cancellationToken);
            if (group is null) return new Outcome(Refusal.Gone);
            if (command.LoadedVersion != group.UpdatedAt.UtcTicks) return new Outcome(Refusal.Stale);
        }

        IReadOnlyList<string> alternatives = [];
        if (command.Text is not null)
        {
            alternatives = SynonymGroup.Parse(command.Text);
            var refusal = Check(alternatives);
            if (refusal != Refusal.None) return new Outcome(refusal);
            var taken = await InAnotherGroupAsync(alternatives, command.GroupId, cancellationToken);
            if (taken is not null) return taken;
        }

        var before = group is null ? "—" : Shown(group.Alternatives);
        var now = time.GetUtcNow();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        // Claims the row as it was read: a save committed since then makes this touch nothing (and the transaction ends
        // unused), and a save racing this one waits for the row (PostgreSQL) or the database (SQLite) until commit.
        if (group is not null && await db.SynonymGroups.Where(g => g.Id == group.Id && g.UpdatedAt == group.UpdatedAt)
                .ExecuteUpdateAsync(s => s.SetProperty(g => g.UpdatedAt, now), cancellationToken) == 0)
            return new Outcome(Refusal.Stale);
        if (command.Text is null) db.SynonymGroups.Remove(group!);
        else if (group is null) db.SynonymGroups.Add(new SynonymGroup(alternatives, now));
        else group.Replace(alternatives, now);
        var after = command.Text is null ? "—" : Shown(alternatives);
        db.AuditEntries.Add(new AuditEntry(0, null, null, command.ActorId, AuditAction.SynonymsChanged, AuditReason(before, after), now));
        await db.SaveChangesAsync(cancellationToken);
        await indexer.SynonymsChangedAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        await indexer.CatchUpAsync(cancellationToken); // this instance reads the new thesaurus now; the others within seconds
        return new Outcome(Refusal.None);
    }

    /// <summary>How a group reads on the page and in the audit: its alternatives joined with « · ».</summary>
    public static string Shown(IEnumerable<string> alternatives) => string.Join(" · ", alternatives);

    /// <summary>The entity's own rules (<see cref="SynonymGroup"/>), checked first so that each gets its own message.</summary>
    private static Refusal Check(IReadOnlyList<string> alternatives) =>
        alternatives.Count < 2 ? Refusal.TooFew
        : alternatives.Count > SynonymGroup.MaxAlternatives ? Refusal.TooMany
        : alternatives.Any(a => a.Length > SynonymGroup.AlternativeMaxLength) ? Refusal.AlternativeTooLong
        : string.Join('\n', alternatives).Length > SynonymGroup.TermsMaxLength ? Refusal.GroupTooLong
        : Refusal.None;

    private async Task<Outcome?> InAnotherGroupAsync(IReadOnlyList<string> alternatives, int? groupId, CancellationToken cancellationToken)
    {
        // The thesaurus is a few hundred short rows at most: compared here with the entity's own folding, the same on
        // both databases (neither folds accents the same way in SQL).
        var others = await db.SynonymGroups.AsNoTracking().Where(g => g.Id != groupId).Select(g => g.Terms).ToListAsync(cancellationToken);
        foreach (var terms in others)
        {
            var other = terms.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var folded = other.Select(SynonymGroup.Fold).ToHashSet();
            var taken = alternatives.FirstOrDefault(a => folded.Contains(SynonymGroup.Fold(a)));
            if (taken is not null) return new Outcome(Refusal.InAnotherGroup, taken, other);
        }
        return null;
    }

    /// <summary>« avant : … / après : … », each side shortened if both would not fit the audit's reason.</summary>
    private static string AuditReason(string before, string after)
    {
        var room = (ListingRevision.ReasonMaxLength - "avant :  / après : ".Length) / 2;
        static string Cut(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";
        return $"avant : {Cut(before, room)} / après : {Cut(after, room)}";
    }
}
