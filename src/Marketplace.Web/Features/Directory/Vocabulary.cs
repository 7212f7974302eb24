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
/// fixed lists (legal form, pricing, delivery) from the resource files. The taxonomy only changes at seeding, which
/// moves the search version (<see cref="ISearchVersion"/>): the terms are read once per version and language for the
/// whole process (<see cref="VocabularyCache"/>), and the version once per request (<see cref="RequestSearchVersion"/>).
/// </summary>
public sealed class Vocabulary(MarketplaceDbContext db, IStringLocalizer<SharedResource> text, RequestSearchVersion searchVersion, VocabularyCache cache)
{
    public sealed record Term(string Key, string Label, string? Description);

    // Per language: one scope may write emails in French and in English (digests).
    private readonly Dictionary<bool, VocabularyCache.Entry> _entries = [];

    public async Task<IReadOnlyDictionary<Facet, IReadOnlyList<Term>>> TermsAsync(CancellationToken cancellationToken) =>
        (await EntryAsync(cancellationToken)).Terms;

    /// <summary>
    /// The values a search may filter on: <see cref="TermsAsync"/> plus, for the region and language facets, the
    /// unknown value « Région non précisée » / « Langue non précisée » (<see cref="Facets.UnknownKey"/>, ADR 0015).
    /// The pricing facet's unknown value (« Non précisé ») is already one of its terms.
    /// Forms use <see cref="TermsAsync"/>: nobody chooses « non précisée » as a request's region.
    /// </summary>
    public async Task<IReadOnlyDictionary<Facet, IReadOnlyList<Term>>> SearchTermsAsync(CancellationToken cancellationToken) =>
        (await EntryAsync(cancellationToken)).SearchTerms;

    /// <summary>The label of every value of <see cref="SearchTermsAsync"/> by facet and key, for pages that label many values.</summary>
    public async Task<IReadOnlyDictionary<Facet, IReadOnlyDictionary<string, string>>> LabelsAsync(CancellationToken cancellationToken) =>
        (await EntryAsync(cancellationToken)).Labels;

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

    private async ValueTask<VocabularyCache.Entry> EntryAsync(CancellationToken cancellationToken)
    {
        var english = Cultures.IsEnglish;
        if (_entries.TryGetValue(english, out var entry)) return entry;
        // The version before the rows: rows read after it are at least that recent, so an entry is never older than its version.
        var version = await searchVersion.CurrentAsync(cancellationToken);
        entry = cache.Get(version, english);
        if (entry is null)
        {
            entry = await LoadAsync(version, english, cancellationToken);
            cache.Set(entry);
        }
        return _entries[english] = entry;
    }

    private async Task<VocabularyCache.Entry> LoadAsync(long version, bool english, CancellationToken cancellationToken)
    {
        var rows = await db.TaxonomyTerms.AsNoTracking().OrderBy(t => t.Kind).ThenBy(t => t.Position).ThenBy(t => t.Key)
            .Select(t => new { t.Kind, t.Key, t.LabelFr, t.LabelEn, t.DescriptionFr, t.DescriptionEn })
            .ToListAsync(cancellationToken);
        IReadOnlyList<Term> Of(TaxonomyKind kind) => rows.Where(r => r.Kind == kind)
            .Select(r => new Term(r.Key, english ? r.LabelEn : r.LabelFr, english ? r.DescriptionEn ?? r.DescriptionFr : r.DescriptionFr))
            .ToArray();
        IReadOnlyList<Term> Enum<T>(string prefix, IEnumerable<string>? extra = null) where T : struct, System.Enum =>
            EnumKeys<T>.All.Select(EnumKeys<T>.Key).Concat(extra ?? [])
                .Select(k => new Term(k, text[$"{prefix}.{k}"], null)).ToArray();

        var terms = new Dictionary<Facet, IReadOnlyList<Term>>
        {
            [Facet.Category] = Of(TaxonomyKind.Category),
            [Facet.Region] = Of(TaxonomyKind.Region).Select(t => t with { Label = $"{t.Key} {t.Label}" }).ToArray(),
            [Facet.Language] = Of(TaxonomyKind.Language),
            [Facet.Pricing] = Enum<PricingModel>("Pricing"),
            [Facet.LegalForm] = Enum<LegalForm>("LegalForm", [Facets.SocialEconomyKey]),
            [Facet.Delivery] = Enum<DeliveryMode>("Delivery"),
            [Facet.Funding] = Of(TaxonomyKind.FundingProgram),
        };
        var searchTerms = terms.ToDictionary(t => t.Key, t => Facets.UnknownKeyOf(t.Key) is { } unknown && t.Value.All(term => term.Key != unknown)
            ? (IReadOnlyList<Term>)t.Value.Append(new Term(unknown, text[$"Facet.{t.Key}.Unknown"], null)).ToArray()
            : t.Value);
        var labels = searchTerms.ToDictionary(t => t.Key, t => (IReadOnlyDictionary<string, string>)t.Value
            .DistinctBy(term => term.Key).ToDictionary(term => term.Key, term => term.Label, StringComparer.Ordinal));
        return new VocabularyCache.Entry(version, english, terms, searchTerms, labels);
    }
}

/// <summary>
/// The vocabulary of the latest search version seen, per language, for the whole process. An entry of an older version
/// is never returned: the first request after seeding (which moves the version) reads the taxonomy again.
/// </summary>
public sealed class VocabularyCache
{
    public sealed record Entry(
        long Version,
        bool English,
        IReadOnlyDictionary<Facet, IReadOnlyList<Vocabulary.Term>> Terms,
        IReadOnlyDictionary<Facet, IReadOnlyList<Vocabulary.Term>> SearchTerms,
        IReadOnlyDictionary<Facet, IReadOnlyDictionary<string, string>> Labels);

    private volatile Entry? _french;
    private volatile Entry? _english;

    public Entry? Get(long version, bool english) => (english ? _english : _french) is { } entry && entry.Version == version ? entry : null;

    public void Set(Entry entry)
    {
        // A slower reader of an older version must not replace a newer entry.
        if (entry.English)
        {
            if (_english is not { } current || current.Version <= entry.Version) _english = entry;
        }
        else if (_french is not { } current || current.Version <= entry.Version) _french = entry;
    }
}
