using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

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
    SearchSnapshotHolder snapshots,
    TextMatchCache textMatches) : IProviderSearch, ISearchIndexer, ISearchVersion
{
    public async ValueTask<long> CurrentAsync(CancellationToken cancellationToken) =>
        await db.SearchIndexStates.AsNoTracking().Where(s => s.Id == SearchIndexState.SingletonId).Select(s => s.Version).FirstAsync(cancellationToken);

    public async Task<SearchResult> SearchAsync(SearchQuery query, CancellationToken cancellationToken)
    {
        var terms = TextQuery.Terms(query.Text);
        var snapshot = await CurrentSnapshotAsync(cancellationToken);
        TextHits? hits = null;
        if (terms.Count > 0)
        {
            // Keyed by the snapshot's version: any index change makes every cached match stale at once.
            var ids = await textMatches.GetOrAddAsync(snapshot.Version, terms,
                () => text.MatchAsync(terms, cancellationToken));
            hits = new TextHits(terms, ids);
        }
        return snapshot.Search(query, hits);
    }

    public Task<SearchSuggestions> SuggestAsync(string text, string language, int max, CancellationToken cancellationToken) =>
        Task.FromResult(SearchSuggestions.None);

    public async Task SynonymsChangedAsync(CancellationToken cancellationToken)
    {
        await BumpVersionAsync(cancellationToken);
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
            async ct => new SearchSnapshot(version, await documents.FacetDocumentsAsync(ct), await documents.CategoryLabelsAsync(ct)),
            cancellationToken);
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

/// <summary>
/// The ids matched by recent free texts, for the current index version only. Faceted search repeats the same text at
/// every click on a filter, and a common word can match most of the directory: the full-text query is then the
/// costliest part of a search. Bounded by entries and by the total number of ids kept; 0 entries turns it off.
/// </summary>
public sealed class TextMatchCache(IOptions<MarketplaceOptions> options)
{
    private const int MaxTotalIds = 2_000_000; // 8 MB of ids
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<(string Key, int[] Ids)>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, int[] Ids)> _recency = new();
    private long _version = long.MinValue;
    private long _totalIds;

    private int Capacity => options.Value.SearchTextCacheEntries;

    public async Task<int[]> GetOrAddAsync(long version, IReadOnlyList<string> terms, Func<Task<int[]>> match)
    {
        if (Capacity <= 0) return await match();
        var key = string.Join(' ', terms);
        lock (_lock)
        {
            if (version == _version && _entries.TryGetValue(key, out var node))
            {
                _recency.Remove(node);
                _recency.AddFirst(node);
                return node.Value.Ids;
            }
        }

        var ids = await match();
        lock (_lock)
        {
            if (version > _version)
            {
                _entries.Clear();
                _recency.Clear();
                _totalIds = 0;
                _version = version;
            }
            if (version == _version && !_entries.ContainsKey(key) && ids.Length <= MaxTotalIds)
            {
                _entries[key] = _recency.AddFirst((key, ids));
                _totalIds += ids.Length;
                while (_entries.Count > Capacity || _totalIds > MaxTotalIds)
                {
                    var oldest = _recency.Last!;
                    _recency.RemoveLast();
                    _entries.Remove(oldest.Value.Key);
                    _totalIds -= oldest.Value.Ids.Length;
                }
            }
        }
        return ids;
    }
}
