using Microsoft.Playwright;

namespace Marketplace.Tests.Browser;

/// <summary>
/// Issue 11, defect 9, in a real Chromium: on a 390 px screen the search results come first and the filters open from
/// « Filtrer (3) » (a &lt;details&gt;, with or without JavaScript); at 1280 px the filters stay beside the results; no
/// page or table scrolls sideways on a phone. The site runs in Development, so the demo accounts sign in.
/// </summary>
[TestFixture]
[Category("Browser")]
public sealed class PhoneLayoutTests : BrowserFixture
{
    private const string DemoPassword = "essai démo assez long 2026";
    private const int Phone = 390;

    protected override IReadOnlyDictionary<string, string>? Settings =>
        new Dictionary<string, string> { ["Marketplace:DemoPassword"] = DemoPassword };

    private const string ThreeFilters = "/fr/recherche?category=loi-25&category=formation&language=fr";

    private static Task<bool> OverflowsSidewaysAsync(IPage page) =>
        page.EvaluateAsync<bool>("() => document.documentElement.scrollWidth > window.innerWidth");

    [Test]
    public async Task On_a_phone_the_results_come_first_and_the_filters_open_from_a_button()
    {
        var page = await NewPageAsync(Phone);
        await page.GotoAsync(_baseUrl + ThreeFilters);
        var toggle = page.Locator("summary.filters-toggle");
        Assert.That((await toggle.TextContentAsync())!.Trim(), Is.EqualTo("Filtrer (3)"));
        Assert.That(await page.Locator("#facets-heading").IsVisibleAsync(), Is.False, "filters are folded on a phone");
        var first = await page.Locator(".results .card").First.BoundingBoxAsync();
        Assert.That(first, Is.Not.Null);
        Assert.That(first!.Y, Is.LessThan(800), "the first result starts within the first screen");
        Assert.That(await OverflowsSidewaysAsync(page), Is.False);
        await AssertAccessibleAsync(page);

        await toggle.ClickAsync();
        Assert.That(await page.Locator("#facets-heading").IsVisibleAsync(), Is.True);
        // The three chosen values, and « Région non précisée », kept with a region unless strict (ADR 0015).
        Assert.That(await page.Locator("a.facet-value.selected").CountAsync(), Is.EqualTo(4));
        Assert.That(await OverflowsSidewaysAsync(page), Is.False);
        await AssertAccessibleAsync(page);

        var english = await NewPageAsync(Phone);
        await english.GotoAsync(_baseUrl + ThreeFilters.Replace("/fr/recherche", "/en/search"));
        Assert.That((await english.Locator("summary.filters-toggle").TextContentAsync())!.Trim(), Is.EqualTo("Filter (3)"));
    }

    [Test]
    public async Task The_filter_button_works_without_javascript()
    {
        var context = await _browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = Phone, Height = 844 }, JavaScriptEnabled = false,
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync(_baseUrl + "/fr/recherche?category=loi-25");
        Assert.That((await page.Locator("summary.filters-toggle").TextContentAsync())!.Trim(), Is.EqualTo("Filtrer (1)"));
        Assert.That(await page.Locator("#facets-heading").IsVisibleAsync(), Is.False);
        await page.Locator("summary.filters-toggle").ClickAsync();
        Assert.That(await page.Locator("#facets-heading").IsVisibleAsync(), Is.True);
        await context.DisposeAsync();
    }

    [Test]
    public async Task On_a_wide_screen_the_filters_stay_beside_the_results()
    {
        var page = await NewPageAsync(1280);
        await page.GotoAsync(_baseUrl + ThreeFilters);
        Assert.That(await page.Locator("#facets-heading").IsVisibleAsync(), Is.True);
        Assert.That(await page.Locator("summary.filters-toggle").IsVisibleAsync(), Is.False);
        var facets = await page.Locator("aside.facets").BoundingBoxAsync();
        var results = await page.Locator("section.results").BoundingBoxAsync();
        Assert.That(facets!.X + facets.Width, Is.LessThanOrEqualTo(results!.X), "side by side");
        Assert.That(Math.Abs(facets.Y - results.Y), Is.LessThan(50));
        await AssertAccessibleAsync(page);
    }

    private async Task<IPage> DemoAsync(string email)
    {
        var page = await NewPageAsync(Phone);
        await page.GotoAsync(_baseUrl + "/fr/connexion");
        await page.GetByLabel("Adresse courriel").FillAsync(email);
        await page.GetByLabel("Mot de passe").FillAsync(DemoPassword);
        await SubmitFormAsync(page, "Se connecter");
        return page;
    }

    [TestCase("organisme@demo.invalid", "/fr/compte/besoins")]
    [TestCase("fournisseur@demo.invalid", "/fr/compte/demandes")]
    [TestCase("verification@demo.invalid", "/fr/conservation")]
    [TestCase("verification@demo.invalid", "/fr/conservation/a-reverifier")]
    [TestCase("admin@demo.invalid", "/fr/admin/comptes")]
    [TestCase("admin@demo.invalid", "/fr/admin/taches")]
    [TestCase("verification@demo.invalid", "/fr/admin/synonymes")]
    [TestCase("admin@demo.invalid", "/en/admin/synonyms")]
    public async Task On_a_phone_tables_become_cards_and_nothing_scrolls_sideways(string email, string path)
    {
        var page = await DemoAsync(email);
        var response = await page.GotoAsync(_baseUrl + path);
        Assert.That(response!.Status, Is.EqualTo(200), page.Url);
        if (path != "/fr/conservation") // the queue is empty on the seed data; the others list seed rows
            Assert.That(await page.Locator("table").CountAsync(), Is.GreaterThan(0), "the page shows its table");
        Assert.That(await OverflowsSidewaysAsync(page), Is.False,
            await page.EvaluateAsync<string>("() => document.documentElement.scrollWidth + ' > ' + window.innerWidth"));
        var firstCell = page.Locator("table.stack tbody td[data-label]").First;
        if (await firstCell.CountAsync() > 0)
            Assert.That(await firstCell.EvaluateAsync<string>("td => getComputedStyle(td).display"), Is.EqualTo("block"));
        await AssertAccessibleAsync(page);
    }

    [Test]
    public async Task On_a_phone_the_verification_team_filters_edits_and_is_asked_before_deleting_a_synonym_group()
    {
        var page = await DemoAsync("verification@demo.invalid");
        await page.GotoAsync(_baseUrl + "/fr/admin/synonymes");
        await page.GetByLabel("Filtrer les groupes").FillAsync("Ordinateur");
        await SubmitFormAsync(page, "Filtrer");
        var rows = await page.Locator("table.synonyms tbody tr").AllTextContentsAsync();
        Assert.That(rows, Is.Not.Empty.And.All.Contain("ordinateur").IgnoreCase);
        Assert.That(await OverflowsSidewaysAsync(page), Is.False);
        await AssertAccessibleAsync(page);

        // Edit: a refused save keeps the text and says why.
        await NavigateByAsync(page, () => page.Locator("table.synonyms tbody tr a").First.ClickAsync());
        await AssertAccessibleAsync(page);
        await page.GetByLabel("Mots et expressions qui veulent dire la même chose").FillAsync("ordinateur");
        await SubmitFormAsync(page, "Enregistrer le groupe");
        Assert.That(await page.Locator(".alert").TextContentAsync(), Does.Contain("au moins deux"));
        Assert.That(await page.Locator("#alternatives").InputValueAsync(), Is.EqualTo("ordinateur"));
        Assert.That(await OverflowsSidewaysAsync(page), Is.False);
        await AssertAccessibleAsync(page);

        // Delete asks first; cancelling leaves the group.
        await page.GotoAsync(_baseUrl + "/fr/admin/synonymes?q=ordinateur");
        await NavigateByAsync(page, () => page.Locator("table.synonyms tbody tr form.delete-form button").First.ClickAsync());
        Assert.That(await page.Locator("h1").TextContentAsync(), Does.StartWith("Supprimer le groupe « ordinateur"));
        await AssertAccessibleAsync(page);
        await NavigateByAsync(page, () => page.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "Annuler" }).ClickAsync());
        Assert.That(await page.Locator("table.synonyms").TextContentAsync(), Does.Contain("ordinateur"));
    }
}
