using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Runtime;
using Lucene.Net.Analysis;
using Lucene.Net.Documents;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Store;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using LuceneDirectory = Lucene.Net.Store.Directory;

namespace Marketplace.Web.Infrastructure.Search;

/// <summary>
/// This instance's search: a Lucene.Net index on disk (free text, BM25) and an in-memory <see cref="SearchSnapshot"/>
/// (facets, filters, sorts), both following the database's change log (<see cref="SearchChange"/>). One applier at a
/// time writes; searches read the last published state and never wait for it (docs/search.md).
/// <para>
/// At start the index on disk is opened and catches up from the version recorded in its last commit; it is rebuilt
/// when there is none, when it was written with another <see cref="LuceneFields.Schema"/>, when a change of kind
/// <see cref="SearchChangeKind.All"/> comes, or when the log does not reach back to its version.
/// </para>
/// </summary>
public sealed class LuceneSearchIndex : IDisposable
{
    private const string VersionKey = "marketplace.version";
    private const string SchemaKey = "marketplace.schema";

    private readonly IServiceScopeFactory _scopes;
    private readonly IOptions<MarketplaceOptions> _options;
    private readonly ILogger<LuceneSearchIndex> _logger;
    private readonly Analyzer _analyzer;
    private readonly string _schema;
    private readonly LuceneQueryBuilder _queries;
    private readonly SemaphoreSlim _applying = new(1, 1);
    private readonly TermsEnumPool _terms = new(); // shared by every searcher: kept by segment
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private LuceneDirectory? _directory;
    private IndexWriter? _writer;
    private SearcherManager? _searchers;
    private volatile State? _state;
    private int _started;

    /// <summary>
    /// What searches read, replaced whole by the applier. The providers are an immutable map: a change makes a new map that
    /// shares all but a few nodes with the previous one, instead of copying every entry (docs/search.md, memory).
    /// </summary>
    private sealed record State(
        long Version,
        SearchSnapshot Snapshot,
        ImmutableDictionary<int, IndexedProvider> Providers,
        IReadOnlyDictionary<string, CategoryText> Categories,
        Thesaurus Thesaurus)
    {
        private IReadOnlyList<(string[] Words, string Slug, string Name)>? _names;

        /// <summary>
        /// Provider names as plain words, for suggestions while typing; built on first use. A state made with <c>with</c>
        /// keeps them: only when no name, slug or provider changed.
        /// </summary>
        public IReadOnlyList<(string[] Words, string Slug, string Name)> Names(Analyzer analyzer) =>
            _names ??= Providers.Values
                .Select(p => (LuceneFields.Tokens(analyzer, LuceneFields.NamePlain, p.Facets.Name).Select(t => t.Term).ToArray(), p.Slug, p.Facets.Name))
                .OrderBy(n => n.Name, StringComparer.Create(CultureInfo.GetCultureInfo("fr-CA"), ignoreCase: true))
                .ToArray();
    }

    public LuceneSearchIndex(IServiceScopeFactory scopes, IOptions<MarketplaceOptions> options, ILogger<LuceneSearchIndex> logger)
    {
        _scopes = scopes;
        _options = options;
        _logger = logger;
        _analyzer = LuceneFields.CreateAnalyzer(options.Value.SearchFrenchStemmer);
        _schema = LuceneFields.Schema + "-" + options.Value.SearchFrenchStemmer;
        _queries = new LuceneQueryBuilder(_analyzer);
    }

    /// <summary>True once this process serves search (the web host): command-line processes only record changes.</summary>
    public bool IsStarted => Volatile.Read(ref _started) == 1;

    public long AppliedVersion => _state?.Version ?? -1;

    /// <summary>What the last pass that changed something did: for the admin and the tests (docs/search.md).</summary>
    public sealed record ApplyReport(long Version, bool Rebuilt, bool OpenedFromDisk, int Listings, bool Synonyms, long Milliseconds);

    public ApplyReport? LastApply { get; private set; }

    private string IndexPath => string.IsNullOrWhiteSpace(_options.Value.SearchIndexDirectory)
        ? Path.Combine(_options.Value.DataDirectory, "search-index")
        : _options.Value.SearchIndexDirectory;

    /// <summary>
    /// Opens the index and catches up, in the background; searches wait for this first state only. Retried every second
    /// while the database cannot answer (not migrated yet, unreachable).
    /// </summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) == 1) return;
        _ = Task.Run(async () =>
        {
            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    await ApplyAsync(CancellationToken.None);
                    _ready.TrySetResult();
                    return;
                }
                catch (Exception e)
                {
                    if (attempt == 1 || attempt % 60 == 0) _logger.LogWarning(e, "The search index could not be opened yet (attempt {Attempt}); retrying", attempt);
                    await Task.Delay(TimeSpan.FromSeconds(1));
                }
            }
        });
    }

    public Task Ready => _ready.Task;

    /// <summary>Applies every committed change, once at a time; a caller arriving while a pass runs waits for the next.</summary>
    public async Task ApplyAsync(CancellationToken cancellationToken)
    {
        await _applying.WaitAsync(cancellationToken);
        try
        {
            await using var scope = _scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<MarketplaceDbContext>();
            var documents = scope.ServiceProvider.GetRequiredService<SearchDocuments>();
            if (_state is null) await OpenAsync(db, documents, cancellationToken);
            else await ApplyChangesAsync(db, documents, cancellationToken);
        }
        finally
        {
            _applying.Release();
        }
    }

    private async Task OpenAsync(MarketplaceDbContext db, SearchDocuments documents, CancellationToken cancellationToken)
    {
        System.IO.Directory.CreateDirectory(IndexPath);
        _directory ??= FSDirectory.Open(new DirectoryInfo(IndexPath));
        long? committed = null;
        if (DirectoryReader.IndexExists(_directory))
        {
            using var reader = DirectoryReader.Open(_directory);
            var data = reader.IndexCommit.UserData;
            if (data.TryGetValue(SchemaKey, out var schema) && schema == _schema
                && data.TryGetValue(VersionKey, out var text) && long.TryParse(text, CultureInfo.InvariantCulture, out var version))
                committed = version;
        }
        _writer ??= new IndexWriter(_directory, new IndexWriterConfig(LuceneFields.Version, _analyzer)
        {
            OpenMode = OpenMode.CREATE_OR_APPEND,
            Similarity = new BM25Similarity(),
        });
        _searchers ??= new SearcherManager(_writer, true, new Bm25SearcherFactory(_terms));

        var latest = await LatestVersionAsync(db, cancellationToken);
        if (committed is { } from && from <= latest && await ChangesReachBackAsync(db, from, latest, cancellationToken))
        {
            // Catch up: the facets come from the database (they live in memory), the text index only takes what changed.
            var stopwatch = Stopwatch.StartNew();
            var providers = await ReadDirectoryAsync(documents, null, null, cancellationToken);
            var categories = await documents.CategoriesAsync(cancellationToken);
            var thesaurus = await LoadThesaurusAsync(db, cancellationToken);
            _state = new State(from, SnapshotOf(from, providers), providers, categories, thesaurus);
            var released = ReleaseBuildMemory();
            _logger.LogInformation("Search index opened at version {Version} ({Count} providers) in {Ms} ms (memory released in {GcMs} ms); catching up to {Latest}",
                from, providers.Count, stopwatch.ElapsedMilliseconds, released, latest);
            LastApply = new ApplyReport(from, false, true, 0, false, stopwatch.ElapsedMilliseconds);
            await ApplyChangesAsync(db, documents, cancellationToken);
        }
        else
        {
            await RebuildAsync(db, documents, latest, cancellationToken);
        }
    }

    private async Task ApplyChangesAsync(MarketplaceDbContext db, SearchDocuments documents, CancellationToken cancellationToken)
    {
        var state = _state!;
        var latest = await LatestVersionAsync(db, cancellationToken);
        if (latest <= state.Version) return;
        var changes = await db.SearchChanges.AsNoTracking()
            .Where(c => c.Version > state.Version && c.Version <= latest)
            .OrderBy(c => c.Version)
            .ToListAsync(cancellationToken);
        if (changes.Count != latest - state.Version || changes.Any(c => c.Kind == SearchChangeKind.All))
        {
            // A full rebuild was asked for, or the log does not hold every step (a counter bumped without a change row).
            await RebuildAsync(db, documents, latest, cancellationToken);
            return;
        }

        var stopwatch = Stopwatch.StartNew();
        var thesaurus = changes.Any(c => c.Kind == SearchChangeKind.Synonyms)
            ? await LoadThesaurusAsync(db, cancellationToken)
            : state.Thesaurus;
        var changed = changes.Where(c => c.Kind == SearchChangeKind.Provider && c.ProviderId is not null)
            .Select(c => c.ProviderId!.Value).Distinct().ToArray();
        var providers = state.Providers;
        var snapshot = state.Snapshot;
        var namesKept = true;
        long readMs = 0, indexMs = 0, snapshotMs = 0;
        if (changed.Length > 0)
        {
            var fresh = (await documents.LoadAsync(changed, cancellationToken)).ToDictionary(p => p.Facets.ProviderId);
            readMs = stopwatch.ElapsedMilliseconds;
            // Edits of listings already published (the common case) change the snapshot in place of a rebuild: a change
            // then costs what it touches, not a copy of the whole directory (docs/search.md, « Live updates »).
            var next = state.Providers.ToBuilder();
            var edits = new List<(SearchDocument Before, SearchDocument After)>(changed.Length);
            foreach (var id in changed)
            {
                state.Providers.TryGetValue(id, out var before);
                if (fresh.TryGetValue(id, out var provider))
                {
                    _writer!.UpdateDocument(new Term(LuceneFields.Id, Key(id)), ToDocument(provider.Text!));
                    var after = next[id] = provider.Indexed();
                    if (before is null) namesKept = false;
                    else
                    {
                        edits.Add((before.Facets, after.Facets));
                        if (before.Slug != after.Slug || before.Facets.Name != after.Facets.Name) namesKept = false;
                    }
                }
                else
                {
                    _writer!.DeleteDocuments(new Term(LuceneFields.Id, Key(id)));
                    if (next.Remove(id)) namesKept = false;
                }
            }
            providers = next.ToImmutable();
            var started = stopwatch.ElapsedMilliseconds;
            snapshot = (edits.Count == changed.Length ? snapshot.WithEdits(latest, edits) : null)
                ?? SnapshotOf(latest, providers);
            snapshotMs = stopwatch.ElapsedMilliseconds - started;
        }
        else
        {
            snapshot = snapshot.WithVersion(latest);
        }
        var committing = stopwatch.ElapsedMilliseconds;
        Commit(latest);
        indexMs = stopwatch.ElapsedMilliseconds - committing;
        _state = namesKept
            ? state with { Version = latest, Snapshot = snapshot, Providers = providers, Thesaurus = thesaurus }
            : new State(latest, snapshot, providers, state.Categories, thesaurus);
        LastApply = new ApplyReport(latest, false, LastApply is { OpenedFromDisk: true, Version: var opened } && opened == state.Version,
            changed.Length, !ReferenceEquals(thesaurus, state.Thesaurus), stopwatch.ElapsedMilliseconds);
        _logger.LogInformation("Search caught up to version {Version}: {Providers} listings, synonyms {Synonyms}, in {Ms} ms (read {ReadMs}, snapshot {SnapshotMs}, commit {CommitMs})",
            latest, changed.Length, !ReferenceEquals(thesaurus, state.Thesaurus), stopwatch.ElapsedMilliseconds, readMs, snapshotMs, indexMs);
    }

    private async Task RebuildAsync(MarketplaceDbContext db, SearchDocuments documents, long version, CancellationToken cancellationToken)
    {
        var stopwatch = Stopwatch.StartNew();
        var categories = await documents.CategoriesAsync(cancellationToken);
        var thesaurus = await LoadThesaurusAsync(db, cancellationToken);
        _writer!.DeleteAll();
        var providers = await ReadDirectoryAsync(documents, categories, text => _writer!.AddDocument(ToDocument(text)), cancellationToken);
        // One segment from the start: left as flushed, the first merge would come later, under load, with the first
        // changes, reading every segment again (docs/search.md, memory).
        _writer.ForceMerge(1);
        Commit(version);
        _state = new State(version, SnapshotOf(version, providers), providers, categories, thesaurus);
        var released = ReleaseBuildMemory();
        LastApply = new ApplyReport(version, true, false, providers.Count, true, stopwatch.ElapsedMilliseconds);
        _logger.LogInformation("Search index rebuilt at version {Version}: {Count} providers in {Ms} ms (memory released in {GcMs} ms)",
            version, providers.Count, stopwatch.ElapsedMilliseconds, released);
    }

    /// <summary>
    /// Every published listing, as the map searches read. A rebuild gives <paramref name="categories"/> and
    /// <paramref name="index"/>, which receives each listing's text as it is read; a start that opens the index gives
    /// neither, and the text is not put together at all.
    /// </summary>
    private static async Task<ImmutableDictionary<int, IndexedProvider>> ReadDirectoryAsync(SearchDocuments documents,
        IReadOnlyDictionary<string, CategoryText>? categories, Action<TextDocument>? index, CancellationToken cancellationToken)
    {
        var builder = ImmutableDictionary.CreateBuilder<int, IndexedProvider>();
        await foreach (var batch in documents.BatchesAsync(null, categories, cancellationToken))
            foreach (var provider in batch)
            {
                index?.Invoke(provider.Text!);
                builder[provider.Facets.ProviderId] = provider.Indexed();
            }
        return builder.ToImmutable();
    }

    private static SearchSnapshot SnapshotOf(long version, ImmutableDictionary<int, IndexedProvider> providers) =>
        new(version, providers.Values.Select(p => p.Facets).ToArray());

    /// <summary>
    /// After a full build (a rebuild, or the whole directory read at start): the build leaves a few hundred MB of
    /// collected-but-committed memory (every description read, analyzed and written once) that the runtime's collector
    /// gives back only gradually, while the first searches add their own on top — that is where the site's peak was
    /// (docs/benchmarks.md, memory; ADR 0035). One aggressive, compacting collection gives it back at once; full builds
    /// are rare (first start, <c>reindex</c>), and so is the pause (100–230 ms at 50,000 providers, measured by hand).
    /// Returns its duration in ms.
    /// </summary>
    private static long ReleaseBuildMemory()
    {
        var stopwatch = Stopwatch.StartNew();
        GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        return stopwatch.ElapsedMilliseconds;
    }

    private void Commit(long version)
    {
        _writer!.SetCommitData(new Dictionary<string, string>
        {
            [VersionKey] = version.ToString(CultureInfo.InvariantCulture),
            [SchemaKey] = _schema,
        });
        _writer.Commit();
        _searchers!.MaybeRefreshBlocking();
    }

    /// <summary>The shared counter: the version of the last change committed (or, inside a writer's transaction, its own).</summary>
    internal static Task<long> LatestVersionAsync(MarketplaceDbContext db, CancellationToken cancellationToken) =>
        db.SearchIndexStates.AsNoTracking().Where(s => s.Id == SearchIndexState.SingletonId)
            .Select(s => s.Version).FirstAsync(cancellationToken);

    private static async Task<bool> ChangesReachBackAsync(MarketplaceDbContext db, long from, long latest, CancellationToken cancellationToken) =>
        from == latest || await db.SearchChanges.CountAsync(c => c.Version > from && c.Version <= latest, cancellationToken) == latest - from;

    private async Task<Thesaurus> LoadThesaurusAsync(MarketplaceDbContext db, CancellationToken cancellationToken)
    {
        var groups = await db.SynonymGroups.AsNoTracking().OrderBy(g => g.Id).Select(g => g.Terms).ToListAsync(cancellationToken);
        return new Thesaurus(groups.Select(t => (IReadOnlyList<string>)t.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    private static string Key(int providerId) => providerId.ToString(CultureInfo.InvariantCulture);

    internal static Document ToDocument(TextDocument text)
    {
        var document = new Document
        {
            new StringField(LuceneFields.Id, Key(text.ProviderId), Field.Store.NO),
            new NumericDocValuesField(LuceneFields.ProviderId, text.ProviderId),
            new TextField(LuceneFields.NameFr, text.Name, Field.Store.NO),
            new TextField(LuceneFields.NameEn, text.Name, Field.Store.NO),
            new TextField(LuceneFields.NamePlain, text.Name, Field.Store.NO),
            new TextField(LuceneFields.CategoriesFr, text.CategoriesFr, Field.Store.NO),
            new TextField(LuceneFields.CategoriesEn, text.CategoriesEn, Field.Store.NO),
            new TextField(LuceneFields.OfferingsFr, text.OfferingsFr, Field.Store.NO),
            new TextField(LuceneFields.OfferingsEn, text.OfferingsEn, Field.Store.NO),
            new TextField(LuceneFields.DescriptionFr, text.DescriptionFr, Field.Store.NO),
            new TextField(LuceneFields.DescriptionEn, text.DescriptionEn, Field.Store.NO),
            new TextField(LuceneFields.CategoryNotesFr, text.CategoryNotesFr, Field.Store.NO),
            new TextField(LuceneFields.CategoryNotesEn, text.CategoryNotesEn, Field.Store.NO),
        };
        foreach (var part in new[] { text.Name, text.CategoriesFr, text.CategoriesEn, text.OfferingsFr, text.OfferingsEn, text.DescriptionFr, text.DescriptionEn })
            if (part.Length > 0) document.Add(new TextField(LuceneFields.AllPlain, part, Field.Store.NO));
        return document;
    }

    /// <summary>The current state for a search: waits only for the very first one, at start.</summary>
    private async Task<State> StateAsync(CancellationToken cancellationToken)
    {
        if (_ready.Task.IsCompletedSuccessfully && _state is { } state) return state;
        Start();
        await _ready.Task.WaitAsync(cancellationToken);
        return _state!;
    }

    public async ValueTask<long> VersionAsync(CancellationToken cancellationToken) => (await StateAsync(cancellationToken)).Version;

    /// <summary>
    /// The matches of a free text: the first <see cref="Count"/> entries of the arrays. Kept by the caller under the
    /// state's version (<see cref="TextMatchCache"/>, which keeps its own copy); no query when the text holds no word
    /// worth searching.
    /// </summary>
    public sealed record TextMatch(int[] ProviderIds, float[] Scores, int Count, string? Suggestion, bool Approximate, Query? Query)
    {
        public static readonly TextMatch NothingToSearch = new([], [], 0, null, false, null);

        /// <summary>A copy in arrays of its own size (the matches of a search live in rented buffers).</summary>
        public TextMatch Owned() => this with { ProviderIds = ProviderIds[..Count], Scores = Scores[..Count] };

        public TextHits Hits => new(ProviderIds, Scores, Count);
    }

    public async Task<SearchResult> SearchAsync(SearchQuery query, TextMatchCache cache, CancellationToken cancellationToken)
    {
        var state = await StateAsync(cancellationToken);
        var words = _queries.Words(query.Text);
        if (words.Count == 0) return state.Snapshot.Search(query, null);

        // The query is only built when the matches are not kept already: a kept text costs a lookup.
        var key = string.Join(' ', words);
        if (cache.Get(state.Version, key) is { } kept) return Found(kept);
        var (fresh, buffers) = Match(query.Text!, state.Thesaurus);
        try
        {
            cache.Keep(state.Version, key, fresh);
            return Found(fresh);
        }
        finally
        {
            buffers?.Return();
        }

        SearchResult Found(TextMatch match)
        {
            if (match.Query is null) return state.Snapshot.Search(query, null);
            var result = state.Snapshot.Search(query, match.Hits);
            return result with
            {
                Passages = Passages(match.Query, query.Language, state.Categories),
                Suggestion = match.Suggestion,
                Approximate = match.Approximate,
            };
        }
    }

    /// <summary>
    /// The matches of a text, built and run on one searcher so that the words it reads are the ones it searches. They
    /// live in the returned buffers (rented, as large as the index) until the caller returns them.
    /// </summary>
    private (TextMatch Match, AllHits? Buffers) Match(string text, Thesaurus thesaurus)
    {
        var searcher = (ProviderSearcher)_searchers!.Acquire();
        try
        {
            var reader = searcher.IndexReader;
            bool Indexed(string word) => _terms.Holds(reader, new Term(LuceneFields.AllPlain, word));
            var plan = _queries.Build(text, thesaurus, Indexed);
            if (plan is null) return (TextMatch.NothingToSearch, null);
            var suggestion = SpellingSuggestions.Suggest(reader, plan.Tokens, plan.SpellChecked.ToHashSet(), Indexed);
            var hits = Collect(searcher, plan.Query);
            if (hits.Count == 0 && plan.Approximate is { } approximate)
            {
                var near = Collect(searcher, approximate);
                if (near.Count > 0)
                {
                    hits.Return();
                    return (new TextMatch(near.Ids, near.Scores, near.Count, suggestion, true, approximate), near);
                }
                near.Return();
            }
            return (new TextMatch(hits.Ids, hits.Scores, hits.Count, suggestion, false, plan.Query), hits);
        }
        finally
        {
            _searchers.Release(searcher);
        }
    }

    private static AllHits Collect(ProviderSearcher searcher, Query query)
    {
        var collector = new AllHits(searcher);
        try
        {
            if (ClauseAtATime.Reads(query)) collector.ScoredByClause(query);
            else searcher.Search(query, collector);
            return collector;
        }
        catch
        {
            collector.Return();
            throw;
        }
    }

    /// <summary>
    /// Every hit with its score: the snapshot filters, counts and orders them. Hits go into buffers as large as the index
    /// (rented: a directory-sized array per search would land on the large object heap), and a document's provider comes
    /// from the searcher's table, not from a doc-values read per hit.
    /// </summary>
    private sealed class AllHits(ProviderSearcher searcher) : ICollector
    {
        private Scorer? _scorer;
        private int _docBase;
        private readonly int[] _providers = searcher.ProviderIds;
        public int[] Ids { get; } = System.Buffers.ArrayPool<int>.Shared.Rent(Math.Max(1, searcher.IndexReader.MaxDoc));
        public float[] Scores { get; } = System.Buffers.ArrayPool<float>.Shared.Rent(Math.Max(1, searcher.IndexReader.MaxDoc));
        public int Count { get; private set; }
        public bool AcceptsDocsOutOfOrder => true;
        public void SetScorer(Scorer scorer) => _scorer = scorer;
        public void SetNextReader(AtomicReaderContext context) => _docBase = context.DocBase;

        public void Collect(int doc)
        {
            Ids[Count] = _providers[_docBase + doc];
            Scores[Count++] = _scorer!.GetScore();
        }

        /// <summary>Every hit of a query of the builder's shape, read one field at a time (<see cref="ClauseAtATime"/>).</summary>
        public void ScoredByClause(Query query)
        {
            Count = ClauseAtATime.Collect(searcher, query, Ids, Scores, searcher.Terms);
            for (var i = 0; i < Count; i++) Ids[i] = _providers[Ids[i]];
        }

        public void Return()
        {
            System.Buffers.ArrayPool<int>.Shared.Return(Ids);
            System.Buffers.ArrayPool<float>.Shared.Return(Scores);
        }
    }

    /// <summary>What the page's cards show of where the query matched (<see cref="CardPassages"/>).</summary>
    private CardPassages Passages(Query query, string language, IReadOnlyDictionary<string, CategoryText> categories)
    {
        var searcher = _searchers!.Acquire();
        try
        {
            var reader = searcher.IndexReader;
            return new CardPassages(searcher.Rewrite(query), _analyzer, language, categories, term => _terms.Holds(reader, term));
        }
        finally
        {
            _searchers.Release(searcher);
        }
    }

    /// <summary>Categories and provider names with a word starting with each word typed (the last one as a prefix).</summary>
    public async Task<SearchSuggestions> SuggestAsync(string text, string language, int max, CancellationToken cancellationToken)
    {
        var state = await StateAsync(cancellationToken);
        var typed = LuceneFields.Tokens(_analyzer, LuceneFields.NamePlain, text).Select(t => t.Term).ToArray();
        if (typed.Length == 0 || typed[^1].Length < 2) return SearchSuggestions.None;

        bool Fits(IReadOnlyList<string> words) => typed.Select((t, i) => (t, last: i == typed.Length - 1))
            .All(x => words.Any(w => x.last ? w.StartsWith(x.t, StringComparison.Ordinal) : w == x.t || w.StartsWith(x.t, StringComparison.Ordinal)));

        var categories = state.Categories
            .Select(c => (Key: c.Key, Label: language == "en" ? c.Value.LabelEn : c.Value.LabelFr))
            .Where(c => Fits(LuceneFields.Tokens(_analyzer, LuceneFields.NamePlain, c.Label).Select(t => t.Term).ToArray()))
            .Take(Math.Min(max, 5))
            .Select(c => new SuggestedCategory(c.Key, c.Label))
            .ToArray();
        var providers = state.Names(_analyzer)
            .Where(n => Fits(n.Words))
            .OrderBy(n => n.Words.Length > 0 && n.Words[0].StartsWith(typed[0], StringComparison.Ordinal) ? 0 : 1)
            .Take(max)
            .Select(n => new SuggestedProvider(n.Slug, n.Name))
            .ToArray();
        return new SearchSuggestions(categories, providers);
    }

    public void Dispose()
    {
        _searchers?.Dispose();
        _writer?.Dispose();
        _directory?.Dispose();
        _analyzer.Dispose();
        _applying.Dispose();
    }

    private sealed class Bm25SearcherFactory(TermsEnumPool terms) : SearcherFactory
    {
        public override IndexSearcher NewSearcher(IndexReader reader) => new ProviderSearcher(reader, terms) { Similarity = new BM25Similarity() };
    }

    /// <summary>
    /// A searcher that knows, once for its reader, the provider of each document: collecting a hit is then an array read.
    /// </summary>
    private sealed class ProviderSearcher : IndexSearcher
    {
        public ProviderSearcher(IndexReader reader, TermsEnumPool terms) : base(reader)
        {
            Terms = terms;
            ProviderIds = new int[reader.MaxDoc];
            foreach (var leaf in reader.Leaves)
            {
                var ids = leaf.AtomicReader.GetNumericDocValues(LuceneFields.ProviderId);
                if (ids is null) continue;
                for (var doc = 0; doc < leaf.AtomicReader.MaxDoc; doc++) ProviderIds[leaf.DocBase + doc] = (int)ids.Get(doc);
            }
        }

        /// <summary>The provider of each document (deleted ones included), by the reader's document number.</summary>
        public int[] ProviderIds { get; }

        /// <summary>Term dictionary readers lent to searches (<see cref="ClauseAtATime"/>).</summary>
        public TermsEnumPool Terms { get; }
    }
}
