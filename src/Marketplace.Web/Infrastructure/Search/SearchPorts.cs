namespace Marketplace.Web.Infrastructure.Search;

/// <summary>
/// The search port features depend on. Today one engine per database (SQLite FTS5, PostgreSQL full-text); an
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

/// <summary>Keeps the search engine in step with published listings.</summary>
public interface ISearchIndexer
{
    /// <summary>Rebuilds the whole index from the database; returns the number of published providers indexed.</summary>
    Task<int> RebuildAsync(CancellationToken cancellationToken);

    /// <summary>A listing was published, changed or withdrawn: make search reflect it now.</summary>
    Task ProviderChangedAsync(int providerId, CancellationToken cancellationToken);

    /// <summary>The thesaurus (<see cref="Domain.Taxonomy.SynonymGroup"/>) changed: queries read the new one from now on, on every instance.</summary>
    Task SynonymsChangedAsync(CancellationToken cancellationToken);
}

/// <summary>The database-specific free-text part of the engine.</summary>
public interface IFullTextIndex
{
    /// <summary>
    /// The ids of every document matching all terms (each as a prefix, with the engine's accent and stemming rules),
    /// in no particular order. Ranking is not the index's job: the snapshot ranks by where the terms appear, the same
    /// way for every engine (docs/architecture.md, Search).
    /// </summary>
    Task<int[]> MatchAsync(IReadOnlyList<string> terms, CancellationToken cancellationToken);

    /// <summary>Replaces every document. Runs inside the caller's transaction.</summary>
    Task ReplaceAllAsync(IReadOnlyList<TextDocument> documents, CancellationToken cancellationToken);

    Task UpsertAsync(TextDocument document, CancellationToken cancellationToken);

    Task RemoveAsync(int providerId, CancellationToken cancellationToken);
}

/// <summary>The text of one provider, by weight: its name above its categories above its descriptions.</summary>
public sealed record TextDocument(int ProviderId, string Name, string Categories, string Body);

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
