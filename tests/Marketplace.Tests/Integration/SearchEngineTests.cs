using System.Diagnostics;
using System.Net;
using Marketplace.Tests.Support;
using Marketplace.Web.Infrastructure.Cli;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Search;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Tests.Integration;

/// <summary>
/// The Lucene.Net engine of issue 13 (docs/search.md): live updates applied listing by listing on every instance, a
/// restart that catches up from the index on disk, highlights, « Vouliez-vous dire » and the approximate fallback.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class SearchEngineTests(DatabaseProvider provider)
{
    private MarketplaceFactory _factory = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _factory = await MarketplaceFactory.StartAsync(provider);
        _client = _factory.CreateClient();
        await _factory.AddProviderAsync("temoin-surligne", "Atelier Surligné",
            "Nous offrons un accompagnement <b>quixotique</b> & sérieux aux organismes de la région, depuis longtemps.",
            offeringDescription: "Audit quixotique des outils numériques, rapport et plan d'action.");
        await _factory.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<MarketplaceDbContext>();
            var p = db.Providers.Single(x => x.Slug == "temoin-surligne");
            p.Describe(p.Name, p.LegalForm, p.SocialEconomy, p.DescriptionFr, "We offer quixotic <i>coaching</i> to community groups.",
                p.Neq, p.HeadOfficeRegion, p.Website);
            await db.SaveChangesAsync();
            await sp.GetRequiredService<ISearchIndexer>().ProviderChangedAsync(p.Id, CancellationToken.None);
        });
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    private LuceneSearchIndex Index(MarketplaceFactory factory) => factory.Services.GetRequiredService<LuceneSearchIndex>();

    private MarketplaceFactory SecondInstance(string name) =>
        new(_factory.Database, settings: new Dictionary<string, string>
        {
            ["Marketplace:DataDirectory"] = Path.Combine(_factory.Database.DataDirectory, name),
            ["Marketplace:InitializeDatabaseOnStartup"] = "false",
        }, ownsDatabase: false);

    private static async Task<TimeSpan> UntilAsync(Func<Task<bool>> condition, TimeSpan limit)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > limit) Assert.Fail($"not seen within {limit.TotalSeconds} s");
            await Task.Delay(20);
        }
        return watch.Elapsed;
    }

    [Test]
    public async Task A_listing_published_on_one_instance_is_found_on_another_within_two_seconds_and_only_it_is_applied()
    {
        await using var other = SecondInstance("instance-b");
        using var otherClient = other.CreateClient();
        Assert.That(await otherClient.SlugsAsync("q=quixotique"), Does.Contain("temoin-surligne"), "the second instance is up");

        await _factory.AddProviderAsync("temoin-ailleurs", "Atelier Ailleurs", "Un service zygomatique.");
        Assert.That(await _client.SlugsAsync("q=zygomatique"), Is.EqualTo(new[] { "temoin-ailleurs" }), "at once where it was made");
        var seen = await UntilAsync(async () => (await otherClient.SlugsAsync("q=zygomatique")).Contains("temoin-ailleurs"), TimeSpan.FromSeconds(2));
        TestContext.Out.WriteLine($"visible on the other instance after {seen.TotalMilliseconds:0} ms");
        Assert.That(Index(other).LastApply, Is.Not.Null);
        Assert.That(Index(other).LastApply!.Rebuilt, Is.False, "the other instance applied the change, it did not rebuild");
        Assert.That(Index(other).LastApply!.Listings, Is.EqualTo(1));

        await _factory.ChangeAsync("temoin-ailleurs", p => p.Archive());
        Assert.That(await _client.SlugsAsync("q=zygomatique"), Is.Empty);
        await UntilAsync(async () => (await otherClient.SlugsAsync("q=zygomatique")).Length == 0, TimeSpan.FromSeconds(2));
    }

    [Test]
    public async Task A_restart_catches_up_from_the_index_on_disk_instead_of_rebuilding()
    {
        var first = SecondInstance("restarted");
        using (var client = first.CreateClient())
            Assert.That(await client.SlugsAsync("q=quixotique"), Does.Contain("temoin-surligne"));
        Assert.That(Index(first).LastApply!.Rebuilt, Is.True, "a new data directory starts with a full build");
        await first.DisposeAsync();

        // While it is stopped, a listing is published elsewhere.
        await _factory.AddProviderAsync("temoin-pendant", "Atelier Pendant", "Un service hippocampique.");

        await using var again = SecondInstance("restarted");
        using var againClient = again.CreateClient();
        Assert.That(await againClient.SlugsAsync("q=hippocampique"), Is.EqualTo(new[] { "temoin-pendant" }));
        var report = Index(again).LastApply!;
        Assert.That(report.Rebuilt, Is.False, "caught up from the index on disk");
        Assert.That(report.OpenedFromDisk, Is.True);
        Assert.That(report.Listings, Is.GreaterThanOrEqualTo(1));
    }

    [Test]
    public async Task Reindex_asks_every_running_instance_to_rebuild()
    {
        await using var other = SecondInstance("reindexed");
        using var otherClient = other.CreateClient();
        Assert.That(await otherClient.SlugsAsync("q=quixotique"), Does.Contain("temoin-surligne"));
        var before = Index(other).AppliedVersion;

        using var output = new StringWriter();
        Assert.That(await CommandLine.RunAsync(_factory.Services, ["reindex"], output, CancellationToken.None), Is.Zero, output.ToString());
        Assert.That(Index(_factory).LastApply!.Rebuilt, Is.True, "the instance that ran it rebuilt at once");
        await UntilAsync(() => Task.FromResult(Index(other).AppliedVersion > before), TimeSpan.FromSeconds(2));
        Assert.That(Index(other).LastApply!.Rebuilt, Is.True);
        Assert.That(await otherClient.SlugsAsync("q=quixotique"), Does.Contain("temoin-surligne"));
    }

    [Test]
    public async Task A_card_shows_the_passage_that_matched_with_the_words_marked_and_the_text_encoded()
    {
        var json = await _client.GetJsonAsync("/api/v1/providers?q=quixotique");
        var item = json.GetProperty("items").EnumerateArray().Single(i => i.GetProperty("slug").GetString() == "temoin-surligne");
        var highlight = item.GetProperty("highlight").GetString()!;
        Assert.That(highlight, Does.Contain("<mark>quixotique</mark>"));

        var page = await _client.GetStringAsync("/fr/recherche?q=" + Uri.EscapeDataString("sérieux quixotique"));
        Assert.That(System.Net.WebUtility.HtmlDecode(page), Does.Contain("<mark>quixotique</mark>").And.Contain("<mark>sérieux</mark>"),
            "the passage with both words: the description, not the offering");
        Assert.That(page, Does.Contain("&lt;b&gt;").Or.Contain("&lt;/b&gt;"), "the description's own markup is text, not HTML");
        Assert.That(page, Does.Not.Contain("<b><mark>").And.Not.Contain("<b>quixotique"));
        Assert.That(page, Does.Contain("&lt;b&gt;<mark>quixotique</mark>&lt;/b&gt; &amp; <mark>"), "the passage keeps its own spacing");

        var english = await _client.GetStringAsync("/en/search?q=quixotic");
        Assert.That(english, Does.Contain("<mark>quixotic</mark>"), "the English page highlights the English text");
        Assert.That(english, Does.Contain("&lt;i&gt;coaching&lt;/i&gt;"));
    }

    [Test]
    public async Task A_card_matched_by_its_category_shows_the_label_in_the_page_language_and_an_english_page_falls_back_to_french_text()
    {
        // Matched by its name (not a passage) and its category's label only: the passage is the label.
        await _factory.AddProviderAsync("temoin-etiquette", "Atelier Zorglub", "Un organisme de quartier.", category: "cybersecurite",
            offeringDescription: "Offre de test.");
        var french = await _client.GetJsonAsync("/api/v1/providers?q=" + Uri.EscapeDataString("zorglub cybersécurité"));
        Assert.That(Highlight(french, "temoin-etiquette"), Is.EqualTo("<mark>Cybersécurité</mark>"));
        var english = await _client.GetStringAsync("/en/search?q=" + Uri.EscapeDataString("zorglub cybersecurity"));
        Assert.That(english, Does.Contain("<mark>Cybersecurity</mark>"), "the English label on the English page");

        // No English text at all: the English page shows where the French offering matched.
        await _factory.AddProviderAsync("temoin-francais", "Atelier Francophone", "Un organisme de quartier.",
            offeringDescription: "Ateliers xylophoniques pour les bénévoles.");
        var fallback = await _client.GetJsonAsync("/api/v1/providers?lang=en&q=xylophoniques");
        Assert.That(Highlight(fallback, "temoin-francais"), Is.EqualTo("Ateliers <mark>xylophoniques</mark> pour les bénévoles."));

        static string? Highlight(System.Text.Json.JsonElement json, string slug) => json.GetProperty("items").EnumerateArray()
            .Single(i => i.GetProperty("slug").GetString() == slug).GetProperty("highlight").GetString();
    }

    [Test]
    public async Task Markup_in_a_description_is_never_written_as_html_on_the_card()
    {
        await _factory.AddProviderAsync("temoin-balise", "Atelier Balise",
            "Un service ornithorynque <script>alert(1)</script> <mark>faux</mark> & fin.");
        var page = await _client.GetStringAsync("/fr/recherche?q=ornithorynque");
        Assert.That(page, Does.Contain("<mark>ornithorynque</mark>"));
        Assert.That(page, Does.Not.Contain("<script>alert(1)</script>"));
        Assert.That(page, Does.Not.Contain("<mark>faux</mark>"), "a <mark> typed in a description stays text");
        Assert.That(page, Does.Contain("&lt;script&gt;"));
    }

    [Test]
    public async Task A_misspelt_word_gets_a_did_you_mean_from_the_index_and_results_from_its_closest_spelling()
    {
        var json = await _client.GetJsonAsync("/api/v1/providers?q=quixotiqe");
        Assert.That(json.GetProperty("suggestion").GetString(), Is.EqualTo("quixotique"));
        Assert.That(json.GetProperty("approximate").GetBoolean(), Is.True);
        Assert.That(json.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("slug").GetString()), Does.Contain("temoin-surligne"));

        var page = await _client.GetStringAsync("/fr/recherche?q=formaton");
        Assert.That(page, Does.Contain("Vouliez-vous dire :"));
        Assert.That(page, Does.Contain("href=\"/fr/recherche?q=formation\""));

        var exact = await _client.GetJsonAsync("/api/v1/providers?q=quixotique");
        Assert.That(exact.GetProperty("suggestion").ValueKind, Is.EqualTo(System.Text.Json.JsonValueKind.Null), "a known word gets no suggestion");
        Assert.That(exact.GetProperty("approximate").GetBoolean(), Is.False);
    }

    [Test]
    public async Task A_word_nobody_wrote_finds_nothing_rather_than_anything()
    {
        var json = await _client.GetJsonAsync("/api/v1/providers?q=xqzwvbk");
        Assert.That(json.GetProperty("total").GetInt32(), Is.Zero);
        var page = await _client.GetAsync("/fr/recherche?q=xqzwvbk");
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}
