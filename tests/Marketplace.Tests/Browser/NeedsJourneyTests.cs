using Marketplace.Tests.Integration;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Marketplace.Tests.Browser;

/// <summary>
/// Issue 4 in a real Chromium with the real scheduler: diagnostic → request → matches (computed by the queued job) →
/// « demander une révision par une personne » → a curator answers → the nonprofit reads the answer; the matched
/// provider sees the request anonymized and says it is interested. axe-core on every page.
/// </summary>
[TestFixture]
[Category("Browser")]
public sealed class NeedsBrowserJourneyTests : BrowserFixture
{
    protected override IReadOnlyDictionary<string, string>? Settings => new Dictionary<string, string> { ["Jobs:Enabled"] = "true" };

    [Test]
    public async Task Diagnostic_request_matches_human_review_and_the_curators_answer()
    {
        var provider = await NewPageAsync(width: 390);
        await SignUpAsync(provider, "un fournisseur qui offre des services numériques", "Coopérative Harfang Vie privée (test)", "harfang-loi25@exemple.invalid");
        await NeedsJourneyTests.ManagedListingAsync(_factory, "Coopérative Harfang Vie privée (test)", "harfang-loi25-test", "loi-25");
        var nonprofit = await NewPageAsync();
        await SignUpAsync(nonprofit, "un organisme communautaire qui cherche des services", "Centre des femmes du Suroît", "suroit@exemple.invalid");

        // The guided diagnostic, then its suggestions, each with why.
        await nonprofit.GotoAsync(_baseUrl + "/fr/diagnostic");
        await AssertAccessibleAsync(nonprofit);
        await nonprofit.GetByRole(AriaRole.Group, new PageGetByRoleOptions { Name = "personne responsable de la protection" })
            .GetByLabel("Non", new LocatorGetByLabelOptions { Exact = true }).CheckAsync();
        await nonprofit.GetByRole(AriaRole.Group, new PageGetByRoleOptions { Name = "membres, donateurs et bénévoles" })
            .GetByLabel("Dans des chiffriers ou sur papier").CheckAsync();
        await SubmitFormAsync(nonprofit, "Voir les suggestions");
        await AssertAccessibleAsync(nonprofit);
        var main = await nonprofit.Locator("main").TextContentAsync();
        Assert.That(main, Does.Contain("Conformité Loi 25").And.Contain("Un logiciel de gestion des membres"));
        await nonprofit.GetByLabel("Gestion des membres, donateurs et bénévoles (CRM)").UncheckAsync();
        await SubmitFormAsync(nonprofit, "Créer une demande avec ces catégories");

        // The request, prefilled: a missing region is refused in French and nothing typed is lost.
        Assert.That(nonprofit.Url, Does.Contain("/fr/compte/besoins/nouveau"));
        await AssertAccessibleAsync(nonprofit);
        Assert.That(await nonprofit.GetByLabel("Conformité Loi 25 et renseignements personnels").IsCheckedAsync(), Is.True);
        await nonprofit.GetByLabel("Titre de la demande").FillAsync("Nommer notre responsable des renseignements personnels");
        await nonprofit.Locator("#region").EvaluateAsync("select => select.removeAttribute('required')");
        await SubmitFormAsync(nonprofit, "Envoyer la demande");
        Assert.That(await nonprofit.Locator(".alert").TextContentAsync(), Does.Contain("Choisissez la région du Québec"));
        Assert.That(await nonprofit.GetByLabel("Titre de la demande").InputValueAsync(), Is.EqualTo("Nommer notre responsable des renseignements personnels"));
        await AssertAccessibleAsync(nonprofit);
        await nonprofit.Locator("#region").SelectOptionAsync("16");
        await nonprofit.GetByLabel("Je préfère les fournisseurs de l'économie sociale").CheckAsync();
        await SubmitFormAsync(nonprofit, "Envoyer la demande");
        var requestUrl = nonprofit.Url;
        Assert.That(requestUrl, Does.Match(@"/fr/compte/besoins/\d+$"));

        // Within a minute, the queued job has stored the matches: ranked, each with why.
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (await nonprofit.Locator("li.match").CountAsync() == 0)
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "matches within a minute");
            await Task.Delay(500);
            await nonprofit.ReloadAsync();
        }
        await AssertAccessibleAsync(nonprofit);
        var card = nonprofit.Locator("li.match", new PageLocatorOptions { HasText = "Coopérative Harfang Vie privée (test)" });
        Assert.That(await card.Locator("ul.reasons").TextContentAsync(),
            Does.Contain("offre Conformité Loi 25").And.Contain("dessert votre région (Montérégie)").And.Contain("Coopérative — économie sociale"));
        Assert.That(await nonprofit.Locator("main").TextContentAsync(), Does.Contain("Ces suggestions sont faites automatiquement"));

        // « Demander une révision par une personne ».
        await nonprofit.GetByLabel("Votre question pour l'équipe de vérification", new PageGetByLabelOptions { Exact = false })
            .FillAsync("Connaissez-vous un fournisseur qui se déplace à Valleyfield?");
        await SubmitFormAsync(nonprofit, "Demander une révision par une personne");
        Assert.That(await nonprofit.Locator(".notice").First.TextContentAsync(), Does.Contain("transmise à l'équipe de vérification"));

        // The matched provider sees the request without the nonprofit's name, and says it is interested.
        await provider.GotoAsync(_baseUrl + "/fr/compte/demandes");
        await AssertAccessibleAsync(provider);
        await NavigateByAsync(provider, () => provider.Locator("table.queue a").First.ClickAsync());
        await AssertAccessibleAsync(provider);
        Assert.That(await provider.Locator("main").TextContentAsync(), Does.Not.Contain("Centre des femmes du Suroît").And.Contain("Montérégie"));
        await SubmitFormAsync(provider, "Cette demande nous intéresse");
        Assert.That(await provider.Locator("main").TextContentAsync(), Does.Contain("L'organisme est avisé"));

        // The curator answers from the queue.
        var curator = await CuratorAsync("conservation-besoins@exemple.invalid");
        await curator.GotoAsync(_baseUrl + "/fr/conservation");
        await AssertAccessibleAsync(curator);
        await NavigateByAsync(curator, () => curator.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "Nommer notre responsable des renseignements personnels" }).ClickAsync());
        await AssertAccessibleAsync(curator);
        Assert.That(await curator.Locator("main").TextContentAsync(), Does.Contain("Valleyfield").And.Contain("offre Conformité Loi 25"));
        await curator.GetByLabel("Réponse à l'organisme").FillAsync("La coopérative Harfang se déplace dans le Suroît; écrivez-lui.");
        await SubmitFormAsync(curator, "Envoyer la réponse");
        Assert.That(await curator.Locator(".notice").First.TextContentAsync(), Does.Contain("La réponse est envoyée"));

        // The nonprofit is told by email, and reads the answer on its request.
        Assert.That(await OutboxLinkAsync("suroit@exemple.invalid", "/fr/compte/besoins/"), Does.EndWith(new Uri(requestUrl).AbsolutePath));
        await nonprofit.GotoAsync(requestUrl);
        Assert.That(await nonprofit.Locator("main").TextContentAsync(),
            Does.Contain("La coopérative Harfang se déplace dans le Suroît").And.Contain("a manifesté son intérêt"));
        await AssertAccessibleAsync(nonprofit);
    }

    [Test]
    public async Task The_digest_settings_and_the_stop_page_work_and_are_accessible()
    {
        var page = await NewPageAsync(width: 390);
        await SignUpAsync(page, "un organisme communautaire qui cherche des services", "Maison des aînés (test)", "aines@exemple.invalid");
        await page.GotoAsync(_baseUrl + "/fr/compte/parametres");
        await AssertAccessibleAsync(page);
        Assert.That(await page.GetByLabel("Je veux recevoir, chaque lundi", new PageGetByLabelOptions { Exact = false }).IsCheckedAsync(), Is.False,
            "unticked unless chosen");
        await page.GetByLabel("Je veux recevoir, chaque lundi", new PageGetByLabelOptions { Exact = false }).CheckAsync();
        await SubmitFormAsync(page, "Enregistrer");
        Assert.That(await page.Locator(".notice").TextContentAsync(), Does.Contain("enregistrés"));

        var stop = await _factory.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<Marketplace.Web.Infrastructure.Data.MarketplaceDbContext>();
            var id = await db.Users.Where(u => u.Email == "aines@exemple.invalid").Select(u => u.Id).SingleAsync();
            return sp.GetRequiredService<Marketplace.Web.Features.Digests.DigestSubscriptions>().StopLink(id, "fr");
        });
        var visitor = await NewPageAsync();
        await visitor.GotoAsync(_baseUrl + new Uri(stop).PathAndQuery);
        await AssertAccessibleAsync(visitor); // the link only asks; its button stops the digest
        await SubmitFormAsync(visitor, "Ne plus recevoir le résumé");
        Assert.That(await visitor.Locator(".notice").TextContentAsync(), Does.Contain("vous ne recevrez plus le résumé"));
        await AssertAccessibleAsync(visitor);
        // Someone who is not signed in as the person (a forwarded link) is offered the sign-in, not the undo (issue 12).
        Assert.That(await visitor.GetByRole(AriaRole.Button, new PageGetByRoleOptions { Name = "Annuler : continuer à recevoir le résumé" }).CountAsync(), Is.Zero);
        Assert.That(await visitor.GetByRole(AriaRole.Link, new PageGetByRoleOptions { Name = "Se connecter pour rétablir le résumé" }).CountAsync(), Is.EqualTo(1));
        // The person, signed in, undoes it from the same link.
        await page.GotoAsync(_baseUrl + new Uri(stop).PathAndQuery);
        await SubmitFormAsync(page, "Ne plus recevoir le résumé");
        await SubmitFormAsync(page, "Annuler : continuer à recevoir le résumé");
        Assert.That(await page.Locator(".notice").TextContentAsync(), Does.Contain("de nouveau"));
        await AssertAccessibleAsync(page);
        await page.GotoAsync(_baseUrl + "/fr/compte/parametres");
        Assert.That(await page.GetByLabel("Je veux recevoir, chaque lundi", new PageGetByLabelOptions { Exact = false }).IsCheckedAsync(), Is.True);
    }
}
