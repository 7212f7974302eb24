using System.Runtime.CompilerServices;
using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Infrastructure;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Search;
using Marketplace.Web.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Marketplace.Web.Features.Directory;

/// <summary>The directory search: results page, facets with their counts and labels, in the current language.</summary>
public sealed class SearchProviders(IProviderSearch search, MarketplaceDbContext db, Vocabulary vocabulary, RequestSearchVersion version,
    DirectoryOverviewCache overviews, SearchPageCache pages)
{
    public sealed record Result(
        SearchQuery Query,
        SearchSort Sort,
        int Total,
        IReadOnlyList<ProviderCard> Items,
        IReadOnlyList<FacetGroup> Facets)
    {
        /// <summary>A spelling the index knows for what was typed (« Vouliez-vous dire »), or null.</summary>
        public string? Suggestion { get; init; }

        /// <summary>Nothing matched the text as typed: these are the results of its closest spellings.</summary>
        public bool Approximate { get; init; }

        public int PageCount => Math.Max(1, (Total + Query.PageSize - 1) / Query.PageSize);
    }

    public sealed record ProviderCard(
        string Slug,
        string Name,
        string Summary,
        string LegalForm,
        bool SocialEconomy,
        DataOrigin Origin,
        DateTimeOffset? VerifiedAt,
        IReadOnlyList<Label> Categories,
        IReadOnlyList<Label> Regions,
        bool ServesAllQuebec,
        bool RegionNotStated,
        IReadOnlyList<Label> Pricing,
        bool PricingNotStated)
    {
        /// <summary>Where the text matched, HTML-encoded with the matched words in &lt;mark&gt; (safe to write as is), or null.</summary>
        public string? Highlight { get; init; }

        /// <summary>
        /// The highlight as plain text pieces, each marked or not, for a view to write encoded (no raw HTML): the index
        /// encodes the passage and adds only &lt;mark&gt;, so splitting on it and decoding the rest is exact.
        /// </summary>
        public IReadOnlyList<(string Text, bool Marked)> HighlightParts => Highlight is null ? [] : SplitHighlight(Highlight);
    }

    private static (string Text, bool Marked)[] SplitHighlight(string highlight)
    {
        const string open = "<mark>", close = "</mark>";
        var parts = new List<(string, bool)>();
        for (var at = 0; at < highlight.Length;)
        {
            var start = highlight.IndexOf(open, at, StringComparison.Ordinal);
            var end = start < 0 ? -1 : highlight.IndexOf(close, start + open.Length, StringComparison.Ordinal);
            if (end < 0)
            {
                Add(at, highlight.Length, false);
                break;
            }
            Add(at, start, false);
            Add(start + open.Length, end, true);
            at = end + close.Length;
        }
        return parts.ToArray();

        void Add(int from, int to, bool marked)
        {
            if (to > from) parts.Add((System.Net.WebUtility.HtmlDecode(highlight[from..to]), marked));
        }
    }

    public sealed record Label(string Key, string Text);

    public sealed record FacetGroup(Facet Facet, string Parameter, IReadOnlyList<FacetValue> Values);

    /// <param name="Selected">The value passes the selection: for the unknown value, also when implied by a selection of known values (ADR 0015).</param>
    public sealed record FacetValue(string Key, string Label, int Count, bool Selected);

    /// <summary>
    /// The whole directory without cards (the home page: how many providers, and every facet value with its count). It
    /// only changes with the search version, so it is computed once per version and language (<see cref="DirectoryOverviewCache"/>).
    /// </summary>
    public async Task<Result> OverviewAsync(CancellationToken cancellationToken)
    {
        var english = Cultures.IsEnglish;
        // The version before the search: a result is never kept under a version newer than what it shows.
        var current = await version.CurrentAsync(cancellationToken);
        if (overviews.Get(current, english) is { } cached) return cached;
        var result = await HandleAsync(new SearchQuery { PageSize = 1 }, withCards: false, cancellationToken);
        overviews.Set(current, english, result);
        return result;
    }

    /// <summary>
    /// A results page. What it shows (cards, counts, labels) only changes with the search version: recent pages are kept
    /// under it (<see cref="SearchPageCache"/>), by language and by the search's own state (its URL's parameters).
    /// </summary>
    public async Task<Result> HandleAsync(SearchQuery query, CancellationToken cancellationToken)
    {
        var key = $"{(Cultures.IsEnglish ? "en" : "fr")}|{query.Language}|{SearchLinks.State(query, query.Page)}";
        // The version before the search: a result is never kept under a version newer than what it shows.
        var current = await version.CurrentAsync(cancellationToken);
        if (pages.Get(current, key) is { } cached) return cached;
        var result = await HandleAsync(query, withCards: true, cancellationToken);
        pages.Set(current, key, result);
        return result;
    }

    private async Task<Result> HandleAsync(SearchQuery query, bool withCards, CancellationToken cancellationToken)
    {
        // A card's passage comes from the page language's text first.
        query = query with { Language = Cultures.IsEnglish ? "en" : "fr" };
        var found = await search.SearchAsync(query, cancellationToken);
        var terms = await vocabulary.SearchTermsAsync(cancellationToken);
        var labels = await vocabulary.LabelsAsync(cancellationToken);
        var english = Cultures.IsEnglish;
        var groups = Infrastructure.Search.Facets.All.Select(facet =>
        {
            var counts = found.FacetCounts[facet];
            var selected = query.Selected(facet);
            return new FacetGroup(facet, Infrastructure.Search.Facets.ParameterName(facet), terms[facet]
                .Select(t => new FacetValue(t.Key, t.Label, counts.GetValueOrDefault(t.Key),
                    t.Key == Infrastructure.Search.Facets.UnknownKeyOf(facet) ? query.IncludesUnknown(facet) : selected.Contains(t.Key)))
                .ToArray());
        }).ToArray();
        if (!withCards) return new Result(query, found.Sort, found.Total, [], groups);

        var ids = found.ProviderIds.ToArray();
        var byId = new Dictionary<int, CardRow>(ids.Length);
        var cards = CardQueriesOf(db.Model);
        await foreach (var row in cards.Rows(db, ids, english).WithCancellation(cancellationToken)) byId[row.Id] = row;
        await foreach (var offering in cards.Offerings(db, ids, english).WithCancellation(cancellationToken))
            if (byId.TryGetValue(offering.ProviderId, out var row)) row.Offerings.Add(offering);

        string LabelOf(Facet facet, string key) => labels[facet].GetValueOrDefault(key) ?? key;
        // Every card shows labels of the same few taxonomies: each label is made once per page, not once per card.
        var categoryLabels = terms[Facet.Category].Select(t => new Label(t.Key, t.Label)).ToArray();
        // A region's label starts with its code (« 06 Montréal »): the card shows the name only.
        var regionLabels = terms[Facet.Region]
            .Select(t => new Label(t.Key, t.Label.StartsWith(t.Key + " ", StringComparison.Ordinal) ? t.Label[(t.Key.Length + 1)..] : t.Label))
            .ToArray();
        var pricingLabels = terms[Facet.Pricing].Where(t => t.Key != Infrastructure.Search.Facets.PricingUnknownKey)
            .Select(t => new Label(t.Key, t.Label)).ToArray();

        var items = new List<ProviderCard>(ids.Length);
        var categoryKeys = new List<string>();
        var regionKeys = new List<string>();
        var pricingKeys = new List<string>();
        foreach (var id in ids)
        {
            if (!byId.TryGetValue(id, out var p)) continue;
            categoryKeys.Clear();
            regionKeys.Clear();
            pricingKeys.Clear();
            bool allQuebec = false, anyWithoutRegion = false;
            foreach (var o in p.Offerings)
            {
                categoryKeys.Add(o.CategoryKey);
                regionKeys.AddRange(o.RegionCodes);
                pricingKeys.Add(EnumKeys<PricingModel>.Key(o.Pricing));
                allQuebec |= o.ServesAllQuebec;
                anyWithoutRegion |= o.RegionCodes.Count == 0;
            }
            // Same reading as the pricing facet (ADR 0015): an offering whose pricing is not stated makes it unknown.
            var pricingNotStated = pricingKeys.Contains(Infrastructure.Search.Facets.PricingUnknownKey);
            items.Add(new ProviderCard(
                p.Slug, p.Name,
                Summarize(english ? p.DescriptionEn ?? p.DescriptionFr : p.DescriptionFr),
                LabelOf(Facet.LegalForm, EnumKeys<LegalForm>.Key(p.LegalForm)),
                p.SocialEconomy, p.Origin, p.VerifiedAt,
                OfTaxonomy(categoryLabels, categoryKeys),
                allQuebec ? [] : OfTaxonomy(regionLabels, regionKeys),
                allQuebec, !allQuebec && anyWithoutRegion,
                OfTaxonomy(pricingLabels, pricingKeys),
                pricingNotStated)
            {
                Highlight = found.Passages?.Of(new ListingText(p.Name, p.DescriptionFr, p.DescriptionEn,
                    p.Offerings.Select(o => new OfferingText(o.CategoryKey, o.DescriptionFr, o.DescriptionEn)).ToArray())),
            });
        }

        return new Result(query, found.Sort, found.Total, items.ToArray(), groups) { Suggestion = found.Suggestion, Approximate = found.Approximate };
    }

    /// <summary>What a card shows of a listing, and the text of its passage. A French page reads no English text.</summary>
    private sealed record CardRow(
        int Id, string Slug, string Name, string DescriptionFr, string? DescriptionEn, LegalForm LegalForm, bool SocialEconomy,
        DataOrigin Origin, DateTimeOffset? VerifiedAt)
    {
        public List<CardOffering> Offerings { get; } = [];
    }

    private sealed record CardOffering(
        int ProviderId, string CategoryKey, bool ServesAllQuebec, List<string> RegionCodes, PricingModel Pricing, string DescriptionFr, string? DescriptionEn);

    /// <summary>
    /// The page's listings, then their offerings (in the order the index reads them), each a flat query compiled once per
    /// model (a compiled query serves one; the tests run SQLite and PostgreSQL in one process): built per request, the
    /// query's expression tree was made and looked up in EF's cache again for every page; with the page's ids as one
    /// parameter (AddMarketplaceData) its SQL is written once, not again for every page; and a listing's
    /// offerings read as a nested collection made EF compile a delegate for every row (docs/search.md, what a search costs).
    /// </summary>
    private static readonly ConditionalWeakTable<IModel, CardQueries> Queries = new();

    private sealed record CardQueries(
        Func<MarketplaceDbContext, int[], bool, IAsyncEnumerable<CardRow>> Rows,
        Func<MarketplaceDbContext, int[], bool, IAsyncEnumerable<CardOffering>> Offerings);

    private static CardQueries CardQueriesOf(IModel model) => Queries.GetValue(model, _ => CompileCardQueries());

    private static CardQueries CompileCardQueries() => new(
        EF.CompileAsyncQuery((MarketplaceDbContext db, int[] ids, bool english) => db.Providers.AsNoTracking()
            .Where(p => ids.Contains(p.Id) && p.Status == ListingStatus.Published)
            .Select(p => new CardRow(
                p.Id, p.Slug, p.Name, p.DescriptionFr, english ? p.DescriptionEn : null, p.LegalForm, p.SocialEconomy, p.Origin, p.VerifiedAt))),
        EF.CompileAsyncQuery((MarketplaceDbContext db, int[] ids, bool english) => db.ServiceOfferings.AsNoTracking()
            .Where(o => ids.Contains(o.ProviderId))
            .OrderBy(o => o.Id)
            .Select(o => new CardOffering(
                o.ProviderId, o.CategoryKey, o.ServesAllQuebec, o.RegionCodes, o.Pricing, o.DescriptionFr, english ? o.DescriptionEn : null))));

    /// <summary>
    /// The labels of a card's values, in the taxonomy's order, each once. A card has a few values: asking each term of the
    /// taxonomy beats building sets for every card of every page (they were among the largest allocation stacks of a search).
    /// </summary>
    private static Label[] OfTaxonomy(Label[] taxonomy, List<string> keys)
    {
        var count = 0;
        foreach (var label in taxonomy) if (keys.Contains(label.Key)) count++;
        if (count == 0) return [];
        var labels = new Label[count];
        count = 0;
        foreach (var label in taxonomy) if (keys.Contains(label.Key)) labels[count++] = label;
        return labels;
    }

    private static string Summarize(string text, int max = 240)
    {
        if (text.Length <= max) return text;
        var cut = text.LastIndexOf(' ', max);
        return string.Concat(text.AsSpan(0, cut > max / 2 ? cut : max).TrimEnd(",;. "), "…");
    }
}

/// <summary>
/// <see cref="SearchProviders.OverviewAsync"/> of the latest search version seen, per language, for the whole process.
/// </summary>
public sealed class DirectoryOverviewCache
{
    private volatile Entry? _french;
    private volatile Entry? _english;

    private sealed record Entry(long Version, SearchProviders.Result Result);

    public SearchProviders.Result? Get(long version, bool english) =>
        (english ? _english : _french) is { } entry && entry.Version == version ? entry.Result : null;

    public void Set(long version, bool english, SearchProviders.Result result)
    {
        var entry = new Entry(version, result);
        // A slower reader of an older version must not replace a newer entry.
        if (english)
        {
            if (_english is not { } current || current.Version <= version) _english = entry;
        }
        else if (_french is not { } current || current.Version <= version) _french = entry;
    }
}

/// <summary>
/// Recent results pages of the latest search version seen, for the whole process: at most
/// <see cref="MarketplaceOptions.SearchPageCacheEntries"/> (0: none); when full it starts over.
/// </summary>
public sealed class SearchPageCache(Microsoft.Extensions.Options.IOptions<MarketplaceOptions> options)
{
    private readonly Lock _lock = new();
    private long _version = long.MinValue;
    private Dictionary<string, SearchProviders.Result> _results = new(StringComparer.Ordinal);

    private int Capacity => options.Value.SearchPageCacheEntries;

    public SearchProviders.Result? Get(long version, string key)
    {
        lock (_lock) return version == _version && _results.TryGetValue(key, out var result) ? result : null;
    }

    public void Set(long version, string key, SearchProviders.Result result)
    {
        if (Capacity <= 0) return;
        lock (_lock)
        {
            if (version > _version)
            {
                _results = new Dictionary<string, SearchProviders.Result>(StringComparer.Ordinal);
                _version = version;
            }
            if (version != _version) return;
            if (_results.Count >= Capacity) _results.Clear();
            _results[key] = result;
        }
    }
}

/// <summary>
/// The search version (<see cref="ISearchVersion"/>) read once per request (per scope): the vocabulary and the home
/// page's overview are kept under it, and both are asked for on the same page.
/// </summary>
public sealed class RequestSearchVersion(ISearchVersion version)
{
    private long? _current;

    public async ValueTask<long> CurrentAsync(CancellationToken cancellationToken) =>
        _current ??= await version.CurrentAsync(cancellationToken);
}
