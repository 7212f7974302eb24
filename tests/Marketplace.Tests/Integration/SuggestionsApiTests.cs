using System.Net;
using System.Text.Json;
using Marketplace.Tests.Support;
using Marketplace.Web.Infrastructure.Data;

namespace Marketplace.Tests.Integration;

/// <summary>
/// What the search box proposes while someone types (GET /api/v1/suggestions, ADR 0026), on the seed data and on both
/// databases: categories and provider names from their first letters, accents ignored, in the asked language.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class SuggestionsApiTests(DatabaseProvider provider)
{
    private const string HostileName = "<script>alert('zyxa')</script> Zyxalotl";
    private MarketplaceFactory _factory = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _factory = await MarketplaceFactory.StartAsync(provider);
        _client = _factory.CreateClient();
        await _factory.AddProviderAsync("zyxalotl", HostileName, "Un nom écrit pour tenter d'injecter un script.");
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    private static (string Key, string Label, string Url)[] Categories(JsonElement json) =>
        json.GetProperty("categories").EnumerateArray()
            .Select(c => (c.GetProperty("key").GetString()!, c.GetProperty("label").GetString()!, c.GetProperty("url").GetString()!))
            .ToArray();

    private static (string Slug, string Name, string Url)[] Providers(JsonElement json) =>
        json.GetProperty("providers").EnumerateArray()
            .Select(p => (p.GetProperty("slug").GetString()!, p.GetProperty("name").GetString()!, p.GetProperty("url").GetString()!))
            .ToArray();

    [Test]
    public async Task Form_proposes_the_training_category_and_providers_whose_name_starts_so()
    {
        var json = await _client.GetJsonAsync("/api/v1/suggestions?q=form");

        var training = Categories(json).Single(c => c.Key == "formation");
        Assert.That(training.Label, Is.EqualTo("Formation et compétences numériques"));
        Assert.That(training.Url, Is.EqualTo("/fr/recherche?category=formation"));
        var providers = Providers(json);
        Assert.That(providers.Select(p => p.Slug), Does.Contain("formatrice-autonome-exemple"));
        Assert.That(providers.Single(p => p.Slug == "formatrice-autonome-exemple").Url, Is.EqualTo("/fr/fournisseurs/formatrice-autonome-exemple"));
    }

    [Test]
    public async Task The_first_letters_of_a_providers_name_propose_it()
    {
        var json = await _client.GetJsonAsync("/api/v1/suggestions?q=insert&lang=fr");
        Assert.That(Providers(json), Is.EqualTo(new[] { ("insertech", "Insertech", "/fr/fournisseurs/insertech") }));
    }

    [TestCase("reemp")]
    [TestCase("RÉEMP")]
    [TestCase("Réemploi inf")]
    public async Task Accents_and_case_are_ignored(string typed)
    {
        var json = await _client.GetJsonAsync($"/api/v1/suggestions?q={Uri.EscapeDataString(typed)}");
        Assert.That(Providers(json).Select(p => p.Name), Does.Contain("Atelier Réemploi Informatique de l'Est (fictif)"));
    }

    [Test]
    public async Task Lang_en_gives_english_labels_and_english_links()
    {
        var json = await _client.GetJsonAsync("/api/v1/suggestions?q=train&lang=en");
        var training = Categories(json).Single(c => c.Key == "formation");
        Assert.That(training.Label, Is.EqualTo("Training and digital skills"));
        Assert.That(training.Url, Is.EqualTo("/en/search?category=formation"));

        var insertech = Providers(await _client.GetJsonAsync("/api/v1/suggestions?q=insert&lang=en")).Single();
        Assert.That(insertech.Url, Is.EqualTo("/en/providers/insertech"));
    }

    [Test]
    public async Task A_listing_published_after_suggestions_were_asked_is_proposed_at_once()
    {
        // The names are read once for suggestions, then kept while the listings keep them: a new one must not wait for a restart.
        Assert.That(Providers(await _client.GetJsonAsync("/api/v1/suggestions?q=quetz")), Is.Empty);
        await _factory.AddProviderAsync("quetzal-numerique", "Quetzal numérique", "Un fournisseur publié pendant que le site tourne.");
        Assert.That(Providers(await _client.GetJsonAsync("/api/v1/suggestions?q=quetza")).Select(p => p.Slug), Does.Contain("quetzal-numerique"));
        await _factory.ChangeAsync("quetzal-numerique", p => p.Archive());
        Assert.That(Providers(await _client.GetJsonAsync("/api/v1/suggestions?q=quetzal")), Is.Empty, "archived: no longer proposed");
    }

    [Test]
    public async Task Drafts_and_archived_listings_are_never_proposed()
    {
        Assert.That(Providers(await _client.GetJsonAsync("/api/v1/suggestions?q=brouillon")), Is.Empty);
        Assert.That(Providers(await _client.GetJsonAsync("/api/v1/suggestions?q=ancien+fourn")), Is.Empty);
        Assert.That(Providers(await _client.GetJsonAsync("/api/v1/suggestions?q=fiche+en+att")), Is.Empty);
    }

    [Test]
    public async Task At_most_six_providers_and_five_categories_are_proposed()
    {
        var json = await _client.GetJsonAsync("/api/v1/suggestions?q=exemple");
        Assert.That(Providers(json), Has.Length.EqualTo(6), "more than six seed names contain « Exemple »");
        Assert.That(Categories(json), Has.Length.LessThanOrEqualTo(5));
    }

    [TestCase("")]
    [TestCase("f")]
    [TestCase("%20%20f%20")]
    public async Task Nothing_or_one_letter_gets_empty_lists(string typed)
    {
        var json = await _client.GetJsonAsync($"/api/v1/suggestions?q={typed}");
        Assert.That(Categories(json), Is.Empty);
        Assert.That(Providers(json), Is.Empty);
    }

    [Test]
    public async Task Answers_are_public_and_cached_for_a_minute()
    {
        var response = await _client.GetAsync("/api/v1/suggestions?q=form");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        Assert.That(response.Headers.CacheControl?.Public, Is.True);
        Assert.That(response.Headers.CacheControl?.MaxAge, Is.EqualTo(TimeSpan.FromSeconds(60)));
    }

    [Test]
    public async Task A_name_with_markup_comes_back_as_json_text_never_as_markup()
    {
        var response = await _client.GetAsync("/api/v1/suggestions?q=zyxal");
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/json"));
        Assert.That(response.Headers.GetValues("X-Content-Type-Options"), Does.Contain("nosniff"));
        // As JSON with nosniff, a browser never renders it as a page; the search box inserts it as text (browser test).
        var json = JsonDocument.Parse(body).RootElement;
        Assert.That(Providers(json).Single().Name, Is.EqualTo(HostileName));
    }

    private static readonly string TooLong = "q=" + new string('x', 201);

    [TestCase("too-long", "q")]
    [TestCase("q=form&lang=de", "lang")]
    [TestCase("q=form&lang=fr&lang=en", "lang")]
    [TestCase("q=form&q=insert", "q")]
    [TestCase("q=form&category=formation", "category")]
    public async Task Bad_input_gets_a_400_problem_in_french(string query, string field)
    {
        if (query == "too-long") query = TooLong;
        var response = await _client.GetAsync($"/api/v1/suggestions?{query}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.That(json.GetProperty("status").GetInt32(), Is.EqualTo(400));
        Assert.That(json.GetProperty("title").GetString(), Is.EqualTo("Paramètres de recherche invalides."));
        Assert.That(json.GetProperty("errors").TryGetProperty(field, out _), Is.True, json.ToString());
    }

    [Test]
    public async Task A_text_of_the_longest_allowed_length_is_not_an_error()
    {
        await _client.GetJsonAsync("/api/v1/suggestions?q=" + new string('x', 200));
    }

    [Test]
    public async Task Problems_are_in_english_when_lang_is_en()
    {
        var json = await _client.GetJsonAsync("/api/v1/suggestions?lang=en&q=" + new string('x', 201), HttpStatusCode.BadRequest);
        Assert.That(json.GetProperty("title").GetString(), Is.EqualTo("Invalid search parameters."));
        Assert.That(json.GetProperty("detail").GetString(), Is.EqualTo("The search text is longer than 200 characters."));
    }
}
