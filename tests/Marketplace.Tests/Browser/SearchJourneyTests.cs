using System.Text.Json;
using Marketplace.Tests.Support;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Microsoft.EntityFrameworkCore;

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
        _baseUrl = _factory.StartKestrel();

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

    private async Task<string> OutboxLinkAsync(string to, string pathPart)
    {
        var body = await _factory.WithDbAsync(db => db.OutboxEmails.Where(e => e.To == to).OrderByDescending(e => e.Id)
            .Select(e => e.TextBody).FirstAsync());
        var url = new Uri(System.Text.RegularExpressions.Regex.Match(body, @"https?://\S+" + pathPart + @"\S*").Value);
        return _baseUrl + url.PathAndQuery;
    }

    private static Task SubmitFormAsync(IPage page, string buttonName) =>
        NavigateByAsync(page, () => page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = buttonName, Exact = true }).ClickAsync());

    /// <summary>
    /// Runs an action that navigates (a form post, often redirected) and waits for the new page. Playwright marks this
    /// API obsolete in favour of waiting for a URL, but a form that fails validation stays on the same URL.
    /// </summary>
    private static async Task NavigateByAsync(IPage page, Func<Task> action)
    {
#pragma warning disable CS0612
        await page.RunAndWaitForNavigationAsync(action);
#pragma warning restore CS0612
    }

    [Test]
    public async Task A_provider_and_a_curator_take_a_listing_from_sign_up_to_archive()
    {
        const string password = "une phrase de passe assez longue";
        var provider = await NewPageAsync();

        // Sign-up, confirmation by the emailed link, sign-in.
        await provider.GotoAsync(_baseUrl + "/fr/inscription");
        await AssertAccessibleAsync(provider);
        await provider.GetByLabel("un fournisseur qui offre des services numériques").CheckAsync();
        await provider.GetByLabel("Nom de l'organisation").FillAsync("Coop Harfang");
        await provider.GetByLabel("Votre nom").FillAsync("Camille");
        await provider.GetByLabel("Adresse courriel").FillAsync("harfang@exemple.invalid");
        await provider.GetByLabel("Nouveau mot de passe").FillAsync(password);
        await provider.GetByLabel("Confirmez le mot de passe").FillAsync(password);
        await provider.GetByLabel("J'accepte les conditions", new PageGetByLabelOptions { Exact = false }).CheckAsync();
        await SubmitFormAsync(provider, "Créer le compte");
        Assert.That(provider.Url, Does.Contain("/fr/connexion"));
        await provider.GotoAsync(await OutboxLinkAsync("harfang@exemple.invalid", "/fr/compte/confirmer"));
        Assert.That(await provider.Locator(".notice").TextContentAsync(), Does.Contain("confirmée"));
        await provider.GotoAsync(_baseUrl + "/fr/connexion");
        await AssertAccessibleAsync(provider);
        await provider.GetByLabel("Adresse courriel").FillAsync("harfang@exemple.invalid");
        await provider.GetByLabel("Mot de passe").FillAsync(password);
        await SubmitFormAsync(provider, "Se connecter");

        // Draft and submission.
        await provider.GotoAsync(_baseUrl + "/fr/compte/fiche");
        await AssertAccessibleAsync(provider);
        await SubmitFormAsync(provider, "Rédiger ma fiche");
        await AssertAccessibleAsync(provider);
        await provider.GetByLabel("Description en français (obligatoire)").FillAsync("Coopérative de formation harfangesque pour les organismes.");
        await provider.Locator("#o0-category").SelectOptionAsync("formation");
        await provider.Locator("#o0-fr").FillAsync("Ateliers de littératie numérique.");
        await provider.Locator("#o0-regions").SelectOptionAsync(["02", "09"]);
        await provider.Locator("#o0-languages").SelectOptionAsync("fr");
        await SubmitFormAsync(provider, "Soumettre pour vérification");
        Assert.That(await provider.Locator(".notice").TextContentAsync(), Does.Contain("Fiche soumise"));

        // A curator: one-time link from the command line, password, two-factor set-up, then the queue.
        using var output = new StringWriter();
        await Marketplace.Web.Infrastructure.Cli.CommandLine.RunAsync(_factory.Services,
            ["users", "add", "--email", "curatrice@exemple.invalid", "--role", "curator"], output, CancellationToken.None);
        var link = output.ToString().Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("http"));
        var curator = await NewPageAsync();
        await curator.GotoAsync(_baseUrl + new Uri(link).PathAndQuery);
        await AssertAccessibleAsync(curator);
        await curator.GetByLabel("Nouveau mot de passe").FillAsync(password);
        await curator.GetByLabel("Confirmez le mot de passe").FillAsync(password);
        await SubmitFormAsync(curator, "Enregistrer le mot de passe");
        await curator.GetByLabel("Adresse courriel").FillAsync("curatrice@exemple.invalid");
        await curator.GetByLabel("Mot de passe").FillAsync(password);
        await SubmitFormAsync(curator, "Se connecter");
        await curator.GotoAsync(_baseUrl + "/fr/conservation");
        Assert.That(curator.Url, Does.Contain("/fr/compte/double-authentification"));
        await AssertAccessibleAsync(curator);
        var key = await curator.Locator("#shared-key").TextContentAsync();
        await curator.GetByLabel("Code").FillAsync(Totp.Code(key!));
        await SubmitFormAsync(curator, "Activer");
        Assert.That(await curator.Locator(".recovery-codes li").CountAsync(), Is.EqualTo(8));

        async Task DecideAsync(string decision, string? reason = null)
        {
            await curator.GotoAsync(_baseUrl + "/fr/conservation");
            await AssertAccessibleAsync(curator);
            await NavigateByAsync(curator, () => curator.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "Coop Harfang" }).ClickAsync());
            await AssertAccessibleAsync(curator);
            await curator.GetByLabel(decision, new PageGetByLabelOptions { Exact = false }).CheckAsync();
            if (reason is not null) await curator.GetByLabel("Commentaire ou raison", new PageGetByLabelOptions { Exact = false }).FillAsync(reason);
            await SubmitFormAsync(curator, "Enregistrer la décision");
        }

        await DecideAsync("Demander des modifications", "Ajoutez une description en anglais.");
        await provider.GotoAsync(_baseUrl + "/fr/compte/fiche");
        Assert.That(await provider.Locator("main").TextContentAsync(), Does.Contain("Ajoutez une description en anglais."));
        await NavigateByAsync(provider, () => provider.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "Continuer la rédaction" }).ClickAsync());
        await provider.GetByLabel("Description en anglais (facultative)").FillAsync("Training cooperative for community groups.");
        await SubmitFormAsync(provider, "Soumettre pour vérification");
        await DecideAsync("Approuver et publier");

        var visitor = await NewPageAsync(width: 390);
        await visitor.GotoAsync(_baseUrl + "/fr/recherche?q=harfangesque");
        Assert.That(await visitor.Locator(".results .card h3 a").AllTextContentsAsync(), Is.EqualTo(new[] { "Coop Harfang" }));
        await visitor.GotoAsync(_baseUrl + "/fr/fournisseurs/coop-harfang");
        await AssertAccessibleAsync(visitor);

        // Archive: gone from search at once.
        await provider.GotoAsync(_baseUrl + "/fr/compte/fiche");
        await AssertAccessibleAsync(provider);
        await SubmitFormAsync(provider, "Archiver la fiche");
        await visitor.GotoAsync(_baseUrl + "/fr/recherche?q=harfangesque");
        Assert.That(await visitor.Locator(".results .card").CountAsync(), Is.Zero);
    }
}
