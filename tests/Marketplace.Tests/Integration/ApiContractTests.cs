using System.Net;
using System.Text.Json;
using Marketplace.Tests.Support;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Tests.Integration;

/// <summary>The open JSON API's contract: shape, languages, validation as problem+json.</summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class ApiContractTests(DatabaseProvider provider)
{
    private static readonly string[] FacetKeys = ["category", "region", "language", "pricing", "legalForm", "delivery", "funding"];
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
    public async Task The_response_has_total_paging_items_and_every_facet()
    {
        var response = await _client.GetAsync("/api/v1/providers?q=loi&pageSize=5");
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.That(json.GetProperty("total").GetInt32(), Is.GreaterThan(0));
        Assert.That(json.GetProperty("page").GetInt32(), Is.EqualTo(1));
        Assert.That(json.GetProperty("pageSize").GetInt32(), Is.EqualTo(5));
        var items = json.GetProperty("items").EnumerateArray().ToArray();
        Assert.That(items, Has.Length.InRange(1, 5));
        foreach (var item in items)
        {
            Assert.That(item.GetProperty("slug").GetString(), Does.Match("^[a-z0-9-]+$"));
            Assert.That(item.GetProperty("name").GetString(), Is.Not.Empty);
            Assert.That(item.GetProperty("url").GetString(), Does.EndWith("/fr/fournisseurs/" + item.GetProperty("slug").GetString()));
            Assert.That(item.GetProperty("categories").GetArrayLength(), Is.GreaterThan(0));
            Assert.That(item.GetProperty("regions").ValueKind, Is.EqualTo(JsonValueKind.Array));
            Assert.That(item.GetProperty("regionNotStated").ValueKind, Is.AnyOf(JsonValueKind.True, JsonValueKind.False));
            Assert.That(item.GetProperty("pricingNotStated").ValueKind, Is.AnyOf(JsonValueKind.True, JsonValueKind.False));
        }
        Assert.That(json.GetProperty("strict").GetArrayLength(), Is.Zero);
        var facets = json.GetProperty("facets");
        Assert.That(facets.EnumerateObject().Select(p => p.Name), Is.EquivalentTo(FacetKeys));
        foreach (var key in FacetKeys)
            foreach (var value in facets.GetProperty(key).EnumerateArray())
            {
                Assert.That(value.GetProperty("key").GetString(), Is.Not.Empty);
                Assert.That(value.GetProperty("label").GetString(), Is.Not.Empty);
                Assert.That(value.GetProperty("count").GetInt32(), Is.GreaterThanOrEqualTo(0));
            }
    }

    [Test]
    public async Task Each_item_lists_its_offerings_categories_and_regions_once_in_the_taxonomys_order()
    {
        var json = JsonDocument.Parse(await _client.GetStringAsync("/api/v1/providers?pageSize=100")).RootElement;
        string[] Order(string facet) => json.GetProperty("facets").GetProperty(facet).EnumerateArray().Select(v => v.GetProperty("key").GetString()!).ToArray();
        var categoryOrder = Order("category");
        var regionOrder = Order("region");
        var offerings = await _factory.WithDbAsync(db => db.Providers.AsNoTracking()
            .Select(p => new { p.Slug, Offerings = p.Offerings.Select(o => new { o.CategoryKey, o.ServesAllQuebec, o.RegionCodes }).ToList() })
            .ToDictionaryAsync(p => p.Slug));
        var items = json.GetProperty("items").EnumerateArray().ToArray();
        Assert.That(items, Has.Length.EqualTo(Math.Min(100, json.GetProperty("total").GetInt32())));
        var checkedRegions = 0;
        foreach (var item in items)
        {
            var slug = item.GetProperty("slug").GetString()!;
            var own = offerings[slug].Offerings;
            string[] Keys(string name) => item.GetProperty(name).EnumerateArray().Select(k => k.GetString()!).ToArray();
            Assert.That(Keys("categories"), Is.EqualTo(categoryOrder.Where(k => own.Any(o => o.CategoryKey == k)).ToArray()), slug);
            if (own.Any(o => o.ServesAllQuebec)) continue;
            Assert.That(Keys("regions"), Is.EqualTo(regionOrder.Where(k => own.Any(o => o.RegionCodes.Contains(k))).ToArray()), slug);
            checkedRegions += Keys("regions").Length > 1 ? 1 : 0;
        }
        Assert.That(checkedRegions, Is.GreaterThan(0), "some provider serves several regions");
    }

    [Test]
    public async Task Labels_and_urls_follow_lang()
    {
        var fr = await _client.GetJsonAsync("/api/v1/providers?category=materiel&lang=fr");
        var en = await _client.GetJsonAsync("/api/v1/providers?category=materiel&lang=en");
        string Label(JsonElement j) => j.GetProperty("facets").GetProperty("category").EnumerateArray()
            .First(v => v.GetProperty("key").GetString() == "materiel").GetProperty("label").GetString()!;
        Assert.That(Label(fr), Does.StartWith("Matériel"));
        Assert.That(Label(en), Does.Contain("hardware"));
        Assert.That(en.GetProperty("items")[0].GetProperty("url").GetString(), Does.Contain("/en/providers/"));
        var legalFr = fr.GetProperty("facets").GetProperty("legalForm").EnumerateArray().Select(v => v.GetProperty("label").GetString());
        Assert.That(legalFr, Does.Contain("Coopérative"));
    }

    [TestCase("category=nope", "category")]
    [TestCase("region=18", "region")]
    [TestCase("region=6", "region")]
    [TestCase("sort=random", "sort")]
    [TestCase("page=0", "page")]
    [TestCase("page=abc", "page")]
    [TestCase("pageSize=1000", "pageSize")]
    [TestCase("lang=de", "lang")]
    [TestCase("categroy=loi-25", "categroy")]
    [TestCase("pricing=gratuit&strict=delivery", "strict")]
    [TestCase("strict=category", "strict")]
    public async Task Invalid_parameters_get_a_400_problem_in_french(string query, string field)
    {
        var response = await _client.GetAsync($"/api/v1/providers?{query}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.That(json.GetProperty("status").GetInt32(), Is.EqualTo(400));
        Assert.That(json.GetProperty("title").GetString(), Is.EqualTo("Paramètres de recherche invalides."));
        Assert.That(json.GetProperty("errors").TryGetProperty(field, out _), Is.True, json.ToString());
    }

    [TestCase("region=06&strict=region", "region")]
    [TestCase("language=fr&strict=language", "language")]
    [TestCase("pricing=gratuit&strict=pricing", "pricing")]
    [TestCase("pricing=gratuit&region=06&strict=region,pricing", "region", "pricing")]
    public async Task Strict_names_the_facets_whose_unknown_value_a_selection_leaves_out(string query, params string[] strict)
    {
        var json = await _client.GetJsonAsync($"/api/v1/providers?{query}");
        Assert.That(json.GetProperty("strict").EnumerateArray().Select(s => s.GetString()), Is.EqualTo(strict));
    }

    [Test]
    public async Task Problems_are_in_english_when_lang_is_en()
    {
        var json = await _client.GetJsonAsync("/api/v1/providers?category=nope&lang=en", HttpStatusCode.BadRequest);
        Assert.That(json.GetProperty("title").GetString(), Is.EqualTo("Invalid search parameters."));
        Assert.That(json.GetProperty("detail").GetString(), Does.Contain("does not exist"));
    }

    [Test]
    public async Task A_page_past_the_end_is_empty_not_an_error()
    {
        var json = await _client.GetJsonAsync("/api/v1/providers?page=999");
        Assert.That(json.GetProperty("items").GetArrayLength(), Is.Zero);
        Assert.That(json.GetProperty("total").GetInt32(), Is.GreaterThan(0));
    }

    [Test]
    public async Task Unknown_api_routes_answer_problem_json_404()
    {
        var response = await _client.GetAsync("/api/v1/nothing-here");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
    }
}
