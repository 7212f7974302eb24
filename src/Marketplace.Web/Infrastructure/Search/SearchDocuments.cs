using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Domain.Taxonomy;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Web.Infrastructure.Search;

/// <summary>The text of one published provider as the index reads it, by field (docs/search.md).</summary>
public sealed record TextDocument(
    int ProviderId,
    string Name,
    string CategoriesFr,
    string CategoriesEn,
    string OfferingsFr,
    string OfferingsEn,
    string DescriptionFr,
    string DescriptionEn,
    string CategoryNotesFr = "",
    string CategoryNotesEn = "")
{
    /// <summary>A listing's text, every field put together by <see cref="FieldOf"/>.</summary>
    public static TextDocument Of(int providerId, ListingText listing, IReadOnlyDictionary<string, CategoryText> categories)
    {
        string Field(string field) => FieldOf(field, listing, categories);
        return new TextDocument(providerId, listing.Name,
            Field(LuceneFields.CategoriesFr), Field(LuceneFields.CategoriesEn),
            Field(LuceneFields.OfferingsFr), Field(LuceneFields.OfferingsEn),
            Field(LuceneFields.DescriptionFr), Field(LuceneFields.DescriptionEn),
            Field(LuceneFields.CategoryNotesFr), Field(LuceneFields.CategoryNotesEn));
    }

    /// <summary>
    /// One text field of a listing put together: the one way it is done, for the index and for the cards' passages
    /// (<see cref="CardPassages"/>, which puts together only the fields it shows), so that a card's passage is taken
    /// from the text its match was found in.
    /// </summary>
    public static string FieldOf(string field, ListingText listing, IReadOnlyDictionary<string, CategoryText> categories)
    {
        // Read for every card of every results page (its passage): no sequence operators, and a field of one text is that text.
        return field switch
        {
            LuceneFields.CategoriesFr => Join(" · ", Listed(), static c => c.LabelFr, skipBlank: false),
            LuceneFields.CategoriesEn => Join(" · ", Listed(), static c => c.LabelEn, skipBlank: false),
            LuceneFields.OfferingsFr => Join("\n", listing.Offerings, static o => o.DescriptionFr, skipBlank: true),
            LuceneFields.OfferingsEn => Join("\n", listing.Offerings, static o => o.DescriptionEn, skipBlank: true),
            LuceneFields.DescriptionFr => listing.DescriptionFr,
            LuceneFields.DescriptionEn => listing.DescriptionEn ?? "",
            // What each of its categories means (the taxonomy's own definition): a listing in « Financement » offers
            // what the category says, « bourses, subventions ». Weighed least (docs/search.md).
            LuceneFields.CategoryNotesFr => Join("\n", Listed(), static c => c.NotesFr, skipBlank: true),
            LuceneFields.CategoryNotesEn => Join("\n", Listed(), static c => c.NotesEn, skipBlank: true),
            _ => throw new ArgumentOutOfRangeException(nameof(field), field, "not a text field of a listing"),
        };

        // Each category of the listing once, in the order of its offerings.
        List<CategoryText> Listed()
        {
            var listed = new List<CategoryText>(listing.Offerings.Count);
            for (var i = 0; i < listing.Offerings.Count; i++)
            {
                var key = listing.Offerings[i].CategoryKey;
                var seen = false;
                for (var j = 0; j < i && !seen; j++) seen = listing.Offerings[j].CategoryKey == key;
                if (!seen) listed.Add(categories.TryGetValue(key, out var c) ? c : new CategoryText(key, key, null, null));
            }
            return listed;
        }
    }

    /// <summary>string.Join of the texts (without the blank ones when <paramref name="skipBlank"/>); a single text is returned as it is.</summary>
    private static string Join<T>(string separator, IReadOnlyList<T> items, Func<T, string?> text, bool skipBlank)
    {
        string? only = null;
        var count = 0;
        var length = 0;
        foreach (var item in items)
        {
            var t = text(item);
            if (skipBlank && string.IsNullOrWhiteSpace(t)) continue;
            only ??= t ?? "";
            count++;
            length += t?.Length ?? 0;
        }
        if (count <= 1) return only ?? "";
        var joined = new System.Text.StringBuilder(length + separator.Length * (count - 1));
        var first = true;
        foreach (var item in items)
        {
            var t = text(item);
            if (skipBlank && string.IsNullOrWhiteSpace(t)) continue;
            if (!first) joined.Append(separator);
            joined.Append(t);
            first = false;
        }
        return joined.ToString();
    }
}

/// <summary>What a listing says of itself, as read from the database: its name, descriptions and offerings.</summary>
public sealed record ListingText(string Name, string DescriptionFr, string? DescriptionEn, IReadOnlyList<OfferingText> Offerings);

public sealed record OfferingText(string CategoryKey, string? DescriptionFr, string? DescriptionEn);

/// <summary>A category of the taxonomy as the index reads it: its labels and what it means.</summary>
public sealed record CategoryText(string LabelFr, string LabelEn, string? NotesFr, string? NotesEn);

/// <summary>
/// What search reads about one published provider: its facets for the snapshot, its text for the index. The text is
/// dropped once indexed (<see cref="Indexed"/>), and the index does not store it either: a card's passage is taken from
/// the text the page reads from the database for its cards (<see cref="CardPassages"/>).
/// </summary>
public sealed record IndexedProvider(string Slug, SearchDocument Facets, TextDocument? Text)
{
    public IndexedProvider Indexed() => Text is null ? this : this with { Text = null };
}

/// <summary>Reads what the search engine indexes from published listings, as projections.</summary>
public sealed class SearchDocuments(MarketplaceDbContext db)
{
    /// <summary>
    /// Rows are read by batches of ids, so that building the index of a large directory stays lean: a batch lives through
    /// several young collections while it is analyzed, so its rows reach the middle generation and stay there until that
    /// one is collected; 500 rows kept the start-up peak 80–100 MB lower than 2,000 in the runs measured (docs/benchmarks.md, memory).
    /// </summary>
    private const int BatchSize = 500;

    private sealed record Row(int Id, string Slug, string Name, LegalForm LegalForm, bool SocialEconomy, DateTimeOffset? VerifiedAt,
        string DescriptionFr, string? DescriptionEn, IEnumerable<OfferingRow> Offerings);

    private sealed record OfferingRow(string CategoryKey, PricingModel Pricing, DeliveryMode Delivery, bool ServesAllQuebec,
        List<string> RegionCodes, List<string> Languages, List<string> FundingPrograms, string DescriptionFr, string? DescriptionEn);

    /// <summary>
    /// Every published provider (<paramref name="ids"/> null), or those of <paramref name="ids"/> that are published:
    /// an id missing from the answer is not (or no longer) published.
    /// </summary>
    public async Task<List<IndexedProvider>> LoadAsync(IReadOnlyCollection<int>? ids, CancellationToken cancellationToken)
    {
        var documents = new List<IndexedProvider>();
        var categories = await CategoriesAsync(cancellationToken);
        await foreach (var batch in BatchesAsync(ids, categories, cancellationToken)) documents.AddRange(batch);
        return documents;
    }

    /// <summary>
    /// The same, batch by batch, so that a full build never holds every description at once, each listing's text put
    /// together with the caller's <paramref name="categories"/> (<see cref="CategoriesAsync"/>); without them the text
    /// is not put together at all (a start that opens the index on disk needs only the facets).
    /// </summary>
    public async IAsyncEnumerable<List<IndexedProvider>> BatchesAsync(IReadOnlyCollection<int>? ids,
        IReadOnlyDictionary<string, CategoryText>? categories,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var wanted = ids?.Distinct().Order().ToArray();
        var after = 0;
        for (var offset = 0; ; offset += BatchSize)
        {
            var query = db.Providers.AsNoTracking().AsSplitQuery().Where(p => p.Status == ListingStatus.Published);
            if (wanted is not null)
            {
                if (offset >= wanted.Length) yield break;
                var batch = wanted.Skip(offset).Take(BatchSize).ToArray();
                query = query.Where(p => batch.Contains(p.Id));
            }
            else query = query.Where(p => p.Id > after).OrderBy(p => p.Id).Take(BatchSize);
            var rows = await query
                .Select(p => new Row(p.Id, p.Slug, p.Name, p.LegalForm, p.SocialEconomy, p.VerifiedAt, p.DescriptionFr, p.DescriptionEn,
                    p.Offerings.Select(o => new OfferingRow(o.CategoryKey, o.Pricing, o.Delivery, o.ServesAllQuebec,
                        o.RegionCodes, o.Languages, o.FundingPrograms, o.DescriptionFr, o.DescriptionEn))))
                .ToListAsync(cancellationToken);
            yield return rows.Select(r => new IndexedProvider(r.Slug, ToSearchDocument(r), categories is null ? null : ToTextDocument(r, categories))).ToList();
            if (wanted is null)
            {
                if (rows.Count < BatchSize) yield break;
                after = rows.Max(r => r.Id);
            }
        }
    }

    /// <summary>Every category's labels and definition, by key, in the taxonomy's order.</summary>
    public Task<Dictionary<string, CategoryText>> CategoriesAsync(CancellationToken cancellationToken) =>
        db.TaxonomyTerms.AsNoTracking()
            .Where(t => t.Kind == TaxonomyKind.Category)
            .OrderBy(t => t.Position)
            .ToDictionaryAsync(t => t.Key, t => new CategoryText(t.LabelFr, t.LabelEn, t.DescriptionFr, t.DescriptionEn), cancellationToken);

    private static TextDocument ToTextDocument(Row p, IReadOnlyDictionary<string, CategoryText> categories) =>
        TextDocument.Of(p.Id, new ListingText(p.Name, p.DescriptionFr, p.DescriptionEn,
            p.Offerings.Select(o => new OfferingText(o.CategoryKey, o.DescriptionFr, o.DescriptionEn)).ToArray()), categories);

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
