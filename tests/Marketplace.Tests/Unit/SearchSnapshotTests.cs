using FsCheck;
using FsCheck.Fluent;
using Marketplace.Web.Infrastructure.Search;

namespace Marketplace.Tests.Unit;

/// <summary>The in-memory facet engine against a brute-force reading of the same documents.</summary>
public sealed class SearchSnapshotTests
{
    /// <summary>The pricing facet's unknown value is its ordinary key `non-precise` (PricingModel.NonPrecise).</summary>
    private const string PricingUnknown = "non-precise";

    private static readonly string[] Values = ["a", "b", "c", Facets.UnknownKey, PricingUnknown];

    /// <summary>Written out here, not read from the code under test: the unknown value of each facet that has one.</summary>
    private static readonly Dictionary<Facet, string> UnknownOf = new()
    {
        [Facet.Region] = Facets.UnknownKey,
        [Facet.Language] = Facets.UnknownKey,
        [Facet.Pricing] = PricingUnknown,
    };

    private static SearchDocument Doc(int id, string name, params (Facet Facet, string[] Values)[] values) =>
        new(id, name, new DateTimeOffset(2026, 1, id % 28 + 1, 0, 0, 0, TimeSpan.Zero),
            values.ToDictionary(v => v.Facet, v => (IReadOnlyCollection<string>)v.Values));

    /// <summary>The facets the property tests draw values for, one value set per facet (documents and filters alike).</summary>
    private static readonly Facet[] PropertyFacets = [Facet.Category, Facet.Region, Facet.Language, Facet.Pricing];

    private static readonly Gen<string[][]> ValueSets = Gen.ArrayOf(Gen.SubListOf(Values).Select(l => l.ToArray()), PropertyFacets.Length);

    /// <summary>The document numbered <paramref name="i"/> (provider i + 1), holding one drawn value set per property facet.</summary>
    private static SearchDocument Drawn(int i, string[][] values) => new(i + 1, $"n{i:000}", null,
        PropertyFacets.Select((f, k) => (f, values[k])).ToDictionary(x => x.f, x => (IReadOnlyCollection<string>)x.Item2));

    /// <summary>The drawn filters: the property facets given a non-empty value set.</summary>
    private static Dictionary<Facet, IReadOnlySet<string>> DrawnFilters(string[][] values) =>
        PropertyFacets.Select((f, k) => (f, values[k])).Where(x => x.Item2.Length > 0)
            .ToDictionary(x => x.f, x => (IReadOnlySet<string>)x.Item2.ToHashSet());

    [Test]
    public void Values_of_one_facet_combine_with_or_and_facets_with_and()
    {
        var snapshot = new SearchSnapshot(1, [
            Doc(1, "Un", (Facet.Category, ["crm"]), (Facet.Region, ["06"])),
            Doc(2, "Deux", (Facet.Category, ["materiel"]), (Facet.Region, ["06"])),
            Doc(3, "Trois", (Facet.Category, ["crm"]), (Facet.Region, ["03"])),
        ]);
        var query = new SearchQuery
        {
            Filters = new Dictionary<Facet, IReadOnlySet<string>>
            {
                [Facet.Category] = new HashSet<string> { "crm", "materiel" },
                [Facet.Region] = new HashSet<string> { "06" },
            },
        };
        var result = snapshot.Search(query, null);
        Assert.That(result.ProviderIds, Is.EquivalentTo(new[] { 1, 2 }));
        // Category counts ignore the category selection but apply the region one.
        Assert.That(result.FacetCounts[Facet.Category]["crm"], Is.EqualTo(1));
        Assert.That(result.FacetCounts[Facet.Category]["materiel"], Is.EqualTo(1));
        // Region counts ignore the region selection but apply the category one.
        Assert.That(result.FacetCounts[Facet.Region]["03"], Is.EqualTo(1));
        Assert.That(result.FacetCounts[Facet.Region]["06"], Is.EqualTo(2));
    }

    [Test]
    public void A_region_selection_keeps_providers_whose_region_is_not_stated_unless_strict()
    {
        var snapshot = new SearchSnapshot(1, [
            Doc(1, "Montréal", (Facet.Region, ["06"])),
            Doc(2, "Québec", (Facet.Region, ["03"])),
            Doc(3, "Inconnue", (Facet.Region, [Facets.UnknownKey])),
        ]);
        SearchResult Search(IReadOnlySet<Facet>? strict, params string[] regions) => snapshot.Search(new SearchQuery
        {
            Filters = new Dictionary<Facet, IReadOnlySet<string>> { [Facet.Region] = regions.ToHashSet() },
            Strict = strict ?? new HashSet<Facet>(),
        }, null);
        Assert.That(Search(null, "06").ProviderIds, Is.EquivalentTo(new[] { 1, 3 }), "unknown is not \"no\"");
        Assert.That(Search(new HashSet<Facet> { Facet.Region }, "06").ProviderIds, Is.EquivalentTo(new[] { 1 }), "strict");
        Assert.That(Search(null, Facets.UnknownKey).ProviderIds, Is.EquivalentTo(new[] { 3 }), "only those not stated");
        var counts = Search(null, "06").FacetCounts[Facet.Region];
        Assert.That((counts["06"], counts["03"], counts[Facets.UnknownKey]), Is.EqualTo((1, 1, 1)), "each value counts its own");
    }

    [Test]
    public void A_pricing_selection_keeps_providers_whose_pricing_is_not_stated_unless_strict()
    {
        var snapshot = new SearchSnapshot(1, [
            Doc(1, "Gratuit", (Facet.Pricing, ["gratuit"])),
            Doc(2, "Forfait", (Facet.Pricing, ["forfait"])),
            Doc(3, "Inconnue", (Facet.Pricing, [PricingUnknown])),
            // One offering at a flat fee, another whose pricing is not stated: that one may be free.
            Doc(4, "Mixte", (Facet.Pricing, ["forfait", PricingUnknown])),
            // « non-precisee » is not the pricing facet's unknown value.
            Doc(5, "Autre clé", (Facet.Pricing, [Facets.UnknownKey])),
        ]);
        SearchResult Search(bool strict, params string[] pricing) => snapshot.Search(new SearchQuery
        {
            Filters = new Dictionary<Facet, IReadOnlySet<string>> { [Facet.Pricing] = pricing.ToHashSet() },
            Strict = strict ? new HashSet<Facet> { Facet.Pricing } : new HashSet<Facet>(),
        }, null);
        Assert.That(Search(false, "gratuit").ProviderIds, Is.EquivalentTo(new[] { 1, 3, 4 }), "unknown is not \"no\"");
        Assert.That(Search(true, "gratuit").ProviderIds, Is.EquivalentTo(new[] { 1 }), "strict");
        Assert.That(Search(false, PricingUnknown).ProviderIds, Is.EquivalentTo(new[] { 3, 4 }), "only those not stated");
        Assert.That(Search(true, "gratuit", PricingUnknown).ProviderIds, Is.EquivalentTo(new[] { 1, 3, 4 }), "chosen knowingly");
        var counts = Search(false, "gratuit").FacetCounts[Facet.Pricing];
        Assert.That((counts["gratuit"], counts["forfait"], counts[PricingUnknown]), Is.EqualTo((1, 2, 2)), "each value counts its own");
        Assert.That(Facets.UnknownKeyOf(Facet.Pricing), Is.EqualTo(PricingUnknown));
        Assert.That(Marketplace.Web.Domain.Providers.EnumKeys<Marketplace.Web.Domain.Providers.PricingModel>
            .Key(Marketplace.Web.Domain.Providers.PricingModel.NonPrecise), Is.EqualTo(PricingUnknown), "the key the index stores");
        Assert.That(Facets.UnknownKeyOf(Facet.Region), Is.EqualTo("non-precisee"), "existing keys unchanged");
        Assert.That(Facets.UnknownKeyOf(Facet.Category), Is.Null);
    }

    [Test]
    public void Text_hits_restrict_and_rank_by_score_and_ties_go_by_name()
    {
        var snapshot = new SearchSnapshot(1, [
            Doc(1, "Bêta", (Facet.Category, ["crm"])),
            Doc(2, "alpha", (Facet.Category, ["crm"])),
            Doc(3, "Ateliers Vélo", (Facet.Category, ["crm"])),
            Doc(4, "Delta", (Facet.Category, ["formation"])),
            Doc(5, "Epsilon", (Facet.Category, ["formation"])),
        ]);
        // The index matched 1, 2, 3, 4 and a provider the snapshot does not publish (99); 1 and 2 tie.
        var result = snapshot.Search(new SearchQuery(), new TextHits([1, 2, 3, 4, 99], [0.5f, 0.5f, 7.25f, 3f, 9f], 5));
        Assert.That(result.ProviderIds, Is.EqualTo(new[] { 3, 4, 2, 1 }));
        Assert.That(result.Total, Is.EqualTo(4));
        Assert.That(result.Sort, Is.EqualTo(SearchSort.Relevance));
    }

    [Test]
    public void Pages_of_the_top_results_agree_with_a_full_sort()
    {
        var docs = Enumerable.Range(1, 500).Select(i => Doc(i, $"Nom {i * 7919 % 500:000}")).ToArray();
        var snapshot = new SearchSnapshot(1, docs);
        var all = snapshot.Search(new SearchQuery { Sort = SearchSort.Name, PageSize = 100, Page = 1 }, null).ProviderIds
            .Concat(Enumerable.Range(2, 4).SelectMany(p => snapshot.Search(new SearchQuery { Sort = SearchSort.Name, PageSize = 100, Page = p }, null).ProviderIds))
            .ToArray();
        var expected = docs.OrderBy(d => d.Name, StringComparer.Ordinal).Select(d => d.ProviderId).ToArray();
        Assert.That(all, Is.EqualTo(expected));
        // A small page of a large set goes through the bounded heap: same order as the full sort.
        for (var page = 1; page <= 25; page++)
            Assert.That(snapshot.Search(new SearchQuery { Sort = SearchSort.Name, PageSize = 20, Page = page }, null).ProviderIds,
                Is.EqualTo(expected.Skip((page - 1) * 20).Take(20)), $"page {page}");
        Assert.That(snapshot.Search(new SearchQuery { Sort = SearchSort.Name, PageSize = 20, Page = 26 }, null).ProviderIds, Is.Empty);
    }

    [Test]
    public void Name_order_follows_french_collation()
    {
        var snapshot = new SearchSnapshot(1, [Doc(1, "Zèbre"), Doc(2, "éducation"), Doc(3, "Avenir"), Doc(4, "Ecole")]);
        var result = snapshot.Search(new SearchQuery { Sort = SearchSort.Name }, null);
        Assert.That(result.ProviderIds, Is.EqualTo(new[] { 3, 4, 2, 1 }));
    }

    [Test]
    public void Property_counts_and_matches_equal_brute_force()
    {
        var facets = PropertyFacets;
        var strictGen = Gen.SubListOf(facets);

        // The unknown values are among the values: on the region and language facets (`non-precisee`) and the pricing
        // facet (`non-precise`), a selection of other values also passes that facet's unknown value unless the facet is
        // strict (ADR 0015); on the category facet both are ordinary values, and each is ordinary on the other facets.
        Prop.ForAll(Gen.ListOf(ValueSets).ToArbitrary(), ValueSets.ToArbitrary(), strictGen.ToArbitrary(), (docValues, filterValues, strictFacets) =>
        {
            var docs = docValues.Select((v, i) => Drawn(i, v)).ToArray();
            var filters = DrawnFilters(filterValues);
            var strict = strictFacets.ToHashSet();
            var result = new SearchSnapshot(1, docs).Search(new SearchQuery { Filters = filters, Strict = strict, PageSize = 100 }, null);

            bool Passes(SearchDocument d, Facet? except) =>
                filters.All(f => f.Key == except || f.Value.Overlaps(d.FacetValues[f.Key])
                    || (UnknownOf.TryGetValue(f.Key, out var unknown) && !strict.Contains(f.Key) && f.Value.Any(v => v != unknown)
                        && d.FacetValues[f.Key].Contains(unknown)));
            var expected = docs.Where(d => Passes(d, null)).Select(d => d.ProviderId).Order().Take(100).ToArray();
            var countsOk = facets.All(f => Values.All(v =>
                result.FacetCounts[f].GetValueOrDefault(v) == docs.Count(d => Passes(d, f) && d.FacetValues[f].Contains(v))));
            return countsOk && result.ProviderIds.Order().SequenceEqual(expected) && result.Total == docs.Count(d => Passes(d, null));
        }).QuickCheckThrowOnFailure();
    }

    [Test]
    public void Edits_that_keep_names_and_values_known_give_what_a_rebuild_gives_and_leave_the_old_snapshot_as_it_was()
    {
        var facets = PropertyFacets;
        var applied = 0;

        Prop.ForAll(Gen.ListOf(ValueSets).ToArbitrary(), Gen.ListOf(ValueSets).ToArbitrary(), ValueSets.ToArbitrary(), (docValues, editValues, filterValues) =>
        {
            var before = docValues.Select((v, i) => Drawn(i, v)).ToArray();
            // The first documents get new values, the others keep theirs.
            var after = before.Select((d, i) => i < editValues.Count ? Drawn(i, editValues[i]) : d).ToArray();
            var edits = before.Zip(after).Take(editValues.Count).Select(p => (p.First, p.Second)).ToArray();
            var filters = DrawnFilters(filterValues);
            var query = new SearchQuery { Filters = filters, PageSize = 100 };

            var old = new SearchSnapshot(1, before);
            var oldResult = old.Search(query, null);
            var edited = old.WithEdits(2, edits);
            if (edited is null)
            {
                // Only when a rebuild would list other values: one no document had, or one no document keeps.
                var valuesBefore = facets.Select(f => before.SelectMany(d => d.FacetValues[f]).ToHashSet()).ToArray();
                var valuesAfter = facets.Select(f => after.SelectMany(d => d.FacetValues[f]).ToHashSet()).ToArray();
                return facets.Select((_, k) => !valuesBefore[k].SetEquals(valuesAfter[k])).Any(x => x)
                    || edits.Any(e => e.First.ProviderId > before.Length);
            }
            applied++;
            var rebuilt = new SearchSnapshot(2, after).Search(query, null);
            var got = edited.Search(query, null);
            var again = old.Search(query, null);
            return edited.Version == 2 && got.Total == rebuilt.Total && got.ProviderIds.SequenceEqual(rebuilt.ProviderIds)
                && facets.All(f => got.FacetCounts[f].OrderBy(p => p.Key).SequenceEqual(rebuilt.FacetCounts[f].OrderBy(p => p.Key)))
                && again.Total == oldResult.Total && again.ProviderIds.SequenceEqual(oldResult.ProviderIds)
                && facets.All(f => again.FacetCounts[f].OrderBy(p => p.Key).SequenceEqual(oldResult.FacetCounts[f].OrderBy(p => p.Key)));
        }).QuickCheckThrowOnFailure();
        Assert.That(applied, Is.GreaterThan(10), "edits applied in place, not only refused");
    }

    [Test]
    public void An_edit_that_renames_moves_the_verification_date_or_names_an_unknown_provider_asks_for_a_rebuild()
    {
        var one = Doc(1, "Un", (Facet.Category, ["crm"]));
        var two = Doc(2, "Deux", (Facet.Category, ["crm"]));
        var snapshot = new SearchSnapshot(1, [one, two]);
        Assert.That(snapshot.WithEdits(2, [(one, one with { Name = "Zéro" })]), Is.Null, "a new name moves the document in name order");
        Assert.That(snapshot.WithEdits(2, [(one, one with { VerifiedAt = one.VerifiedAt!.Value.AddDays(1) })]), Is.Null, "a new verification order");
        var three = Doc(3, "Trois", (Facet.Category, ["crm"]));
        Assert.That(snapshot.WithEdits(2, [(three, three)]), Is.Null, "not in this snapshot");
        Assert.That(snapshot.WithEdits(2, [(one, Doc(1, "Un", (Facet.Category, ["materiel"])))]), Is.Null, "a value no document had");
        var same = snapshot.WithEdits(2, [(one, Doc(1, "Un", (Facet.Category, ["crm"])))]);
        Assert.That(same?.Version, Is.EqualTo(2), "the same values: the snapshot under the new version");
    }
}
