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
public sealed class SearchJourneyTests : BrowserFixture
{
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
        await page.WaitForURLAsync("**category=loi-25*"); // the filtered page again before a card of it is clicked

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

    [Test]
    public async Task A_provider_and_a_curator_take_a_listing_from_sign_up_to_archive_and_back()
    {
        var provider = await NewPageAsync();

        // Sign-up, confirmation by the emailed link, sign-in.
        await SignUpAsync(provider, "un fournisseur qui offre des services numériques", "Coop Harfang", "harfang@exemple.invalid");

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
        var curator = await CuratorAsync("curatrice@exemple.invalid");

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
        Assert.That(await provider.Locator("h1").TextContentAsync(), Is.EqualTo("Archiver votre fiche « Coop Harfang »?"), "asked first");
        await AssertAccessibleAsync(provider);
        await SubmitFormAsync(provider, "Archiver la fiche");
        await visitor.GotoAsync(_baseUrl + "/fr/recherche?q=harfangesque");
        Assert.That(await visitor.Locator(".results .card").CountAsync(), Is.Zero);

        // The verification team restores it from the archived listings: back in search.
        await curator.GotoAsync(_baseUrl + "/fr/conservation/archivees");
        await AssertAccessibleAsync(curator);
        var row = curator.Locator("table.queue tbody tr", new PageLocatorOptions { HasText = "Coop Harfang" });
        await row.GetByLabel("Note (facultative", new LocatorGetByLabelOptions { Exact = false }).FillAsync("Archivée par erreur.");
        await NavigateByAsync(curator, () => row.GetByRole(AriaRole.Button, new LocatorGetByRoleOptions { Name = "Rétablir la fiche" }).ClickAsync());
        Assert.That(await curator.Locator(".notice").TextContentAsync(), Does.Contain("rétablie et publiée de nouveau"));
        await AssertAccessibleAsync(curator);
        await visitor.GotoAsync(_baseUrl + "/fr/recherche?q=harfangesque");
        Assert.That(await visitor.Locator(".results .card h3 a").AllTextContentsAsync(), Is.EqualTo(new[] { "Coop Harfang" }));
    }
}
