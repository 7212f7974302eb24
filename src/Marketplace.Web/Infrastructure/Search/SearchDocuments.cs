using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Domain.Taxonomy;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Web.Infrastructure.Search;

/// <summary>Reads what the search engine indexes from published listings, as projections.</summary>
public sealed class SearchDocuments(MarketplaceDbContext db)
{
    private sealed record Row(int Id, string Name, LegalForm LegalForm, bool SocialEconomy, DateTimeOffset? VerifiedAt,
        string DescriptionFr, string? DescriptionEn, IEnumerable<OfferingRow> Offerings);

    private sealed record OfferingRow(string CategoryKey, PricingModel Pricing, DeliveryMode Delivery, bool ServesAllQuebec,
        List<string> RegionCodes, List<string> Languages, List<string> FundingPrograms, string DescriptionFr, string? DescriptionEn);

    public async Task<List<SearchDocument>> FacetDocumentsAsync(CancellationToken cancellationToken) =>
        (await Published(providerId: null).ToListAsync(cancellationToken)).Select(ToSearchDocument).ToList();

    /// <summary>French and English label of every category, by key: what a search term may match in a category.</summary>
    public Task<Dictionary<string, string>> CategoryLabelsAsync(CancellationToken cancellationToken) =>
        db.TaxonomyTerms.AsNoTracking()
            .Where(t => t.Kind == TaxonomyKind.Category)
            .ToDictionaryAsync(t => t.Key, t => t.LabelFr + " " + t.LabelEn, cancellationToken);

    public async Task<List<TextDocument>> TextDocumentsAsync(int? providerId, CancellationToken cancellationToken)
    {
        var labels = await CategoryLabelsAsync(cancellationToken);
        var rows = await Published(providerId).ToListAsync(cancellationToken);
        return rows.Select(p => new TextDocument(
            p.Id,
            p.Name,
            string.Join(" ", p.Offerings.Select(o => o.CategoryKey).Distinct().Select(k => labels.GetValueOrDefault(k, k))),
            string.Join(" ", new[] { p.DescriptionFr, p.DescriptionEn }
                .Concat(p.Offerings.SelectMany(o => new[] { o.DescriptionFr, o.DescriptionEn }))
                .Where(s => !string.IsNullOrEmpty(s)))))
            .ToList();
    }

    private IQueryable<Row> Published(int? providerId)
    {
        var providers = db.Providers.AsNoTracking().AsSplitQuery().Where(p => p.Status == ListingStatus.Published);
        if (providerId is { } id) providers = providers.Where(p => p.Id == id);
        return providers
            .OrderBy(p => p.Id)
            .Select(p => new Row(p.Id, p.Name, p.LegalForm, p.SocialEconomy, p.VerifiedAt, p.DescriptionFr, p.DescriptionEn,
                p.Offerings.Select(o => new OfferingRow(o.CategoryKey, o.Pricing, o.Delivery, o.ServesAllQuebec,
                    o.RegionCodes, o.Languages, o.FundingPrograms, o.DescriptionFr, o.DescriptionEn))));
    }

    private static SearchDocument ToSearchDocument(Row p)
    {
        var offerings = p.Offerings.ToList();
        var legalForms = new List<string> { EnumKeys<LegalForm>.Key(p.LegalForm) };
        if (p.SocialEconomy) legalForms.Add(Facets.SocialEconomyKey);
        var values = new Dictionary<Facet, IReadOnlyCollection<string>>
        {
            [Facet.Category] = offerings.Select(o => o.CategoryKey).Distinct().ToArray(),
            [Facet.Region] = offerings.Any(o => o.ServesAllQuebec)
                ? RegionCodes.All.ToArray()
                : offerings.SelectMany(o => o.RegionCodes).Distinct().ToArray(),
            [Facet.Language] = offerings.SelectMany(o => o.Languages).Distinct().ToArray(),
            [Facet.Pricing] = offerings.Select(o => EnumKeys<PricingModel>.Key(o.Pricing)).Distinct().ToArray(),
            [Facet.LegalForm] = legalForms,
            [Facet.Delivery] = offerings.Select(o => EnumKeys<DeliveryMode>.Key(o.Delivery)).Distinct().ToArray(),
            [Facet.Funding] = offerings.SelectMany(o => o.FundingPrograms).Distinct().ToArray(),
        };
        return new SearchDocument(p.Id, p.Name, p.VerifiedAt, values);
    }
}
