namespace Marketplace.Web.Infrastructure.Search;

/// <summary>
/// The search port features depend on. Today an embedded Lucene.Net index per instance (docs/search.md); an
/// Elasticsearch/OpenSearch engine would implement this and <see cref="ISearchIndexer"/> without touching features.
/// </summary>
public interface IProviderSearch
{
    Task<SearchResult> SearchAsync(SearchQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// What to propose while someone types <paramref name="text"/> in the search box: categories whose label and
    /// published providers whose name contain a word starting with the last word typed (accents and case ignored).
    /// </summary>
    Task<SearchSuggestions> SuggestAsync(string text, string language, int max, CancellationToken cancellationToken);
}

/// <summary>
/// The version of what this instance's search shows. What only changes with it (the taxonomy, a page's facet links)
/// can be cached under it. Cheap: no database round trip once the engine follows changes in the background.
/// </summary>
public interface ISearchVersion
{
    ValueTask<long> CurrentAsync(CancellationToken cancellationToken);
}

public sealed record SearchSuggestions(IReadOnlyList<SuggestedCategory> Categories, IReadOnlyList<SuggestedProvider> Providers)
{
    public static SearchSuggestions None { get; } = new([], []);
}

public sealed record SuggestedCategory(string Key, string Label);

public sealed record SuggestedProvider(string Slug, string Name);

/// <summary>
/// Keeps search in step with the database. Each method records a <see cref="SearchChange"/> in the caller's transaction
/// (or its own); every instance applies the changes to its own index in the background (docs/search.md, live updates).
/// </summary>
public interface ISearchIndexer
{
    /// <summary>Asks every instance to rebuild its index from the database; returns the number of published providers.</summary>
    Task<int> RebuildAsync(CancellationToken cancellationToken);

    /// <summary>A listing was published, changed or withdrawn.</summary>
    Task ProviderChangedAsync(int providerId, CancellationToken cancellationToken);

    /// <summary>The thesaurus (<see cref="Domain.Taxonomy.SynonymGroup"/>) changed: queries read the new one from now on, on every instance.</summary>
    Task SynonymsChangedAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Applies every committed change to this instance's index now and returns when search shows them: called after a
    /// commit by the request that made a change, so that the person who made it sees it at once. Searches never wait.
    /// </summary>
    Task CatchUpAsync(CancellationToken cancellationToken);
}

/// <summary>What a change of the search index's inputs concerns.</summary>
public enum SearchChangeKind
{
    /// <summary>One listing was published, changed or withdrawn: its document is replaced or removed.</summary>
    Provider,
    /// <summary>Everything is rebuilt from the database (seeding, the <c>reindex</c> command, a taxonomy change).</summary>
    All,
    /// <summary>The thesaurus changed: queries read the new synonyms; no document changes.</summary>
    Synonyms,
}

/// <summary>
/// One change of what search shows, written in the same transaction as the change itself. <see cref="Version"/> is the
/// value <see cref="SearchIndexState.Version"/> took: the counter's row lock orders the writers, so versions commit in
/// order and an instance that applied every change up to N never misses one below N. Every instance applies the
/// changes after its own version to its own index (docs/search.md, live updates).
/// </summary>
public sealed class SearchChange
{
    private SearchChange() { }

    public SearchChange(long version, SearchChangeKind kind, int? providerId, DateTimeOffset at)
    {
        Version = version;
        Kind = kind;
        ProviderId = providerId;
        At = at;
    }

    public long Version { get; private set; }
    public SearchChangeKind Kind { get; private set; }
    public int? ProviderId { get; private set; }
    public DateTimeOffset At { get; private set; }
}

/// <summary>A counter bumped at every index change so that every instance knows its snapshot is stale.</summary>
public sealed class SearchIndexState
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;
    public long Version { get; set; }
}
