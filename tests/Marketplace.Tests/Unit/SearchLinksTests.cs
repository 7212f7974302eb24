using Marketplace.Web.Features.Directory;
using Marketplace.Web.Infrastructure.Search;
using Microsoft.AspNetCore.WebUtilities;

namespace Marketplace.Tests.Unit;

public sealed class SearchLinksTests
{
    private static readonly string[] Keys = ["formation", "loi-25", "01", "06", "fr", "en", "gratuit", "tarif-reduit-obnl",
        Facets.UnknownKey, Facets.PricingUnknownKey, "economie-sociale", "a b&c=d", "é+è/?#"];

    [Test]
    public void Facet_links_built_once_per_page_are_the_urls_of_the_toggled_searches()
    {
        var random = new Random(13);
        var compared = 0;
        for (var i = 0; i < 400; i++)
        {
            var query = RandomQuery(random);
            var links = new SearchLinks.FacetLinks("/fr/recherche", query);
            foreach (var facet in Facets.All)
                foreach (var key in Keys)
                {
                    Assert.That(links.Toggle(facet, key), Is.EqualTo(ToggleAsBefore("/fr/recherche", query, facet, key)),
                        $"{facet}={key} on {SearchLinks.Url("/fr/recherche", query)}");
                    compared++;
                }
        }
        Assert.That(compared, Is.EqualTo(400 * Facets.All.Count * Keys.Length));
    }

    [Test]
    public void A_facet_link_keeps_the_text_the_sort_and_the_page_size_and_goes_back_to_page_one()
    {
        var query = new SearchQuery
        {
            Text = "audit numérique",
            Filters = new Dictionary<Facet, IReadOnlySet<string>> { [Facet.Region] = new HashSet<string> { "06", "01" } },
            Strict = new HashSet<Facet> { Facet.Region },
            Sort = SearchSort.Name,
            Page = 3,
            PageSize = 50,
        };
        Assert.That(new SearchLinks.FacetLinks("/fr/recherche", query).Toggle(Facet.Category, "formation"),
            Is.EqualTo("/fr/recherche?q=audit%20num%C3%A9rique&category=formation&region=01&region=06&strict=region&sort=name&pageSize=50"));
        Assert.That(new SearchLinks.FacetLinks("/fr/recherche", query).Toggle(Facet.Region, "01"),
            Is.EqualTo("/fr/recherche?q=audit%20num%C3%A9rique&region=06&strict=region&sort=name&pageSize=50"));
    }

    private static SearchQuery RandomQuery(Random random)
    {
        var filters = new Dictionary<Facet, IReadOnlySet<string>>();
        foreach (var facet in Facets.All)
        {
            if (random.Next(3) != 0) continue;
            var values = Keys.Where(_ => random.Next(4) == 0).ToHashSet(StringComparer.Ordinal);
            if (values.Count > 0) filters[facet] = values;
        }
        return new SearchQuery
        {
            Text = random.Next(3) switch { 0 => null, 1 => "formation", _ => "loi 25 & « vie privée »?" },
            Filters = filters,
            Strict = Facets.All.Where(f => Facets.HasUnknown(f) && random.Next(2) == 0).ToHashSet(),
            Sort = random.Next(4) == 0 ? null : (SearchSort)random.Next(3),
            Page = random.Next(1, 4),
            PageSize = random.Next(2) == 0 ? SearchQuery.DefaultPageSize : 50,
        };
    }

    // SearchLinks.Toggle as it was before the links were built once per page: the toggled query, then every parameter encoded.
    private static string ToggleAsBefore(string basePath, SearchQuery query, Facet facet, string key)
    {
        var values = query.Selected(facet).ToHashSet(StringComparer.Ordinal);
        var strict = query.Strict.ToHashSet();
        var unknown = Facets.UnknownKeyOf(facet);
        if (key == unknown)
        {
            var known = query.HasKnownSelection(facet);
            if (query.IncludesUnknown(facet))
            {
                values.Remove(key);
                if (known) strict.Add(facet);
            }
            else if (known) strict.Remove(facet);
            else values.Add(key);
        }
        else if (!values.Remove(key)) values.Add(key);
        if (!values.Any(v => v != unknown)) strict.Remove(facet);
        var filters = query.Filters.ToDictionary(p => p.Key, p => p.Value);
        if (values.Count == 0) filters.Remove(facet);
        else filters[facet] = values;
        return QueryHelpers.AddQueryString(basePath, SearchLinks.Parameters(query with { Filters = filters, Strict = strict }));
    }
}
