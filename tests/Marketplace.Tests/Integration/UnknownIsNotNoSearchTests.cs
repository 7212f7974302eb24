using System.Net;
using Marketplace.Tests.Support;
using Marketplace.Web.Infrastructure.Data;

namespace Marketplace.Tests.Integration;

/// <summary>
/// Issue 11, « Unknown is not "no" » in the search (ADR 0015), on the seed data: a region filter keeps the real
/// organizations whose service area is not stated, the region facet shows « Région non précisée » with its count, and
/// one click (a shareable URL: <c>strict=region</c>) leaves them out; the API says the same.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class UnknownIsNotNoSearchTests(DatabaseProvider provider)
{
    private static readonly string[] NotStated = ["juripop", "le-consortium", "coalition-interjeunes"];
    private MarketplaceFactory _factory = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _factory = await MarketplaceFactory.StartAsync(provider);
        _client = _factory.CreateClient();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    [Test]
    public async Task A_region_search_shows_the_providers_whose_area_is_not_stated_and_says_so()
    {
        using var browsing = new Browsing(_factory);
        var (response, page) = await browsing.GetAsync("/fr/recherche?region=06&pageSize=100");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var cards = page.QuerySelectorAll("ol.cards article.card").ToDictionary(
            c => c.QuerySelector("h3 a")!.GetAttribute("href")!.Split('?')[0].Split('/').Last(), c => c.TextContent);
        Assert.That(cards.Keys, Is.SupersetOf(NotStated).And.Contain("centraide-du-grand-montreal"));
        foreach (var slug in NotStated) Assert.That(cards[slug], Does.Contain("Région desservie non précisée"), slug);

        // The facet value, its exact count, shown as included; its link leaves them out, and that URL is the state.
        var unknown = page.QuerySelectorAll("#facet-region ~ ul a.facet-value")
            .Single(a => a.QuerySelector(".label")!.TextContent == "Région non précisée");
        Assert.That(unknown.GetAttribute("aria-current"), Is.EqualTo("true"), "included with a region selected");
        var expected = await _factory.WithDbAsync(_ => Task.FromResult(SeedDataOracle.Load().Published
            .Count(p => p.Values["region"].Contains(SeedDataOracle.Unknown))));
        Assert.That(int.Parse(unknown.QuerySelector(".count")!.TextContent), Is.EqualTo(expected));
        var exclude = unknown.GetAttribute("href")!;
        Assert.That(exclude, Does.Contain("region=06").And.Contain("strict=region"));

        var (_, strict) = await browsing.GetAsync(exclude);
        var strictSlugs = strict.QuerySelectorAll("ol.cards article.card h3 a").Select(a => a.GetAttribute("href")!.Split('?')[0].Split('/').Last()).ToArray();
        Assert.That(strictSlugs, Does.Contain("centraide-du-grand-montreal"));
        Assert.That(strictSlugs.Intersect(NotStated), Is.Empty, "left out knowingly");
        var again = strict.QuerySelectorAll("#facet-region ~ ul a.facet-value")
            .Single(a => a.QuerySelector(".label")!.TextContent == "Région non précisée");
        Assert.That(again.GetAttribute("aria-current"), Is.Null);
        Assert.That(again.GetAttribute("href"), Does.Not.Contain("strict"), "one more click brings them back");
        // A text search from the strict page keeps it (hidden field).
        Assert.That(strict.QuerySelector("form.search-form input[name=strict]")?.GetAttribute("value"), Is.EqualTo("region"));

        // Alone, the value shows only them.
        var (_, only) = await browsing.GetAsync("/fr/recherche?region=non-precisee&pageSize=100");
        var onlySlugs = only.QuerySelectorAll("ol.cards article.card h3 a").Select(a => a.GetAttribute("href")!.Split('?')[0].Split('/').Last()).ToArray();
        Assert.That(onlySlugs, Is.SupersetOf(NotStated).And.Not.Contain("centraide-du-grand-montreal"));
        Assert.That(onlySlugs, Has.Length.EqualTo(expected));
    }

    [Test]
    public async Task The_api_keeps_them_for_a_region_and_leaves_them_out_when_strict()
    {
        Assert.That(await _client.SlugsAsync("region=06"), Is.SupersetOf(NotStated));
        Assert.That((await _client.SlugsAsync("region=06&strict=region")).Intersect(NotStated), Is.Empty);
        Assert.That(await _client.SlugsAsync("region=non-precisee"), Is.SupersetOf(NotStated));

        var json = await _client.GetJsonAsync("/api/v1/providers?region=06&strict=region&lang=en");
        Assert.That(json.GetProperty("strict").EnumerateArray().Select(s => s.GetString()), Is.EqualTo(new[] { "region" }));
        var facet = json.GetProperty("facets").GetProperty("region").EnumerateArray()
            .Single(v => v.GetProperty("key").GetString() == "non-precisee");
        Assert.That(facet.GetProperty("label").GetString(), Is.EqualTo("Region not stated"));

        var juripop = (await _client.GetJsonAsync("/api/v1/providers?q=juripop")).GetProperty("items").EnumerateArray()
            .Single(i => i.GetProperty("slug").GetString() == "juripop");
        Assert.That(juripop.GetProperty("regionNotStated").GetBoolean(), Is.True);
        Assert.That(juripop.GetProperty("regions").GetArrayLength(), Is.Zero);

        var problem = await _client.GetJsonAsync("/api/v1/providers?region=06&strict=category", HttpStatusCode.BadRequest);
        Assert.That(problem.GetProperty("errors").TryGetProperty("strict", out _), Is.True);
    }
}
