namespace Marketplace.Web.Infrastructure.Search;

/// <summary>
/// The search port features depend on. Today one engine per database (SQLite FTS5, PostgreSQL full-text); an
/// Elasticsearch/OpenSearch engine would implement this and <see cref="ISearchIndexer"/> without touching features.
/// </summary>
public interface IProviderSearch
{
    Task<SearchResult> SearchAsync(SearchQuery query, CancellationToken cancellationToken);
}

/// <summary>Keeps the search engine in step with published listings.</summary>
public interface ISearchIndexer
{
    /// <summary>Rebuilds the whole index from the database; returns the number of published providers indexed.</summary>
    Task<int> RebuildAsync(CancellationToken cancellationToken);

    /// <summary>A listing was published, changed or withdrawn: make search reflect it now.</summary>
    Task ProviderChangedAsync(int providerId, CancellationToken cancellationToken);
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

/// <summary>A counter bumped at every index change so that every instance knows its snapshot is stale.</summary>
public sealed class SearchIndexState
{
    public const int SingletonId = 1;

    public int Id { get; set; } = SingletonId;
    public long Version { get; set; }
}
