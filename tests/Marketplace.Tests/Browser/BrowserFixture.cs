using System.Text.Json;
using Marketplace.Tests.Support;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;

namespace Marketplace.Tests.Browser;

/// <summary>
/// The real site on Kestrel (SQLite file) and Debian's Chromium driven by Playwright, with axe-core for accessibility.
/// Each browser fixture derives from it; <see cref="Settings"/> adds configuration (the scheduler, for instance).
/// </summary>
public abstract class BrowserFixture
{
    protected MarketplaceFactory _factory = null!;
    private IPlaywright _playwright = null!;
    protected IBrowser _browser = null!;
    protected string _baseUrl = "";

    private static string ChromiumPath => BrowserRequirement.ChromiumPath;

    private static string AxePath => Path.Combine(MarketplaceFactory.RepositoryRoot, "tests", "Marketplace.Tests", "node_modules", "axe-core", "axe.min.js");

    protected virtual IReadOnlyDictionary<string, string>? Settings => null;

    [OneTimeSetUp]
    public async Task Start()
    {
        // Skipped, saying why, when the machine lacks them; never skipped under tests/run.sh (BrowserRequirement).
        BrowserRequirement.Need(ChromiumPath, "Chromium", "Debian's chromium package, or CHROMIUM_PATH");
        BrowserRequirement.Need(AxePath, "axe-core", "npm ci in tests/Marketplace.Tests");
        var database = await TestDatabases.CreateAsync(DatabaseProvider.Sqlite);
        _factory = new MarketplaceFactory(database, environment: "Development", settings: Settings);
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

    protected async Task<IPage> NewPageAsync(int width = 1280)
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

    protected static async Task AssertAccessibleAsync(IPage page)
    {
        await page.AddScriptTagAsync(new PageAddScriptTagOptions { Path = AxePath });
        var json = await page.EvaluateAsync<JsonElement>(
            "async () => (await axe.run(document, { resultTypes: ['violations'] })).violations" +
            ".filter(v => v.impact === 'serious' || v.impact === 'critical')" +
            ".map(v => ({ id: v.id, impact: v.impact, nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5) }))");
        Assert.That(json.GetArrayLength(), Is.Zero, $"axe on {page.Url}: {json}");
    }

    protected async Task<string> OutboxLinkAsync(string to, string pathPart)
    {
        var body = await _factory.WithDbAsync(db => db.OutboxEmails.Where(e => e.To == to).OrderByDescending(e => e.Id)
            .Select(e => e.TextBody).FirstAsync());
        var url = new Uri(System.Text.RegularExpressions.Regex.Match(_factory.Reveal(body), @"https?://\S+" + pathPart + @"\S*").Value);
        return _baseUrl + url.PathAndQuery;
    }

    protected static Task SubmitFormAsync(IPage page, string buttonName) =>
        NavigateByAsync(page, () => page.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = buttonName, Exact = true }).ClickAsync());

    /// <summary>
    /// Runs an action that navigates (a form post, often redirected) and waits for the new page. Playwright marks this
    /// API obsolete in favour of waiting for a URL, but a form that fails validation stays on the same URL.
    /// </summary>
    protected static async Task NavigateByAsync(IPage page, Func<Task> action)
    {
#pragma warning disable CS0612
        await page.RunAndWaitForNavigationAsync(action);
#pragma warning restore CS0612
    }

    protected const string Password = "une phrase de passe assez longue";

    /// <summary>Signs up through the form, confirms the address with the emailed link and signs in.</summary>
    protected async Task SignUpAsync(IPage page, string kindLabel, string organization, string email)
    {
        await page.GotoAsync(_baseUrl + "/fr/inscription");
        await AssertAccessibleAsync(page);
        await page.GetByLabel(kindLabel).CheckAsync();
        await page.GetByLabel("Nom de l'organisation").FillAsync(organization);
        await page.GetByLabel("Votre nom").FillAsync("Camille");
        await page.GetByLabel("Adresse courriel").FillAsync(email);
        await page.GetByLabel("Nouveau mot de passe").FillAsync(Password);
        await page.GetByLabel("Confirmez le mot de passe").FillAsync(Password);
        await page.GetByLabel("J'accepte les conditions", new PageGetByLabelOptions { Exact = false }).CheckAsync();
        await SubmitFormAsync(page, "Créer le compte");
        Assert.That(page.Url, Does.Contain("/fr/connexion"));
        await page.GotoAsync(await OutboxLinkAsync(email, "/fr/compte/confirmer"));
        Assert.That(await page.Locator(".notice").TextContentAsync(), Does.Contain("confirmée"));
        await SignInAsync(page, email);
    }

    protected async Task SignInAsync(IPage page, string email)
    {
        await page.GotoAsync(_baseUrl + "/fr/connexion");
        await AssertAccessibleAsync(page);
        await page.GetByLabel("Adresse courriel").FillAsync(email);
        await page.GetByLabel("Mot de passe").FillAsync(Password);
        await SubmitFormAsync(page, "Se connecter");
    }

    /// <summary>A curator: one-time link from the command line, password, sign-in and two-factor set-up.</summary>
    protected async Task<IPage> CuratorAsync(string email)
    {
        using var output = new StringWriter();
        await Marketplace.Web.Infrastructure.Cli.CommandLine.RunAsync(_factory.Services,
            ["users", "add", "--email", email, "--role", "curator"], output, CancellationToken.None);
        var link = output.ToString().Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("http"));
        var curator = await NewPageAsync();
        await curator.GotoAsync(_baseUrl + new Uri(link).PathAndQuery);
        await AssertAccessibleAsync(curator);
        await curator.GetByLabel("Nouveau mot de passe").FillAsync(Password);
        await curator.GetByLabel("Confirmez le mot de passe").FillAsync(Password);
        await SubmitFormAsync(curator, "Enregistrer le mot de passe");
        await curator.GetByLabel("Adresse courriel").FillAsync(email);
        await curator.GetByLabel("Mot de passe").FillAsync(Password);
        await SubmitFormAsync(curator, "Se connecter");
        await curator.GotoAsync(_baseUrl + "/fr/conservation");
        Assert.That(curator.Url, Does.Contain("/fr/compte/double-authentification"));
        await AssertAccessibleAsync(curator);
        var key = await curator.Locator("#shared-key").TextContentAsync();
        await curator.GetByLabel("Code").FillAsync(Totp.Code(key!));
        await SubmitFormAsync(curator, "Activer");
        Assert.That(await curator.Locator(".recovery-codes li").CountAsync(), Is.EqualTo(8));
        return curator;
    }
}
