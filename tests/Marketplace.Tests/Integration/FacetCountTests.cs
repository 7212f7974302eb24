using System.Text.Json;
using Marketplace.Tests.Support;
using Marketplace.Web.Infrastructure.Data;

namespace Marketplace.Tests.Integration;

/// <summary>
/// Facet counts are exact and disjunctive: for many filter combinations, every count the API returns equals a
/// brute-force count over seed-data/providers.json read independently of the site.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class FacetCountTests(DatabaseProvider provider)
{
    private MarketplaceFactory _factory = null!;
    private HttpClient _client = null!;
    private SeedDataOracle _oracle = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _oracle = SeedDataOracle.Load();
        _factory = await MarketplaceFactory.StartAsync(provider);
        _client = _factory.CreateClient();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    public static IEnumerable<TestCaseData> Combinations()
    {
        var oracle = SeedDataOracle.Load();
        var keys = SeedDataOracle.FacetNames.ToDictionary(f => f,
            f => oracle.Published.SelectMany(p => p.Values[f]).Distinct().Order(StringComparer.Ordinal).ToArray());
        yield return new TestCaseData("").SetName("No filter");
        // Unknown is not "no" (ADR 0015): a region, a language or a pricing also keeps those that state none, unless strict.
        foreach (var query in new[]
                 {
                     "region=06", "region=06&strict=region", "region=non-precisee", "region=06&region=non-precisee&strict=region",
                     "category=loi-25&region=06", "category=loi-25&region=06&strict=region", "language=fr&region=03",
                     "language=en&strict=language", "language=non-precisee",
                     // Pricing too: `non-precise` is kept by any other pricing value unless strict=pricing.
                     "pricing=gratuit", "pricing=gratuit&strict=pricing", "pricing=non-precise",
                     "pricing=gratuit&pricing=non-precise&strict=pricing", "pricing=forfait&region=06",
                     "pricing=tarif-reduit-obnl&region=06&strict=region", "pricing=gratuit&region=06&strict=pricing,region",
                     "category=loi-25&pricing=gratuit", "category=loi-25&pricing=gratuit&strict=pricing",
                 })
            yield return new TestCaseData(query).SetName($"Unknown values {query}");
        foreach (var facet in SeedDataOracle.FacetNames)
            foreach (var key in keys[facet].Take(4))
                yield return new TestCaseData($"{facet}={key}").SetName($"One value {facet}={key}");
        var random = new Random(42);
        for (var i = 0; i < 40; i++)
        {
            var facets = SeedDataOracle.FacetNames.OrderBy(_ => random.Next()).Take(1 + random.Next(3)).ToArray();
            var query = string.Join("&", facets.SelectMany(f =>
                keys[f].OrderBy(_ => random.Next()).Take(1 + random.Next(2)).Select(v => $"{f}={v}")));
            yield return new TestCaseData(query).SetName($"Combination {i:00}: {query}");
        }
    }

    [TestCaseSource(nameof(Combinations))]
    public async Task Counts_and_total_equal_a_brute_force_count(string query)
    {
        var filters = query.Split('&', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('='))
            .GroupBy(p => p[0], p => p[1])
            .ToDictionary(g => g.Key, g => g.SelectMany(v => v.Split(',')).ToArray());

        var json = await _client.GetJsonAsync($"/api/v1/providers?{query}&pageSize=100");

        var expected = _oracle.Matching(filters).Select(p => p.Slug).Order().ToArray();
        Assert.That(json.GetProperty("total").GetInt32(), Is.EqualTo(expected.Length), "total");
        var slugs = json.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("slug").GetString()!).Order().ToArray();
        Assert.That(slugs, Is.EqualTo(expected), "items");

        foreach (var facet in SeedDataOracle.FacetNames)
        {
            foreach (var value in json.GetProperty("facets").GetProperty(facet).EnumerateArray())
            {
                var key = value.GetProperty("key").GetString()!;
                Assert.That(value.GetProperty("count").GetInt32(), Is.EqualTo(_oracle.FacetCount(filters, facet, key)),
                    $"count of {facet}={key}");
            }
        }
    }

    [Test]
    public async Task Several_values_of_one_facet_widen_and_two_facets_narrow()
    {
        int Total(JsonElement e) => e.GetProperty("total").GetInt32();
        var a = Total(await _client.GetJsonAsync("/api/v1/providers?category=loi-25"));
        var b = Total(await _client.GetJsonAsync("/api/v1/providers?category=materiel"));
        var both = Total(await _client.GetJsonAsync("/api/v1/providers?category=loi-25&category=materiel"));
        var withRegion = Total(await _client.GetJsonAsync("/api/v1/providers?category=loi-25&category=materiel&region=06"));
        Assert.That(both, Is.GreaterThanOrEqualTo(Math.Max(a, b)));
        Assert.That(withRegion, Is.LessThanOrEqualTo(both));
        Assert.That(a, Is.GreaterThan(0));
    }

    [Test]
    public async Task A_selected_facet_keeps_the_counts_of_its_other_values()
    {
        var none = await _client.GetJsonAsync("/api/v1/providers");
        var one = await _client.GetJsonAsync("/api/v1/providers?category=loi-25");
        Assert.That(one.GetProperty("facets").GetProperty("category").ToString(),
            Is.EqualTo(none.GetProperty("facets").GetProperty("category").ToString()));
    }

    [Test]
    public async Task Comma_separated_values_mean_the_same_as_repeated_parameters()
    {
        var repeated = await _client.GetJsonAsync("/api/v1/providers?region=06&region=03");
        var comma = await _client.GetJsonAsync("/api/v1/providers?region=06,03");
        Assert.That(comma.ToString(), Is.EqualTo(repeated.ToString()));
    }
}
