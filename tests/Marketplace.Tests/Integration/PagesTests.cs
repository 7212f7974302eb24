using System.Net;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Marketplace.Tests.Support;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Marketplace.Tests.Integration;

/// <summary>The server-rendered pages, in French by default and in English under /en, without JavaScript.</summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class PagesTests(DatabaseProvider provider)
{
    private MarketplaceFactory _factory = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _factory = await MarketplaceFactory.StartAsync(provider);
        _client = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    private async Task<IHtmlDocument> PageAsync(string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await _client.GetAsync(url);
        var html = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), $"GET {url}");
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
        return new HtmlParser().ParseDocument(html);
    }

    [Test]
    public async Task The_root_sends_to_french()
    {
        var response = await _client.GetAsync("/");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(response.Headers.Location?.ToString(), Is.EqualTo("/fr"));
    }

    [TestCase("/fr", "fr-CA")]
    [TestCase("/fr/recherche", "fr-CA")]
    [TestCase("/fr/a-propos", "fr-CA")]
    [TestCase("/fr/fournisseurs/nord-ouvert", "fr-CA")]
    [TestCase("/en", "en-CA")]
    [TestCase("/en/search", "en-CA")]
    [TestCase("/en/about", "en-CA")]
    [TestCase("/en/providers/nord-ouvert", "en-CA")]
    public async Task Every_page_has_its_language_one_heading_a_skip_link_and_the_demo_notice(string url, string lang)
    {
        var page = await PageAsync(url);
        Assert.That(page.DocumentElement.GetAttribute("lang"), Is.EqualTo(lang));
        Assert.That(page.QuerySelectorAll("h1"), Has.Length.EqualTo(1));
        Assert.That(page.QuerySelector("a.skip-link")?.GetAttribute("href"), Is.EqualTo("#main"));
        Assert.That(page.QuerySelector("main#main"), Is.Not.Null);
        Assert.That(page.QuerySelector(".demo-banner")?.TextContent,
            Does.Contain(lang == "fr-CA" ? "documents publics" : "public documents"));
    }

    [Test]
    public async Task The_search_page_shows_results_and_facets_with_counts_in_french()
    {
        var page = await PageAsync("/fr/recherche?q=loi+25");
        Assert.That(page.QuerySelector("#results-heading")?.TextContent, Does.Match(@"Fournisseurs trouvés : \d+"));
        Assert.That(page.QuerySelectorAll(".results .card"), Is.Not.Empty);
        var facetHeadings = page.QuerySelectorAll(".facet h3").Select(h => h.TextContent).ToArray();
        Assert.That(facetHeadings, Does.Contain("Besoin").And.Contain("Région desservie"));
        var loi25 = page.QuerySelectorAll("a.facet-value").First(a => a.TextContent.Contains("Conformité Loi 25"));
        Assert.That(loi25.QuerySelector(".count")?.TextContent, Does.Match(@"^\d+$"));
        Assert.That(loi25.GetAttribute("href"), Does.Contain("category=loi-25").And.Contain("q=loi"));
        Assert.That(page.QuerySelector("form[role=search]")?.GetAttribute("method"), Is.EqualTo("get"));
    }

    [Test]
    public async Task A_selected_facet_value_is_marked_and_its_link_removes_it()
    {
        var page = await PageAsync("/fr/recherche?category=loi-25&region=06");
        var selected = page.QuerySelectorAll("a.facet-value.selected").ToArray();
        // The two chosen values, and « Région non précisée »: kept with a region unless strict (ADR 0015).
        Assert.That(selected, Has.Length.EqualTo(3));
        Assert.That(selected.Select(a => a.QuerySelector(".label")!.TextContent), Does.Contain("Région non précisée"));
        Assert.That(selected.All(a => a.GetAttribute("aria-current") == "true"));
        var loi25 = selected.First(a => a.TextContent.Contains("Conformité Loi 25"));
        Assert.That(loi25.GetAttribute("href"), Does.Not.Contain("category=loi-25").And.Contain("region=06"));
        Assert.That(page.QuerySelectorAll("input[type=hidden][name=category]").Select(i => i.GetAttribute("value")), Does.Contain("loi-25"));
    }

    [Test]
    public async Task The_language_switch_keeps_the_page_and_the_search()
    {
        var fr = await PageAsync("/fr/recherche?q=loi&category=loi-25");
        Assert.That(fr.QuerySelector("a.lang-switch")?.GetAttribute("href"), Is.EqualTo("/en/search?q=loi&category=loi-25"));
        var provider = await PageAsync("/en/providers/nord-ouvert");
        Assert.That(provider.QuerySelector("a.lang-switch")?.GetAttribute("href"), Is.EqualTo("/fr/fournisseurs/nord-ouvert"));
        var en = await PageAsync("/en/search?q=loi&category=loi-25");
        Assert.That(en.QuerySelector("#results-heading")?.TextContent, Does.Match(@"Providers found: \d+"));
    }

    [Test]
    public async Task A_provider_page_shows_every_offering_and_its_verification_date()
    {
        var page = await PageAsync("/fr/fournisseurs/nord-ouvert");
        Assert.That(page.QuerySelector("h1")?.TextContent, Is.EqualTo("Nord Ouvert"));
        Assert.That(page.QuerySelectorAll("section.offering"), Has.Length.GreaterThan(1));
        Assert.That(page.QuerySelector("time")?.TextContent, Does.Contain("vérifié le 21 novembre 2026"));
        Assert.That(page.QuerySelector(".badge-demo"), Is.Not.Null);
    }

    [TestCase("/fr/fournisseurs/n-existe-pas", "Page introuvable", "fr-CA")]
    [TestCase("/fr/fournisseurs/NOT..valid", "Page introuvable", "fr-CA")]
    [TestCase("/fr/nulle-part", "Page introuvable", "fr-CA")]
    [TestCase("/en/nowhere", "Page not found", "en-CA")]
    [TestCase("/nowhere", "Page introuvable", "fr-CA")]
    public async Task Unknown_pages_get_a_helpful_404_in_the_right_language(string url, string heading, string lang)
    {
        var page = await PageAsync(url, HttpStatusCode.NotFound);
        Assert.That(page.QuerySelector("h1")?.TextContent, Is.EqualTo(heading));
        Assert.That(page.DocumentElement.GetAttribute("lang"), Is.EqualTo(lang));
        Assert.That(page.QuerySelector("form[role=search]"), Is.Not.Null);
    }

    [Test]
    public async Task An_unknown_filter_value_gets_a_400_page_that_says_why_in_french()
    {
        var page = await PageAsync("/fr/recherche?category=inexistante", HttpStatusCode.BadRequest);
        Assert.That(page.QuerySelector("[role=alert]")?.TextContent, Does.Contain("« inexistante » n'existe pas"));
        var en = await PageAsync("/en/search?page=zero", HttpStatusCode.BadRequest);
        Assert.That(en.QuerySelector("[role=alert]")?.TextContent, Does.Contain("must be a whole number"));
    }

    [Test]
    public async Task Every_response_carries_the_security_headers()
    {
        foreach (var url in new[] { "/fr", "/api/v1/providers", "/fr/nulle-part" })
        {
            var response = await _client.GetAsync(url);
            Assert.That(response.Headers.GetValues("Content-Security-Policy").Single(),
                Does.Contain("frame-ancestors 'none'").And.Contain("script-src 'self'").And.Not.Contain("unsafe-inline"), url);
            Assert.That(response.Headers.GetValues("X-Content-Type-Options").Single(), Is.EqualTo("nosniff"));
            Assert.That(response.Headers.Contains("Referrer-Policy"), url);
        }
    }

    [Test]
    public async Task The_health_check_answers()
    {
        var response = await _client.GetAsync("/healthz");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("Healthy"));
    }

    [Test]
    public async Task Pages_have_no_inline_script()
    {
        foreach (var url in new[] { "/fr", "/fr/recherche?q=loi", "/en/about" })
        {
            var page = await PageAsync(url);
            Assert.That(page.Scripts.All(s => !string.IsNullOrEmpty(s.Source)), url);
            Assert.That(page.All.Any(e => e.Attributes.Any(a => a.Name.StartsWith("on"))), Is.False, url);
        }
    }
}
