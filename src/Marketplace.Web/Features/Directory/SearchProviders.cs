using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Search;
using Marketplace.Web.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Web.Features.Directory;

/// <summary>The directory search: results page, facets with their counts and labels, in the current language.</summary>
public sealed class SearchProviders(IProviderSearch search, MarketplaceDbContext db, Vocabulary vocabulary)
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
    }

    public sealed record Label(string Key, string Text);

    public sealed record FacetGroup(Facet Facet, string Parameter, IReadOnlyList<FacetValue> Values);

    /// <param name="Selected">The value passes the selection: for the unknown value, also when implied by a selection of known values (ADR 0015).</param>
    public sealed record FacetValue(string Key, string Label, int Count, bool Selected);

    public async Task<Result> HandleAsync(SearchQuery query, CancellationToken cancellationToken)
    {
        var english = Cultures.IsEnglish;
        query = query with { Language = english ? "en" : "fr" };
        var found = await search.SearchAsync(query, cancellationToken);
        var terms = await vocabulary.SearchTermsAsync(cancellationToken);

        var ids = found.ProviderIds.ToArray();
        var rows = await db.Providers.AsNoTracking()
            .Where(p => ids.Contains(p.Id) && p.Status == ListingStatus.Published)
            .Select(p => new
            {
                p.Id, p.Slug, p.Name, p.DescriptionFr, p.DescriptionEn, p.LegalForm, p.SocialEconomy, p.Origin, p.VerifiedAt,
                Offerings = p.Offerings.Select(o => new { o.CategoryKey, o.ServesAllQuebec, o.RegionCodes, o.Pricing }).ToList(),
            })
            .ToListAsync(cancellationToken);
        var byId = rows.ToDictionary(r => r.Id);

        string LabelOf(Facet facet, string key) => terms[facet].FirstOrDefault(t => t.Key == key)?.Label ?? key;

        var items = ids.Where(byId.ContainsKey).Select(id =>
        {
            var p = byId[id];
            var allQuebec = p.Offerings.Any(o => o.ServesAllQuebec);
            var categoryKeys = p.Offerings.Select(o => o.CategoryKey).Distinct();
            IEnumerable<string> regionKeys = allQuebec ? [] : p.Offerings.SelectMany(o => o.RegionCodes).Distinct();
            var regionNotStated = !allQuebec && p.Offerings.Any(o => o.RegionCodes.Count == 0);
            // Same reading as the pricing facet (ADR 0015): an offering whose pricing is not stated makes it unknown.
            var pricingKeys = p.Offerings.Select(o => EnumKeys<PricingModel>.Key(o.Pricing)).Distinct().ToArray();
            var pricingNotStated = pricingKeys.Contains(Infrastructure.Search.Facets.PricingUnknownKey);
            return new ProviderCard(
                p.Slug, p.Name,
                Summarize(english ? p.DescriptionEn ?? p.DescriptionFr : p.DescriptionFr),
                LabelOf(Facet.LegalForm, EnumKeys<LegalForm>.Key(p.LegalForm)),
                p.SocialEconomy, p.Origin, p.VerifiedAt,
                OrderAsTaxonomy(terms[Facet.Category], categoryKeys),
                OrderAsTaxonomy(terms[Facet.Region], regionKeys).Select(r => r with { Text = r.Text[(r.Key.Length + 1)..] }).ToArray(),
                allQuebec, regionNotStated,
                OrderAsTaxonomy(terms[Facet.Pricing], pricingKeys.Where(k => k != Infrastructure.Search.Facets.PricingUnknownKey)),
                pricingNotStated) { Highlight = found.Highlights.GetValueOrDefault(id) };
        }).ToArray();

        var groups = Infrastructure.Search.Facets.All.Select(facet =>
        {
            var counts = found.FacetCounts[facet];
            var selected = query.Selected(facet);
            return new FacetGroup(facet, Infrastructure.Search.Facets.ParameterName(facet), terms[facet]
                .Select(t => new FacetValue(t.Key, t.Label, counts.GetValueOrDefault(t.Key),
                    t.Key == Infrastructure.Search.Facets.UnknownKeyOf(facet) ? query.IncludesUnknown(facet) : selected.Contains(t.Key)))
                .ToArray());
        }).ToArray();

        return new Result(query, found.Sort, found.Total, items, groups) { Suggestion = found.Suggestion, Approximate = found.Approximate };
    }

    private static IReadOnlyList<Label> OrderAsTaxonomy(IReadOnlyList<Vocabulary.Term> terms, IEnumerable<string> keys)
    {
        var wanted = keys.ToHashSet();
        return terms.Where(t => wanted.Contains(t.Key)).Select(t => new Label(t.Key, t.Label)).ToArray();
    }

    private static string Summarize(string text, int max = 240)
    {
        if (text.Length <= max) return text;
        var cut = text.LastIndexOf(' ', max);
        return text[..(cut > max / 2 ? cut : max)].TrimEnd(',', ';', '.', ' ') + "…";
    }
}
