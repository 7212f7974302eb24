using Microsoft.Playwright;

namespace Marketplace.Tests.Browser;

/// <summary>
/// Issue 11's journey in Chromium: a nonprofit on a phone writes to a listing nobody manages (the message goes to its
/// public email) → the organization's provider account claims the listing through the emailed link → answers in the site
/// → the nonprofit reads the answer, replies and shares its details after a confirmation → both see the thread. At 390 px
/// for the nonprofit and 1280 px for the provider; axe on every page, and nothing wider than the phone's screen.
/// </summary>
[TestFixture]
[Category("Browser")]
public sealed class ReachabilityBrowserTests : BrowserFixture
{
        private static async Task AssertFitsAsync(IPage page)
    {
        var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - window.innerWidth");
        Assert.That(overflow, Is.LessThanOrEqualTo(0), $"{page.Url} is wider than the screen");
    }

    private static async Task CheckAsync(IPage page)
    {
        await AssertAccessibleAsync(page);
        await AssertFitsAsync(page);
    }

    // Each side on a phone and on a wide screen: the nonprofit at 390 px and the provider at 1280 px, then the other way
    // round, on two listings nobody manages (the seed's Centre canadien has a public email; Juripop gets one for the test).
    [TestCase(390, 1280, "centre-canadien-resilience-numerique-obnl", "info@ccndr.ca", "moulins")]
    [TestCase(1280, 390, "juripop", "info@juripop.exemple.invalid", "laval")]
    public async Task A_nonprofit_writes_to_an_unclaimed_listing_the_provider_claims_it_and_answers_and_the_nonprofit_shares_its_details(
        int nonprofitWidth, int providerWidth, string slug, string publicEmail, string who)
    {
        if (slug == "juripop")
            await Marketplace.Tests.Support.TestData.ChangeAsync(_factory, slug, p => p.SetPublicContacts(publicEmail, null, null, DateTimeOffset.UtcNow));
        var organization = $"Maison de la famille {who} (test)";
        var nonprofitEmail = $"{who}@exemple.invalid";
        var nonprofit = await NewPageAsync(width: nonprofitWidth);
        await SignUpAsync(nonprofit, "un organisme communautaire qui cherche des services", organization, nonprofitEmail);

        // The provider's page says how to reach it, and the nonprofit writes from there.
        await nonprofit.GotoAsync(_baseUrl + $"/fr/fournisseurs/{slug}");
        await CheckAsync(nonprofit);
        Assert.That(await nonprofit.Locator("main").TextContentAsync(), Does.Contain(publicEmail).And.Contain("Vous représentez cet organisme?"));
        await NavigateByAsync(nonprofit, () => nonprofit.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "Écrire à cet organisme" }).ClickAsync());
        await CheckAsync(nonprofit);
        Assert.That(await nonprofit.Locator("p.reach").TextContentAsync(), Does.Contain(publicEmail));
        await nonprofit.GetByLabel("Votre message").FillAsync("Bonjour, votre parcours de préparation aux données est-il offert en français?");
        await SubmitFormAsync(nonprofit, "Envoyer");
        await CheckAsync(nonprofit);
        Assert.That(await nonprofit.Locator(".notice").TextContentAsync(), Does.Contain($"envoyé à {publicEmail}"));
        var threadUrl = nonprofit.Url;

        // The provider account claims the listing; the link goes to the listing's public address.
        var provider = await NewPageAsync(width: providerWidth);
        await SignUpAsync(provider, "un fournisseur qui offre des services numériques", $"Organisation {who} (test)", $"fournisseur-{who}@exemple.invalid");
        await provider.GotoAsync(_baseUrl + $"/fr/fournisseurs/{slug}");
        await NavigateByAsync(provider, () => provider.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "Réclamer cette fiche" }).ClickAsync());
        await CheckAsync(provider);
        await provider.GetByLabel("Recevoir un lien de confirmation", new PageGetByLabelOptions { Exact = false }).CheckAsync();
        await SubmitFormAsync(provider, "Envoyer la réclamation");
        Assert.That(await provider.Locator(".notice").TextContentAsync(), Does.Contain(publicEmail));
        await provider.GotoAsync(await OutboxLinkAsync(publicEmail, "/fr/reclamation/"));
        await CheckAsync(provider);
        await SubmitFormAsync(provider, "Confirmer : cet organisme gère notre fiche");
        Assert.That(await provider.Locator("h1").TextContentAsync(), Is.EqualTo("Fiche réclamée"));

        // The message received before the claim is there, unread, without the nonprofit's name; the provider answers.
        await provider.GotoAsync(_baseUrl + "/fr/compte/messages");
        await CheckAsync(provider);
        Assert.That(await provider.Locator("main").TextContentAsync(), Does.Contain("1 nouveau message").And.Not.Contain(organization));
        await NavigateByAsync(provider, () => provider.Locator("table a").First.ClickAsync());
        await CheckAsync(provider);
        await provider.GetByLabel("Répondre").FillAsync("Oui, en français et en anglais. Voulez-vous en parler?");
        await SubmitFormAsync(provider, "Envoyer");
        var providerThread = provider.Url;

        // The nonprofit reads the answer, replies, and shares its details after a confirmation that says what goes.
        await nonprofit.GotoAsync(_baseUrl + "/fr/compte/messages");
        await CheckAsync(nonprofit);
        Assert.That(await nonprofit.Locator("main").TextContentAsync(), Does.Contain("1 nouveau message"));
        await nonprofit.GotoAsync(threadUrl);
        await CheckAsync(nonprofit);
        Assert.That(await nonprofit.Locator("main").TextContentAsync(), Does.Contain("Voulez-vous en parler?"));
        await nonprofit.GetByLabel("Répondre").FillAsync("Avec plaisir.");
        await SubmitFormAsync(nonprofit, "Envoyer");
        await SubmitFormAsync(nonprofit, "Partager mes coordonnées…");
        await CheckAsync(nonprofit);
        Assert.That(await nonprofit.Locator("main").TextContentAsync(), Does.Contain(organization).And.Contain(nonprofitEmail));
        await SubmitFormAsync(nonprofit, "Oui, partager ces coordonnées");
        await CheckAsync(nonprofit);

        await provider.GotoAsync(providerThread);
        await CheckAsync(provider);
        var seen = await provider.Locator("main").TextContentAsync();
        Assert.That(seen, Does.Contain("Avec plaisir.").And.Contain(organization).And.Contain(nonprofitEmail));
    }
}
