using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Marketplace.Web.Infrastructure.Search;

/// <summary>
/// The search port over this instance's <see cref="LuceneSearchIndex"/>. Changes are recorded in the database's change
/// log in the caller's transaction; every instance's <see cref="SearchIndexFollower"/> applies them (docs/search.md).
/// </summary>
public sealed class LuceneSearchEngine(
    MarketplaceDbContext db,
    LuceneSearchIndex index,
    TextMatchCache textMatches,
    TimeProvider time) : IProviderSearch, ISearchIndexer, ISearchVersion
{
    public Task<SearchResult> SearchAsync(SearchQuery query, CancellationToken cancellationToken) =>
        index.SearchAsync(query, textMatches, cancellationToken);

    public Task<SearchSuggestions> SuggestAsync(string text, string language, int max, CancellationToken cancellationToken) =>
        index.SuggestAsync(text, language, max, cancellationToken);

    public ValueTask<long> CurrentAsync(CancellationToken cancellationToken) => index.VersionAsync(cancellationToken);

    public async Task<int> RebuildAsync(CancellationToken cancellationToken)
    {
        await RecordAsync(SearchChangeKind.All, null, cancellationToken);
        return await db.Providers.CountAsync(p => p.Status == Domain.Providers.ListingStatus.Published, cancellationToken);
    }

    public Task ProviderChangedAsync(int providerId, CancellationToken cancellationToken) =>
        RecordAsync(SearchChangeKind.Provider, providerId, cancellationToken);

    public Task SynonymsChangedAsync(CancellationToken cancellationToken) =>
        RecordAsync(SearchChangeKind.Synonyms, null, cancellationToken);

    public async Task CatchUpAsync(CancellationToken cancellationToken)
    {
        // A command-line process records changes only: the running site applies them.
        if (!index.IsStarted) return;
        await index.Ready.WaitAsync(cancellationToken);
        await index.ApplyAsync(cancellationToken);
    }

    /// <summary>
    /// Bumps the shared counter (its row lock orders concurrent writers until they commit) and logs the change under the
    /// new value, in the caller's transaction or in one of its own, after which this instance applies it at once.
    /// </summary>
    private async Task RecordAsync(SearchChangeKind kind, int? providerId, CancellationToken cancellationToken)
    {
        var ownTransaction = db.Database.CurrentTransaction is null
            ? await db.Database.BeginTransactionAsync(cancellationToken)
            : null;
        await using (ownTransaction)
        {
            await db.SearchIndexStates.Where(s => s.Id == SearchIndexState.SingletonId)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Version, x => x.Version + 1), cancellationToken);
            var version = await LuceneSearchIndex.LatestVersionAsync(db, cancellationToken);
            db.SearchChanges.Add(new SearchChange(version, kind, providerId, time.GetUtcNow()));
            await db.SaveChangesAsync(cancellationToken);
            if (ownTransaction is not null)
            {
                await ownTransaction.CommitAsync(cancellationToken);
                await CatchUpAsync(cancellationToken);
            }
        }
    }
}

/// <summary>
/// Applies the changes made on other instances (and any this one missed) every <see cref="MarketplaceOptions.SearchFollowIntervalMs"/>:
/// the « within 2 s on another instance » of issue 13. Also opens the index when the site starts.
/// </summary>
public sealed class SearchIndexFollower(LuceneSearchIndex index, IOptions<MarketplaceOptions> options, ILogger<SearchIndexFollower> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        index.Start();
        try
        {
            await index.Ready.WaitAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (Exception)
        {
            return; // logged by the index; searches report it
        }
        var interval = TimeSpan.FromMilliseconds(Math.Max(20, options.Value.SearchFollowIntervalMs));
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(interval, stoppingToken);
                await index.ApplyAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // A database hiccup: search keeps serving the last state and tries again.
                logger.LogWarning(e, "Search could not follow the change log; retrying");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }
}

/// <summary>
/// The matches of recent free texts, for the current index version only. Faceted search repeats the same text at every
/// click on a filter, and a common word can match most of the directory. Bounded by entries and by the total number of
/// ids kept; 0 entries turns it off.
/// </summary>
public sealed class TextMatchCache(IOptions<MarketplaceOptions> options)
{
    private const int MaxTotalIds = 2_000_000;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<(string Key, LuceneSearchIndex.TextMatch Match)>> _entries = new(StringComparer.Ordinal);
    private readonly LinkedList<(string Key, LuceneSearchIndex.TextMatch Match)> _recency = new();
    private long _version = long.MinValue;
    private long _totalIds;

    private int Capacity => options.Value.SearchTextCacheEntries;

    /// <summary>The matches kept for this text at this version, or null.</summary>
    public LuceneSearchIndex.TextMatch? Get(long version, string key)
    {
        if (Capacity <= 0) return null;
        lock (_lock)
        {
            if (version != _version || !_entries.TryGetValue(key, out var node)) return null;
            _recency.Remove(node);
            _recency.AddFirst(node);
            return node.Value.Match;
        }
    }

    /// <summary>Keeps a copy of a text's matches at this version (a newer version forgets every older one).</summary>
    public void Keep(long version, string key, LuceneSearchIndex.TextMatch found)
    {
        if (Capacity <= 0 || found.Count > MaxTotalIds) return;
        lock (_lock)
        {
            if (version > _version)
            {
                _entries.Clear();
                _recency.Clear();
                _totalIds = 0;
                _version = version;
            }
            if (version != _version || _entries.ContainsKey(key)) return;
            _entries[key] = _recency.AddFirst((key, found.Owned()));
            _totalIds += found.Count;
            while (_entries.Count > Capacity || _totalIds > MaxTotalIds)
            {
                var oldest = _recency.Last!;
                _recency.RemoveLast();
                _entries.Remove(oldest.Value.Key);
                _totalIds -= oldest.Value.Match.Count;
            }
        }
    }
}
