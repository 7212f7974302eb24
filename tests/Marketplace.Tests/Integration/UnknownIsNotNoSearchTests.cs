using System.Net;
using Marketplace.Tests.Support;
using Marketplace.Web.Infrastructure.Data;

namespace Marketplace.Tests.Integration;

/// <summary>
/// Issue 11, « Unknown is not "no" » in the search (ADR 0015), on the seed data: a region filter keeps the real
/// organizations whose service area is not stated, the region facet shows « Région non précisée » with its count, and
/// one click (a shareable URL: <c>strict=region</c>) leaves them out; the API says the same. Pricing follows the same
/// rule: <c>pricing=gratuit</c> keeps the organizations whose pricing is « Non précisé » unless <c>strict=pricing</c>.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class UnknownIsNotNoSearchTests(DatabaseProvider provider)
{
    private static readonly string[] NotStated = ["juripop", "le-consortium", "coalition-interjeunes"];
    // Seed listings whose pricing is not stated, and listings with a free offering (seed-data/providers.json).
    private static readonly string[] PricingNotStated = ["juripop", "le-consortium", "centraide-du-grand-montreal"];
    private static readonly string[] Free = ["nten", "coalition-interjeunes", "cegep-exemple-saguenay", "ordi-relais-exemple"];
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

    private static string Slug(AngleSharp.Dom.IElement card) =>
        card.QuerySelector("h3 a")!.GetAttribute("href")!.Split('?')[0].Split('/').Last();

    private static AngleSharp.Dom.IElement PricingUnknownValue(AngleSharp.Html.Dom.IHtmlDocument page) =>
        page.QuerySelectorAll("#facet-pricing ~ ul a.facet-value").Single(a => a.QuerySelector(".label")!.TextContent == "Non précisé");

    [Test]
    public async Task A_pricing_search_keeps_the_providers_whose_pricing_is_not_stated_and_says_so()
    {
        using var browsing = new Browsing(_factory);
        var (response, page) = await browsing.GetAsync("/fr/recherche?pricing=gratuit&pageSize=100");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var cards = page.QuerySelectorAll("ol.cards article.card").ToDictionary(Slug, c => c.TextContent);
        Assert.That(cards.Keys, Is.SupersetOf(PricingNotStated).And.SupersetOf(Free));
        foreach (var slug in PricingNotStated) Assert.That(cards[slug], Does.Contain("Tarification non précisée"), slug);
        Assert.That(cards["nten"], Does.Contain("Gratuit").And.Not.Contain("Tarification non précisée"));

        // « Non précisé » is shown as kept with its exact count; its link leaves them out, and that URL is the state.
        var unknown = PricingUnknownValue(page);
        Assert.That(unknown.GetAttribute("aria-current"), Is.EqualTo("true"), "kept with a pricing selected");
        var oracle = SeedDataOracle.Load().Published;
        var expected = oracle.Count(p => p.Values["pricing"].Contains(SeedDataOracle.PricingUnknown));
        Assert.That(int.Parse(unknown.QuerySelector(".count")!.TextContent), Is.EqualTo(expected));
        var exclude = unknown.GetAttribute("href")!;
        Assert.That(exclude, Does.Contain("pricing=gratuit").And.Contain("strict=pricing").And.Not.Contain("pricing=non-precise"));

        var (_, strict) = await browsing.GetAsync(exclude);
        var strictSlugs = strict.QuerySelectorAll("ol.cards article.card").Select(Slug).ToArray();
        Assert.That(strictSlugs, Is.SupersetOf(Free));
        Assert.That(strictSlugs.Intersect(PricingNotStated), Is.Empty, "left out knowingly");
        Assert.That(strictSlugs, Has.Length.EqualTo(oracle.Count(p => p.Values["pricing"].Contains("gratuit"))));
        var again = PricingUnknownValue(strict);
        Assert.That(again.GetAttribute("aria-current"), Is.Null);
        Assert.That(again.GetAttribute("href"), Does.Not.Contain("strict").And.Contain("pricing=gratuit"), "one more click brings them back");
        Assert.That(strict.QuerySelector("form.search-form input[name=strict]")?.GetAttribute("value"), Is.EqualTo("pricing"));

        // The way back from a provider page keeps strict too.
        var (_, providerPage) = await browsing.GetAsync(strict.QuerySelector("ol.cards article.card h3 a")!.GetAttribute("href")!);
        Assert.That(providerPage.QuerySelector("nav.breadcrumb a")!.GetAttribute("href"), Does.Contain("strict=pricing"));

        // Alone, the value shows only them, each saying so.
        var (_, only) = await browsing.GetAsync("/fr/recherche?pricing=non-precise&pageSize=100");
        var onlyCards = only.QuerySelectorAll("ol.cards article.card").ToDictionary(Slug, c => c.TextContent);
        Assert.That(onlyCards.Keys, Is.SupersetOf(PricingNotStated).And.Not.Contain("nten"));
        Assert.That(onlyCards, Has.Count.EqualTo(expected));
        Assert.That(onlyCards.Values, Has.All.Contain("Tarification non précisée"));

        // Without a pricing filter, cards stay as they were.
        var (_, plain) = await browsing.GetAsync("/fr/recherche?q=juripop");
        var juripop = plain.QuerySelectorAll("ol.cards article.card").Single(c => Slug(c) == "juripop");
        Assert.That(juripop.TextContent, Does.Not.Contain("Tarification"));
    }

    [Test]
    public async Task The_api_keeps_them_for_a_pricing_and_leaves_them_out_when_strict()
    {
        Assert.That(await _client.SlugsAsync("pricing=gratuit"), Is.SupersetOf(PricingNotStated).And.SupersetOf(Free));
        var strict = await _client.SlugsAsync("pricing=gratuit&strict=pricing");
        Assert.That(strict, Is.SupersetOf(Free));
        Assert.That(strict.Intersect(PricingNotStated), Is.Empty);
        Assert.That(await _client.SlugsAsync("pricing=non-precise"), Is.SupersetOf(PricingNotStated).And.Not.Contain("nten"));

        var json = await _client.GetJsonAsync("/api/v1/providers?pricing=gratuit&region=06&strict=pricing,region&lang=en");
        Assert.That(json.GetProperty("strict").EnumerateArray().Select(s => s.GetString()), Is.EqualTo(new[] { "region", "pricing" }));
        var items = (await _client.GetJsonAsync("/api/v1/providers?pricing=gratuit&pageSize=100")).GetProperty("items").EnumerateArray()
            .ToDictionary(i => i.GetProperty("slug").GetString()!, i => i.GetProperty("pricingNotStated").GetBoolean());
        Assert.That(items["juripop"], Is.True);
        Assert.That(items["nten"], Is.False);
    }
}
