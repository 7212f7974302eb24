using System.Text.Json;
using Marketplace.Tests.Support;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Marketplace.Tests.Browser;

/// <summary>
/// A person's journey in a real Chromium (Debian's, driven by Playwright) against the real site on Kestrel:
/// search, pick a facet, open a provider, switch language, with axe-core on every page.
/// </summary>
[TestFixture]
[Category("Browser")]
public sealed class SearchJourneyTests
{
    private MarketplaceFactory _factory = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private string _baseUrl = "";

    private static string ChromiumPath => Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";

    private static string AxePath => Path.Combine(MarketplaceFactory.RepositoryRoot, "tests", "Marketplace.Tests", "node_modules", "axe-core", "axe.min.js");

    [OneTimeSetUp]
    public async Task Start()
    {
        Assert.That(File.Exists(ChromiumPath), $"Chromium not found at {ChromiumPath}: run the tests with `bash tests/run.sh`.");
        Assert.That(File.Exists(AxePath), $"axe-core not found at {AxePath}: run the tests with `bash tests/run.sh`.");
        var database = await TestDatabases.CreateAsync(DatabaseProvider.Sqlite);
        _factory = new MarketplaceFactory(database, environment: "Development");
        _factory.UseKestrel(0);
        _factory.StartServer();
        _baseUrl = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .First(a => a.StartsWith("http://", StringComparison.Ordinal)).Replace("[::]", "127.0.0.1").Replace("0.0.0.0", "127.0.0.1");

        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args =
            [
                "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic", "--disable-dev-shm-usage",
            ],
        });
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        _playwright?.Dispose();
        if (_factory is not null) await _factory.DisposeAsync();
    }

    private async Task<IPage> NewPageAsync(int width = 1280)
    {
        // axe is injected as a script tag: the page's own CSP (no inline script) would refuse it.
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            BypassCSP = true,
            ViewportSize = new ViewportSize { Width = width, Height = 900 },
            JavaScriptEnabled = true,
        });
        return await context.NewPageAsync();
    }

    private static async Task AssertAccessibleAsync(IPage page)
    {
        await page.AddScriptTagAsync(new PageAddScriptTagOptions { Path = AxePath });
        var json = await page.EvaluateAsync<JsonElement>(
            "async () => (await axe.run(document, { resultTypes: ['violations'] })).violations" +
            ".filter(v => v.impact === 'serious' || v.impact === 'critical')" +
            ".map(v => ({ id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5) }))");
        Assert.That(json.GetArrayLength(), Is.Zero, $"axe on {page.Url}: {json}");
    }

    [Test]
    public async Task A_person_searches_filters_opens_a_provider_and_switches_language()
    {
        var page = await NewPageAsync();
        await page.GotoAsync(_baseUrl + "/");
        Assert.That(page.Url, Does.EndWith("/fr"));
        Assert.That(await page.GetAttributeAsync("html", "lang"), Is.EqualTo("fr-CA"));
        await AssertAccessibleAsync(page);

        await page.GetByLabel("Mots-clés", new PageGetByLabelOptions { Exact = false }).FillAsync("loi 25");
        await page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Rechercher" }).First.ClickAsync();
        await page.WaitForURLAsync("**/fr/recherche?q=loi*25*");
        var heading = await page.Locator("#results-heading").TextContentAsync();
        Assert.That(heading, Does.Match(@"Fournisseurs trouvés : \d+"));
        var before = int.Parse(System.Text.RegularExpressions.Regex.Match(heading!, @"\d+").Value);
        Assert.That(before, Is.GreaterThan(0));
        await AssertAccessibleAsync(page);

        var category = page.Locator("a.facet-value", new PageLocatorOptions { HasText = "Conformité Loi 25" });
        var expected = int.Parse((await category.Locator(".count").TextContentAsync())!);
        await category.ClickAsync();
        await page.WaitForURLAsync("**category=loi-25*");
        Assert.That(await page.Locator("#results-heading").TextContentAsync(), Does.Contain(expected.ToString()));
        Assert.That(await page.Locator(".results .card").CountAsync(), Is.EqualTo(Math.Min(expected, 20)));
        Assert.That(await page.Locator("a.facet-value.selected").CountAsync(), Is.EqualTo(1));
        await AssertAccessibleAsync(page);

        // The back button restores the previous search: the state is in the URL.
        await page.GoBackAsync();
        Assert.That(await page.Locator("#results-heading").TextContentAsync(), Does.Contain(before.ToString()));
        await page.GoForwardAsync();

        var first = page.Locator(".results .card h3 a").First;
        var name = await first.TextContentAsync();
        await first.ClickAsync();
        await page.WaitForURLAsync("**/fr/fournisseurs/**");
        Assert.That(await page.Locator("h1").TextContentAsync(), Is.EqualTo(name));
        Assert.That(await page.Locator("section.offering").CountAsync(), Is.GreaterThan(0));
        await AssertAccessibleAsync(page);

        await page.Locator("a.lang-switch").ClickAsync();
        await page.WaitForURLAsync("**/en/providers/**");
        Assert.That(await page.GetAttributeAsync("html", "lang"), Is.EqualTo("en-CA"));
        Assert.That(await page.Locator("h1").TextContentAsync(), Is.EqualTo(name));
        Assert.That(await page.Locator("a.lang-switch").TextContentAsync(), Is.EqualTo("Français"));
        await AssertAccessibleAsync(page);
    }

    [Test]
    public async Task The_english_search_the_about_page_and_a_404_are_accessible_on_a_phone()
    {
        var page = await NewPageAsync(width: 390);
        foreach (var path in new[] { "/en/search?category=materiel", "/fr/a-propos", "/fr/nulle-part" })
        {
            await page.GotoAsync(_baseUrl + path);
            await AssertAccessibleAsync(page);
        }
    }

    [Test]
    public async Task Changing_the_sort_works_with_and_without_javascript()
    {
        var page = await NewPageAsync();
        await page.GotoAsync(_baseUrl + "/fr/recherche?q=formation");
        await page.SelectOptionAsync("#sort", "name");
        await page.WaitForURLAsync("**sort=name*");
        var names = await page.Locator(".results .card h3 a").AllTextContentsAsync();
        var french = System.Globalization.CultureInfo.GetCultureInfo("fr-CA").CompareInfo;
        Assert.That(names, Is.Ordered.Using((IComparer<string>)Comparer<string>.Create((a, b) => french.Compare(a, b, System.Globalization.CompareOptions.IgnoreCase))));

        var context = await _browser.NewContextAsync(new BrowserNewContextOptions { JavaScriptEnabled = false });
        var noScript = await context.NewPageAsync();
        await noScript.GotoAsync(_baseUrl + "/fr/recherche?q=formation");
        await noScript.SelectOptionAsync("#sort", "verified");
        await noScript.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Rechercher" }).ClickAsync();
        await noScript.WaitForURLAsync("**sort=verified*");
        Assert.That(await noScript.Locator(".results .card").CountAsync(), Is.GreaterThan(0));
        await context.CloseAsync();
    }
}
