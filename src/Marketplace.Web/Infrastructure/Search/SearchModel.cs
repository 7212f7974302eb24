using Marketplace.Web.Domain.Providers;

namespace Marketplace.Web.Infrastructure.Search;

/// <summary>The facets of the directory. Several values in one facet combine with OR; facets combine with AND.</summary>
public enum Facet
{
    Category,
    Region,
    Language,
    Pricing,
    LegalForm,
    Delivery,
    Funding,
}

public static class Facets
{
    /// <summary>Pseudo legal-form value: any provider of the social economy (OBNL, coop, social-economy enterprise).</summary>
    public const string SocialEconomyKey = "economie-sociale";

    /// <summary>
    /// Pseudo value of the region and language facets: a provider that states no service area (or no language) for
    /// some offering. Unknown is not "no" (ADR 0015): a selection of regions (or languages) also keeps these providers,
    /// unless the query is strict on that facet (<see cref="SearchQuery.Strict"/>); selected alone, it shows only them.
    /// </summary>
    public const string UnknownKey = "non-precisee";

    /// <summary>
    /// The pricing facet's unknown value: the ordinary key of <see cref="PricingModel.NonPrecise"/> (« Non précisé »),
    /// held by a provider with an offering whose pricing is not stated. Same rule as <see cref="UnknownKey"/>.
    /// </summary>
    public const string PricingUnknownKey = "non-precise";

    /// <summary>
    /// The value of <paramref name="facet"/> meaning « not stated », or null for a facet whose values are always known.
    /// Unknown is not "no" (ADR 0015): a selection of other values of the facet also keeps the providers holding it,
    /// unless the query is strict on the facet.
    /// </summary>
    public static string? UnknownKeyOf(Facet facet) => facet switch
    {
        Facet.Region or Facet.Language => UnknownKey,
        Facet.Pricing => PricingUnknownKey,
        _ => null,
    };

    /// <summary>The facets whose value may be unknown (<see cref="UnknownKeyOf"/>).</summary>
    public static bool HasUnknown(Facet facet) => UnknownKeyOf(facet) is not null;

    public static IReadOnlyList<Facet> All { get; } = Enum.GetValues<Facet>();

    /// <summary>The query-string and JSON name of a facet (same in the HTML pages and the API).</summary>
    public static string ParameterName(Facet facet) => facet switch
    {
        Facet.Category => "category",
        Facet.Region => "region",
        Facet.Language => "language",
        Facet.Pricing => "pricing",
        Facet.LegalForm => "legalForm",
        Facet.Delivery => "delivery",
        Facet.Funding => "funding",
        _ => throw new ArgumentOutOfRangeException(nameof(facet)),
    };

    public static IEnumerable<string> LegalFormKeys() =>
        EnumKeys<LegalForm>.All.Select(EnumKeys<LegalForm>.Key).Append(SocialEconomyKey);
}

public enum SearchSort
{
    Relevance,
    Name,
    Verified,
}

public sealed record SearchQuery
{
    public const int MaxTextLength = 200;
    public const int MaxPageSize = 100;
    public const int DefaultPageSize = 20;

    public string? Text { get; init; }

    /// <summary>The language of the page asking ("fr" or "en"): highlights come from that language's text first.</summary>
    public string Language { get; init; } = "fr";
    public IReadOnlyDictionary<Facet, IReadOnlySet<string>> Filters { get; init; } = new Dictionary<Facet, IReadOnlySet<string>>();

    /// <summary>
    /// Facets (among <see cref="Facets.HasUnknown"/>) whose selection keeps only providers stating a selected value: without
    /// it, a selection also keeps the providers whose value is unknown (parameter <c>strict=region</c>, ADR 0015).
    /// </summary>
    public IReadOnlySet<Facet> Strict { get; init; } = new HashSet<Facet>();
    public SearchSort? Sort { get; init; }
    public int Page { get; init; } = 1;
    public int PageSize { get; init; } = DefaultPageSize;

    public IReadOnlySet<string> Selected(Facet facet) =>
        Filters.TryGetValue(facet, out var values) ? values : EmptySet;

    /// <summary>
    /// True when the providers whose value of <paramref name="facet"/> is unknown pass its selection: selected
    /// explicitly, or implied by a selection of known values on a facet that is not strict.
    /// </summary>
    public bool IncludesUnknown(Facet facet)
    {
        if (Facets.UnknownKeyOf(facet) is not { } unknown) return false;
        var selected = Selected(facet);
        return selected.Contains(unknown) || (!Strict.Contains(facet) && HasKnownSelection(facet));
    }

    /// <summary>True when <c>strict</c> means something for the facet: known values of it are selected.</summary>
    public bool IsStrict(Facet facet) => Strict.Contains(facet) && HasKnownSelection(facet);

    /// <summary>True when a value of the facet other than its unknown value is selected.</summary>
    public bool HasKnownSelection(Facet facet)
    {
        var unknown = Facets.UnknownKeyOf(facet);
        return Selected(facet).Any(v => v != unknown);
    }

    /// <summary>Relevance when there is text to rank by; otherwise name.</summary>
    public SearchSort EffectiveSort(bool hasText) => Sort switch
    {
        null or SearchSort.Relevance => hasText ? SearchSort.Relevance : SearchSort.Name,
        var s => s.Value,
    };

    private static readonly IReadOnlySet<string> EmptySet = new HashSet<string>();
}

/// <param name="Passages">
/// When a text was searched: gives, for a page provider's text, a short excerpt of the passage that matched, HTML-encoded,
/// the matched words in <c>&lt;mark&gt;</c>. Safe to write as HTML as it is.
/// </param>
/// <param name="Suggestion">A spelling the index knows for what was typed (« Vouliez-vous dire : formation? »), or null.</param>
/// <param name="Approximate">Nothing matched the text as typed: the results are those of its closest spellings.</param>
public sealed record SearchResult(
    int Total,
    IReadOnlyList<int> ProviderIds,
    IReadOnlyDictionary<Facet, IReadOnlyDictionary<string, int>> FacetCounts,
    SearchSort Sort)
{
    public CardPassages? Passages { get; init; }
    public string? Suggestion { get; init; }
    public bool Approximate { get; init; }
}
