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

    /// <summary>The facets whose value may be unknown (<see cref="UnknownKey"/>).</summary>
    public static bool HasUnknown(Facet facet) => facet is Facet.Region or Facet.Language;

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
        if (!Facets.HasUnknown(facet)) return false;
        var selected = Selected(facet);
        return selected.Contains(Facets.UnknownKey) || (!Strict.Contains(facet) && selected.Any(v => v != Facets.UnknownKey));
    }

    /// <summary>True when <c>strict</c> means something for the facet: known values of it are selected.</summary>
    public bool IsStrict(Facet facet) => Strict.Contains(facet) && Selected(facet).Any(v => v != Facets.UnknownKey);

    /// <summary>Relevance when there is text to rank by; otherwise name.</summary>
    public SearchSort EffectiveSort(bool hasText) => Sort switch
    {
        null or SearchSort.Relevance => hasText ? SearchSort.Relevance : SearchSort.Name,
        var s => s.Value,
    };

    private static readonly IReadOnlySet<string> EmptySet = new HashSet<string>();
}

public sealed record SearchResult(
    int Total,
    IReadOnlyList<int> ProviderIds,
    IReadOnlyDictionary<Facet, IReadOnlyDictionary<string, int>> FacetCounts,
    SearchSort Sort);
