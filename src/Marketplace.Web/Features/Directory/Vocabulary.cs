using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Domain.Taxonomy;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Search;
using Marketplace.Web.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Marketplace.Web.Features.Directory;

/// <summary>
/// The known keys and the labels, in the current language, of every facet value: taxonomy terms from the database,
/// fixed lists (legal form, pricing, delivery) from the resource files. Loaded once per request.
/// </summary>
public sealed class Vocabulary(MarketplaceDbContext db, IStringLocalizer<SharedResource> text)
{
    public sealed record Term(string Key, string Label, string? Description);

    // Per language: one scope may write emails in French and in English (digests).
    private readonly Dictionary<bool, Dictionary<Facet, IReadOnlyList<Term>>> _terms = [];

    public async Task<IReadOnlyDictionary<Facet, IReadOnlyList<Term>>> TermsAsync(CancellationToken cancellationToken)
    {
        var english = Cultures.IsEnglish;
        if (_terms.TryGetValue(english, out var cached)) return cached;
        var rows = await db.TaxonomyTerms.AsNoTracking().OrderBy(t => t.Kind).ThenBy(t => t.Position).ThenBy(t => t.Key)
            .Select(t => new { t.Kind, t.Key, t.LabelFr, t.LabelEn, t.DescriptionFr, t.DescriptionEn })
            .ToListAsync(cancellationToken);
        IReadOnlyList<Term> Of(TaxonomyKind kind) => rows.Where(r => r.Kind == kind)
            .Select(r => new Term(r.Key, english ? r.LabelEn : r.LabelFr, english ? r.DescriptionEn ?? r.DescriptionFr : r.DescriptionFr))
            .ToArray();
        IReadOnlyList<Term> Enum<T>(string prefix, IEnumerable<string>? extra = null) where T : struct, System.Enum =>
            EnumKeys<T>.All.Select(EnumKeys<T>.Key).Concat(extra ?? [])
                .Select(k => new Term(k, text[$"{prefix}.{k}"], null)).ToArray();

        return _terms[english] = new Dictionary<Facet, IReadOnlyList<Term>>
        {
            [Facet.Category] = Of(TaxonomyKind.Category),
            [Facet.Region] = Of(TaxonomyKind.Region).Select(t => t with { Label = $"{t.Key} {t.Label}" }).ToArray(),
            [Facet.Language] = Of(TaxonomyKind.Language),
            [Facet.Pricing] = Enum<PricingModel>("Pricing"),
            [Facet.LegalForm] = Enum<LegalForm>("LegalForm", [Facets.SocialEconomyKey]),
            [Facet.Delivery] = Enum<DeliveryMode>("Delivery"),
            [Facet.Funding] = Of(TaxonomyKind.FundingProgram),
        };
    }

    /// <summary>
    /// The values a search may filter on: <see cref="TermsAsync"/> plus, for the region and language facets, the
    /// unknown value « Région non précisée » / « Langue non précisée » (<see cref="Facets.UnknownKey"/>, ADR 0015).
    /// The pricing facet's unknown value (« Non précisé ») is already one of its terms.
    /// Forms use <see cref="TermsAsync"/>: nobody chooses « non précisée » as a request's region.
    /// </summary>
    public async Task<IReadOnlyDictionary<Facet, IReadOnlyList<Term>>> SearchTermsAsync(CancellationToken cancellationToken)
    {
        var terms = await TermsAsync(cancellationToken);
        return terms.ToDictionary(t => t.Key, t => Facets.UnknownKeyOf(t.Key) is { } unknown && t.Value.All(term => term.Key != unknown)
            ? (IReadOnlyList<Term>)t.Value.Append(new Term(unknown, text[$"Facet.{t.Key}.Unknown"], null)).ToArray()
            : t.Value);
    }

    public async Task<string> LabelAsync(Facet facet, string key, CancellationToken cancellationToken)
    {
        var terms = await TermsAsync(cancellationToken);
        return terms[facet].FirstOrDefault(t => t.Key == key)?.Label ?? key;
    }

    /// <summary>Region name without its code, for prose.</summary>
    public async Task<string> RegionNameAsync(string code, CancellationToken cancellationToken)
    {
        var label = await LabelAsync(Facet.Region, code, cancellationToken);
        return label.StartsWith(code + " ", StringComparison.Ordinal) ? label[(code.Length + 1)..] : label;
    }
}
