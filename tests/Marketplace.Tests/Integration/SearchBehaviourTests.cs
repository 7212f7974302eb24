using Marketplace.Tests.Support;
using Marketplace.Web.Infrastructure.Data;

namespace Marketplace.Tests.Integration;

/// <summary>What a person typing in the search box should get, on both engines (SQLite FTS5 and PostgreSQL).</summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class SearchBehaviourTests(DatabaseProvider provider)
{
    private MarketplaceFactory _factory = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task StartSiteWithKnownListings()
    {
        _factory = await MarketplaceFactory.StartAsync(provider);
        _client = _factory.CreateClient();
        await _factory.AddProviderAsync("temoin-accents", "Atelier Témoin Accents",
            "Accompagnement en Conformité des organismes, volet quixotique.", category: "accompagnement");
        await _factory.AddProviderAsync("temoin-singulier", "Atelier Témoin Singulier",
            "Une formation quixotique sur les outils.");
        await _factory.AddProviderAsync("temoin-pluriel", "Atelier Témoin Pluriel",
            "Des formations quixotiques pour le personnel, sans matériel.");
        await _factory.AddProviderAsync("temoin-ordinateurs", "Atelier Témoin Matériel",
            "Vente d'ordinateur reconditionné quixotique.", category: "materiel");
        await _factory.AddProviderAsync("zorglub-nom", "Zorglub Numérique",
            "Services variés pour les organismes.", category: "soutien-ti");
        await _factory.AddProviderAsync("zorglub-profond", "Atelier Témoin Profond",
            "Services variés pour les organismes, notamment l'entretien des postes, la téléphonie, les sauvegardes, " +
            "la gestion des comptes et, parfois, une intervention zorglub.", category: "soutien-ti");
        await _factory.AddProviderAsync("temoin-mot-entier", "Atelier Témoin Mot Entier", "Un atelier brimborion pour les organismes.");
        await _factory.AddProviderAsync("temoin-mot-prolonge", "Atelier Témoin Mot Prolongé", "Un brimborionkat pour les organismes.");
        await _factory.AddProviderAsync("zorglub-brouillon", "Zorglub Brouillon",
            "Un brouillon zorglub jamais publié.", publish: false);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    [TestCase("conformite")]
    [TestCase("CONFORMITÉ")]
    [TestCase("Conformités")]
    public async Task Text_ignores_case_and_accents_and_plurals(string text)
    {
        var slugs = await _client.SlugsAsync($"q={Uri.EscapeDataString(text)}+quixotique");
        Assert.That(slugs, Is.EquivalentTo(new[] { "temoin-accents" }));
    }

    [Test]
    public async Task A_plural_finds_the_singular_and_the_singular_finds_the_plural()
    {
        Assert.That(await _client.SlugsAsync("q=formations+quixotique"), Does.Contain("temoin-singulier").And.Contain("temoin-pluriel"));
        Assert.That(await _client.SlugsAsync("q=formation+quixotique"), Does.Contain("temoin-singulier").And.Contain("temoin-pluriel"));
    }

    [Test]
    public async Task Inflected_adjectives_and_plural_nouns_match()
    {
        var slugs = await _client.SlugsAsync("q=" + Uri.EscapeDataString("ordinateurs reconditionnés"));
        Assert.That(slugs, Does.Contain("temoin-ordinateurs"));
    }

    [Test]
    public async Task The_last_word_matches_as_a_prefix_while_typing()
    {
        // Search-as-you-type (docs/search.md): the last word is a prefix; earlier words are whole words.
        Assert.That(await _client.SlugsAsync("q=quixo"), Does.Contain("temoin-accents").And.Contain("temoin-ordinateurs"));
        Assert.That(await _client.SlugsAsync("q=quixotique+ordi"), Is.EquivalentTo(new[] { "temoin-ordinateurs" }));
    }

    [Test]
    public async Task A_long_last_word_the_index_holds_is_taken_as_finished()
    {
        // Reading « brimborion » as a prefix would also bring « brimborionkat » (and score every word starting with it).
        Assert.That(await _client.SlugsAsync("q=brimborion"), Is.EquivalentTo(new[] { "temoin-mot-entier" }));
        Assert.That(await _client.SlugsAsync("q=brimbo"), Is.EquivalentTo(new[] { "temoin-mot-entier", "temoin-mot-prolonge" }));
        Assert.That(await _client.SlugsAsync("q=brimborionk"), Is.EquivalentTo(new[] { "temoin-mot-prolonge" }));
    }

    [Test]
    public async Task Several_words_narrow_the_results()
    {
        var one = await _client.SlugsAsync("q=quixotique");
        var two = await _client.SlugsAsync("q=quixotique+formation");
        Assert.That(one, Has.Length.EqualTo(4));
        Assert.That(two, Is.EquivalentTo(new[] { "temoin-singulier", "temoin-pluriel" }));
    }

    [Test]
    public async Task A_match_in_the_name_ranks_above_one_deep_in_a_description()
    {
        var slugs = await _client.SlugsAsync("q=zorglub");
        Assert.That(slugs, Is.EqualTo(new[] { "zorglub-nom", "zorglub-profond" }));
    }

    [Test]
    public async Task A_match_in_the_category_ranks_above_one_in_a_description()
    {
        // « Matériel informatique » is the category label of temoin-ordinateurs only among the quixotic listings.
        var slugs = await _client.SlugsAsync("q=materiel+quixotique");
        Assert.That(slugs.FirstOrDefault(), Is.EqualTo("temoin-ordinateurs"));
    }

    [Test]
    public async Task Drafts_are_never_found()
    {
        Assert.That(await _client.SlugsAsync("q=brouillon"), Does.Not.Contain("zorglub-brouillon"));
        var response = await _client.GetAsync("/fr/fournisseurs/zorglub-brouillon");
        Assert.That((int)response.StatusCode, Is.EqualTo(404));
    }

    [Test]
    public async Task Seeded_demo_searches_find_providers()
    {
        Assert.That(await _client.SlugsAsync("q=loi+25"), Does.Contain("juripop").And.Contain("coalition-interjeunes"));
        Assert.That(await _client.SlugsAsync("q=" + Uri.EscapeDataString("ordinateurs reconditionnés")), Is.Not.Empty);
        Assert.That(await _client.SlugsAsync("category=loi-25&region=06"), Is.Not.Empty);
    }

    [TestCase("\"")]
    [TestCase("*")]
    [TestCase("loi OR(")]
    [TestCase("a:b NEAR(x y)")]
    [TestCase("'; DROP TABLE providers; --")]
    [TestCase("!!! ??? &&& |||")]
    [TestCase("de la et")]
    public async Task Odd_text_never_breaks_search(string text)
    {
        var json = await _client.GetJsonAsync($"/api/v1/providers?q={Uri.EscapeDataString(text)}");
        Assert.That(json.GetProperty("total").GetInt32(), Is.GreaterThanOrEqualTo(0));
        var page = await _client.GetAsync($"/fr/recherche?q={Uri.EscapeDataString(text)}");
        Assert.That((int)page.StatusCode, Is.EqualTo(200));
    }

    [Test]
    public async Task Text_without_searchable_words_lists_everything()
    {
        var all = await _client.GetJsonAsync("/api/v1/providers");
        var stopWords = await _client.GetJsonAsync("/api/v1/providers?q=de+la");
        Assert.That(stopWords.GetProperty("total").GetInt32(), Is.EqualTo(all.GetProperty("total").GetInt32()));
    }

    [Test]
    public async Task Publishing_and_archiving_show_in_search_at_once()
    {
        await _factory.AddProviderAsync("temoin-ephemere", "Atelier Éphémère", "Un service xylophonique.");
        Assert.That(await _client.SlugsAsync("q=xylophonique"), Is.EqualTo(new[] { "temoin-ephemere" }));

        await _factory.ChangeAsync("temoin-ephemere", p => p.Archive());
        Assert.That(await _client.SlugsAsync("q=xylophonique"), Is.Empty);
        Assert.That(await _client.SlugsAsync("sort=name&page=1"), Does.Not.Contain("temoin-ephemere"));
        Assert.That((int)(await _client.GetAsync("/fr/fournisseurs/temoin-ephemere")).StatusCode, Is.EqualTo(410), "archived: gone, not missing (issue 14)");
    }

    [Test]
    public async Task Sorting_by_name_and_by_verification_date()
    {
        var byName = await _client.GetJsonAsync("/api/v1/providers?sort=name&pageSize=100");
        var names = byName.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("name").GetString()!).ToArray();
        var french = System.Globalization.CultureInfo.GetCultureInfo("fr-CA").CompareInfo;
        Assert.That(names, Is.Ordered.Using((IComparer<string>)Comparer<string>.Create((a, b) => french.Compare(a, b, System.Globalization.CompareOptions.IgnoreCase))));

        var byDate = await _client.GetJsonAsync("/api/v1/providers?sort=verified&pageSize=100");
        var dates = byDate.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("verifiedAt").GetDateTimeOffset()).ToArray();
        Assert.That(dates, Is.Ordered.Descending);
    }

    [Test]
    public async Task Pages_split_the_results_without_losing_or_repeating_any()
    {
        var all = await _client.SlugsAsync("sort=name");
        var pages = new List<string>();
        for (var page = 1; page <= (all.Length + 6) / 7; page++)
        {
            var json = await _client.GetJsonAsync($"/api/v1/providers?sort=name&pageSize=7&page={page}");
            pages.AddRange(json.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("slug").GetString()!));
        }
        Assert.That(pages, Is.EqualTo(all));
    }
}
