using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Web.Infrastructure.Search;

/// <summary>
/// The search engine of the two relational databases: free text in the database (<see cref="IFullTextIndex"/>),
/// facets, sorting and paging over an in-memory <see cref="SearchSnapshot"/> that every instance rebuilds when the
/// shared index version moves.
/// </summary>
public sealed class DatabaseSearchEngine(
    MarketplaceDbContext db,
    IFullTextIndex text,
    SearchDocuments documents,
    SearchSnapshotHolder snapshots) : IProviderSearch, ISearchIndexer
{
    public async Task<SearchResult> SearchAsync(SearchQuery query, CancellationToken cancellationToken)
    {
        var terms = TextQuery.Terms(query.Text);
        var scores = terms.Count == 0 ? null : await text.MatchAsync(terms, cancellationToken);
        var snapshot = await CurrentSnapshotAsync(cancellationToken);
        return snapshot.Search(query, scores);
    }

    public async Task<int> RebuildAsync(CancellationToken cancellationToken)
    {
        var docs = await documents.TextDocumentsAsync(null, cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await text.ReplaceAllAsync(docs, cancellationToken);
        await BumpVersionAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return docs.Count;
    }

    public async Task ProviderChangedAsync(int providerId, CancellationToken cancellationToken)
    {
        var docs = await documents.TextDocumentsAsync(providerId, cancellationToken);
        var ownTransaction = db.Database.CurrentTransaction is null
            ? await db.Database.BeginTransactionAsync(cancellationToken)
            : null;
        await using (ownTransaction)
        {
            if (docs.Count == 0) await text.RemoveAsync(providerId, cancellationToken);
            else await text.UpsertAsync(docs[0], cancellationToken);
            await BumpVersionAsync(cancellationToken);
            if (ownTransaction is not null) await ownTransaction.CommitAsync(cancellationToken);
        }
    }

    private Task<int> BumpVersionAsync(CancellationToken cancellationToken) =>
        db.SearchIndexStates.Where(s => s.Id == SearchIndexState.SingletonId)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Version, x => x.Version + 1), cancellationToken);

    private async Task<SearchSnapshot> CurrentSnapshotAsync(CancellationToken cancellationToken)
    {
        var version = await db.SearchIndexStates.AsNoTracking()
            .Where(s => s.Id == SearchIndexState.SingletonId).Select(s => s.Version).FirstAsync(cancellationToken);
        return await snapshots.GetAsync(version,
            async ct => new SearchSnapshot(version, await documents.FacetDocumentsAsync(ct)), cancellationToken);
    }
}

/// <summary>Holds the current snapshot for the whole process and rebuilds it once when the version moves.</summary>
public sealed class SearchSnapshotHolder
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile SearchSnapshot? _current;

    public async Task<SearchSnapshot> GetAsync(long version, Func<CancellationToken, Task<SearchSnapshot>> build,
        CancellationToken cancellationToken)
    {
        var current = _current;
        if (current is not null && current.Version >= version) return current;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            current = _current;
            if (current is not null && current.Version >= version) return current;
            current = await build(cancellationToken);
            _current = current;
            return current;
        }
        finally
        {
            _gate.Release();
        }
    }
}
