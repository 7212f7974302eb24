using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Domain.Taxonomy;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Web.Infrastructure.Search;

/// <summary>Reads what the search engine indexes from published listings, as projections.</summary>
public sealed class SearchDocuments(MarketplaceDbContext db)
{
    /// <summary>Rows are read by batches of ids, so that building the index of a large directory stays lean.</summary>
    private const int BatchSize = 2000;

    private sealed record Row(int Id, string Name, LegalForm LegalForm, bool SocialEconomy, DateTimeOffset? VerifiedAt,
        IEnumerable<OfferingRow> Offerings);

    private sealed record OfferingRow(string CategoryKey, PricingModel Pricing, DeliveryMode Delivery, bool ServesAllQuebec,
        List<string> RegionCodes, List<string> Languages, List<string> FundingPrograms);

    private sealed record TextRow(int Id, string Name, string DescriptionFr, string? DescriptionEn, IEnumerable<TextOfferingRow> Offerings);

    private sealed record TextOfferingRow(string CategoryKey, string DescriptionFr, string? DescriptionEn);

    /// <summary>The facet values and sort keys of every published provider (no descriptions: the snapshot needs none).</summary>
    public async Task<List<SearchDocument>> FacetDocumentsAsync(CancellationToken cancellationToken)
    {
        var documents = new List<SearchDocument>();
        var after = 0;
        while (true)
        {
            var rows = await PublishedAfter(after)
                .Select(p => new Row(p.Id, p.Name, p.LegalForm, p.SocialEconomy, p.VerifiedAt,
                    p.Offerings.Select(o => new OfferingRow(o.CategoryKey, o.Pricing, o.Delivery, o.ServesAllQuebec,
                        o.RegionCodes, o.Languages, o.FundingPrograms))))
                .ToListAsync(cancellationToken);
            documents.AddRange(rows.Select(ToSearchDocument));
            if (rows.Count < BatchSize) return documents;
            after = rows[^1].Id;
        }
    }

    /// <summary>French and English label of every category, by key: what a search term may match in a category.</summary>
    public Task<Dictionary<string, string>> CategoryLabelsAsync(CancellationToken cancellationToken) =>
        db.TaxonomyTerms.AsNoTracking()
            .Where(t => t.Kind == TaxonomyKind.Category)
            .ToDictionaryAsync(t => t.Key, t => t.LabelFr + " " + t.LabelEn, cancellationToken);

    /// <summary>The text of one published provider (none if it is not published), or of all of them.</summary>
    public async Task<List<TextDocument>> TextDocumentsAsync(int? providerId, CancellationToken cancellationToken)
    {
        var labels = await CategoryLabelsAsync(cancellationToken);
        var documents = new List<TextDocument>();
        var after = 0;
        while (true)
        {
            var query = PublishedAfter(after);
            if (providerId is { } id) query = query.Where(p => p.Id == id);
            var rows = await query
                .Select(p => new TextRow(p.Id, p.Name, p.DescriptionFr, p.DescriptionEn,
                    p.Offerings.Select(o => new TextOfferingRow(o.CategoryKey, o.DescriptionFr, o.DescriptionEn))))
                .ToListAsync(cancellationToken);
            documents.AddRange(rows.Select(p => new TextDocument(
                p.Id,
                p.Name,
                string.Join(" ", p.Offerings.Select(o => o.CategoryKey).Distinct().Select(k => labels.GetValueOrDefault(k, k))),
                string.Join(" ", new[] { p.DescriptionFr, p.DescriptionEn }
                    .Concat(p.Offerings.SelectMany(o => new[] { o.DescriptionFr, o.DescriptionEn }))
                    .Where(s => !string.IsNullOrEmpty(s))))));
            if (rows.Count < BatchSize) return documents;
            after = rows[^1].Id;
        }
    }

    private IQueryable<Domain.Providers.Provider> PublishedAfter(int after) =>
        db.Providers.AsNoTracking().AsSplitQuery()
            .Where(p => p.Status == ListingStatus.Published && p.Id > after)
            .OrderBy(p => p.Id)
            .Take(BatchSize);

    private static SearchDocument ToSearchDocument(Row p)
    {
        var offerings = p.Offerings.ToList();
        var legalForms = new List<string> { EnumKeys<LegalForm>.Key(p.LegalForm) };
        if (p.SocialEconomy) legalForms.Add(Facets.SocialEconomyKey);
        var values = new Dictionary<Facet, IReadOnlyCollection<string>>
        {
            [Facet.Category] = offerings.Select(o => o.CategoryKey).Distinct().ToArray(),
            // An offering stating no area (or no language) gives the provider the unknown value (ADR 0015); serving all
            // of Quebec is known to reach every region.
            [Facet.Region] = offerings.Any(o => o.ServesAllQuebec)
                ? RegionCodes.All.ToArray()
                : offerings.SelectMany(o => o.RegionCodes).Distinct()
                    .Concat(offerings.Any(o => o.RegionCodes.Count == 0) ? [Facets.UnknownKey] : []).ToArray(),
            [Facet.Language] = offerings.SelectMany(o => o.Languages).Distinct()
                .Concat(offerings.Any(o => o.Languages.Count == 0) ? [Facets.UnknownKey] : []).ToArray(),
            [Facet.Pricing] = offerings.Select(o => EnumKeys<PricingModel>.Key(o.Pricing)).Distinct().ToArray(),
            [Facet.LegalForm] = legalForms,
            [Facet.Delivery] = offerings.Select(o => EnumKeys<DeliveryMode>.Key(o.Delivery)).Distinct().ToArray(),
            [Facet.Funding] = offerings.SelectMany(o => o.FundingPrograms).Distinct().ToArray(),
        };
        return new SearchDocument(p.Id, p.Name, p.VerifiedAt, values);
    }
}
