using System.Net;
using AngleSharp.Html.Dom;
using Marketplace.Tests.Support;
using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Matching;
using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Tests.Integration;

/// <summary>
/// Issue 4 through the real forms, with the real scheduler: diagnostic → request → the job runs → matches with their
/// reasons → dismissal with a reason → contact without and then with the nonprofit's details → the provider sees the
/// request anonymized and says it is interested → human review answered by a curator → edit, pause, close.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class NeedsJourneyTests(DatabaseProvider provider)
{
    private const string Nonprofit = "Maison des jeunes du Haut-Richelieu";
    private MarketplaceFactory _factory = null!;

    [OneTimeSetUp]
    public async Task Start() => _factory = await MarketplaceFactory.StartAsync(provider, new Dictionary<string, string> { ["Jobs:Enabled"] = "true" });

    [OneTimeTearDown]
    public async Task Stop() => await _factory.DisposeAsync();

    /// <summary>A provider organization signed up through the form that manages a published listing created for the test.</summary>
    public static async Task<(Browsing Browsing, int ProviderId)> ProviderWithListingAsync(MarketplaceFactory factory, string email, string slug,
        string name, string category)
    {
        var browsing = await CurationJourneyTests.SignUpAsync(factory, email, name, "Provider");
        return (browsing, await ManagedListingAsync(factory, name, slug, category));
    }

    /// <summary>
    /// A published listing (a cooperative in the social economy, free, remote or in Montérégie, in French, verified ten days
    /// ago) managed by the provider organization named <paramref name="organization"/>.
    /// </summary>
    public static async Task<int> ManagedListingAsync(MarketplaceFactory factory, string organization, string slug, string category)
    {
        var providerId = await factory.AddProviderAsync(slug, organization, "Fournisseur créé pour les tests.", category, "Accompagnement complet.",
            regions: ["16"], legalForm: LegalForm.Cooperative, socialEconomy: true, verifiedAt: DateTimeOffset.UtcNow.AddDays(-10));
        await factory.WithDbAsync(async db =>
        {
            var manager = await db.Organizations.SingleAsync(o => o.Name == organization && o.Kind == OrganizationKind.Provider);
            manager.Manages(providerId);
            return await db.SaveChangesAsync();
        });
        return providerId;
    }

    private async Task<IHtmlDocument> WaitForMatchesAsync(Browsing browsing, string url, Func<IHtmlDocument, bool> ready)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var (response, page) = await browsing.GetAsync(url);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            if (ready(page)) return page;
            if (DateTime.UtcNow > deadline) Assert.Fail($"The matching job did not update {url} within a minute: {page.QuerySelector("main")?.TextContent}");
            await Task.Delay(250);
        }
    }

    private static string Text(IHtmlDocument page) => page.QuerySelector("main")!.TextContent;

    [Test]
    public async Task A_nonprofit_goes_from_the_diagnostic_to_matches_a_provider_conversation_and_a_human_review()
    {
        var (providerBrowsing, coopId) = await ProviderWithListingAsync(_factory, "coop@exemple.invalid", "coop-loi25-test",
            "Coopérative Vie privée (test)", "loi-25");
        using var _p = providerBrowsing;
        using var nonprofit = await CurationJourneyTests.SignUpAsync(_factory, "mdj@exemple.invalid", Nonprofit, "Nonprofit");

        // The diagnostic suggests categories, each with why, and prefills a request.
        var (_, results) = await nonprofit.GetAsync("/fr/diagnostic/resultat?privacy-officer=no&training=much&computers=recent");
        var suggested = results.QuerySelectorAll("input[name=categories]").Select(i => i.GetAttribute("value")).ToArray();
        Assert.That(suggested, Is.EqualTo(new[] { "loi-25", "formation" }));
        Assert.That(Text(results), Does.Contain("La Loi 25 demande à chaque organisme de nommer une personne responsable"));
        var prefill = results.QuerySelector("form.stacked-form")!.GetAttribute("action")!;
        var (_, form) = await nonprofit.GetAsync($"{prefill}?categories=loi-25");
        Assert.That(form.QuerySelectorAll("input[name=Categories]:checked").Select(i => i.GetAttribute("value")), Is.EqualTo(new[] { "loi-25" }));

        // Bad input: a clear French message, a 400, and nothing typed is lost.
        var (missing, again) = await nonprofit.SubmitAsync(form, "form.stacked-form", new Dictionary<string, string> { ["Title"] = "Se conformer à la Loi 25" });
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(again.QuerySelector(".alert")!.TextContent, Does.Contain("Choisissez la région du Québec"));
        Assert.That(again.QuerySelector("input[name=Title]")!.GetAttribute("value"), Is.EqualTo("Se conformer à la Loi 25"));
        Assert.That(await _factory.WithDbAsync(db => db.NeedRequests.CountAsync(r => r.Title == "Se conformer à la Loi 25")), Is.Zero);

        var (created, _) = await nonprofit.SubmitAsync(again, "form.stacked-form", new Dictionary<string, string>
        {
            ["Region"] = "16", ["Delivery"] = "Either", ["Budget"] = "Under1000", ["Timeline"] = "WithinThreeMonths",
            ["PreferSocialEconomy"] = "true", ["NeedsFreeOrNonprofitPricing"] = "true",
        });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var requestUrl = created.Headers.Location!.OriginalString;
        var requestId = int.Parse(requestUrl.Split('/').Last());

        // Submitting queued the matching job (never inline): within a minute the page shows ranked matches, each with why.
        var page = await WaitForMatchesAsync(nonprofit, requestUrl, p => p.QuerySelectorAll("li.match").Length > 0);
        Assert.That(Text(page), Does.Contain("Ces suggestions sont faites automatiquement"));
        Assert.That(Text(page), Does.Contain("Demander une révision par une personne").Or.Contain("demander une révision"));
        var coop = page.QuerySelectorAll("li.match").Single(li => li.TextContent.Contains("Coopérative Vie privée (test)"));
        var reasons = coop.QuerySelectorAll("ul.reasons li").Select(li => li.TextContent.Trim()).ToArray();
        Assert.That(reasons, Does.Contain("offre Conformité Loi 25 et renseignements personnels"));
        Assert.That(reasons, Does.Contain("dessert votre région (Montérégie)"));
        Assert.That(reasons, Does.Contain("Coopérative — économie sociale"));
        Assert.That(reasons, Does.Contain("service en français"));
        Assert.That(reasons, Does.Contain("service gratuit"));
        Assert.That(coop.QuerySelectorAll("details tbody tr"), Has.Length.EqualTo(8), "each factor's contribution is shown, coverage and language included");
        var first = page.QuerySelector("li.match h3")!.TextContent;
        Assert.That(first, Is.EqualTo("Coopérative Vie privée (test)"), "free, social economy, local and recently verified: first");

        // In English, the same reasons in English.
        var (_, english) = await nonprofit.GetAsync($"/en/account/needs/{requestId}");
        Assert.That(Text(english), Does.Contain("offers Conformité Loi 25").Or.Contain("offers Law 25"));
        Assert.That(Text(english), Does.Contain("service in French"));

        // Dismiss another provider, with a reason; it moves to « Suggestions écartées » and the reason is kept.
        var other = page.QuerySelectorAll("li.match").FirstOrDefault(li => !li.TextContent.Contains("(test)"));
        Assert.That(other, Is.Not.Null, "the seed data has other Law 25 providers for Montérégie or remote");
        {
            var dismissForm = other!.QuerySelector("form[action$='/ecarter']")!;
            dismissForm.Id = "dismiss-other";
            var (noReason, _) = await nonprofit.SubmitAsync(page, "#dismiss-other", new Dictionary<string, string> { ["reason"] = "" });
            Assert.That(noReason.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            var (dismissed, _) = await nonprofit.SubmitAsync(page, "#dismiss-other", new Dictionary<string, string> { ["reason"] = "Price" });
            Assert.That(dismissed.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
            Assert.That(await _factory.WithDbAsync(db => db.MatchResponses.CountAsync(r => r.RequestId == requestId && r.DismissalReason == DismissalReason.Price)), Is.EqualTo(1));
            var (_, after) = await nonprofit.GetAsync(requestUrl);
            Assert.That(Text(after), Does.Contain("Suggestions écartées"));
        }

        // Contact the cooperative without sharing details: the provider gets the message, not who wrote it.
        var (_, contact) = await nonprofit.GetAsync($"/fr/compte/besoins/{requestId}/fournisseurs/{coopId}/contacter");
        var (empty, _) = await nonprofit.SubmitAsync(contact, "form.stacked-form", new Dictionary<string, string> { ["message"] = " " });
        Assert.That(empty.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var (sent, _) = await nonprofit.SubmitAsync(contact, "form.stacked-form", new Dictionary<string, string> { ["message"] = "Pouvez-vous nous aider d'ici l'été?" });
        Assert.That(sent.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var toProvider = await _factory.WithDbAsync(db => db.OutboxEmails.Where(e => e.To == "coop@exemple.invalid" && e.Subject.StartsWith("Un organisme communautaire vous écrit")).ToListAsync());
        Assert.That(toProvider, Has.Count.EqualTo(1));
        Assert.That(toProvider[0].TextBody, Does.Contain("Pouvez-vous nous aider d'ici l'été?"));
        Assert.That(toProvider[0].TextBody, Does.Not.Contain(Nonprofit).And.Not.Contain("mdj@exemple.invalid").And.Not.Contain("Se conformer"));

        // The provider sees the request anonymized: region, categories, description, budget, timeline; no name, no title.
        var (_, list) = await providerBrowsing.GetAsync("/fr/compte/demandes");
        Assert.That(list.QuerySelector($"a[href='/fr/compte/demandes/{requestId}']"), Is.Not.Null);
        var (_, opportunity) = await providerBrowsing.GetAsync($"/fr/compte/demandes/{requestId}");
        Assert.That(Text(opportunity), Does.Contain("Montérégie").And.Contain("Moins de 1 000 $").And.Contain("D'ici trois mois").And.Contain("Pouvez-vous nous aider"));
        Assert.That(Text(opportunity), Does.Not.Contain(Nonprofit).And.Not.Contain("Se conformer à la Loi 25").And.Not.Contain("mdj@exemple.invalid"));
        Assert.That(opportunity.QuerySelector("a[href^='/fr/compte/messages/']"), Is.Not.Null, "the provider answers in the conversation");

        // « Intéressé »: the nonprofit is told, and decides whether to reveal itself.
        var (interested, _) = await providerBrowsing.SubmitAsync(opportunity, "form.stacked-form");
        Assert.That(interested.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var told = await _factory.WithDbAsync(db => db.OutboxEmails.SingleAsync(e => e.To == "mdj@exemple.invalid" && e.Subject.StartsWith("Un fournisseur est intéressé")));
        Assert.That(told.TextBody, Does.Contain("Coopérative Vie privée (test)"));
        var (_, mine) = await nonprofit.GetAsync(requestUrl);
        var coopCard = mine.QuerySelectorAll("li.match").Single(li => li.TextContent.Contains("Coopérative Vie privée (test)"));
        Assert.That(coopCard.TextContent, Does.Contain("a manifesté son intérêt"));
        coopCard.QuerySelector("form[action$='/partager']")!.Id = "share";
        var (askedToShare, confirmation) = await nonprofit.SubmitAsync(mine, "#share");
        Assert.That(askedToShare.StatusCode, Is.EqualTo(HttpStatusCode.OK), "what will be shared is shown first");
        var (shared, _) = await nonprofit.SubmitAsync(confirmation, "form.confirm-form");
        Assert.That(shared.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var disclosed = await _factory.WithDbAsync(db => db.OutboxEmails.SingleAsync(e => e.To == "coop@exemple.invalid" && e.Subject.StartsWith("Un organisme communautaire vous transmet")));
        Assert.That(disclosed.TextBody, Does.Contain(Nonprofit).And.Contain("mdj@exemple.invalid"));
        var (_, revealed) = await providerBrowsing.GetAsync($"/fr/compte/demandes/{requestId}");
        Assert.That(Text(revealed), Does.Contain(Nonprofit).And.Contain("mdj@exemple.invalid"));

        // « Demander une révision par une personne » → the curators' queue → the answer → the nonprofit is told.
        var (_, beforeReview) = await nonprofit.GetAsync(requestUrl);
        var (asked, _) = await nonprofit.SubmitAsync(beforeReview, "form[action$='/revision']", new Dictionary<string, string> { ["question"] = "Y a-t-il des fournisseurs en personne?" });
        Assert.That(asked.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var (twice, _) = await nonprofit.SubmitAsync(beforeReview, "form[action$='/revision']", new Dictionary<string, string> { ["question"] = "Encore?" });
        Assert.That(twice.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), "one pending review at a time");
        using var curator = await CurationJourneyTests.CuratorAsync(_factory, "conservation@exemple.invalid");
        using var otherCurator = await CurationJourneyTests.CuratorAsync(_factory, "conservation2@exemple.invalid");
        var (_, queue) = await curator.GetAsync("/fr/conservation");
        var link = queue.QuerySelectorAll("a").Single(a => a.TextContent == "Se conformer à la Loi 25").GetAttribute("href")!;
        var (_, review) = await curator.GetAsync(link);
        Assert.That(Text(review), Does.Contain("Y a-t-il des fournisseurs en personne?").And.Contain(Nonprofit).And.Contain("offre Conformité Loi 25"));
        var (_, sameReview) = await otherCurator.GetAsync(link);
        var (blank, _) = await curator.SubmitAsync(review, "form.stacked-form", new Dictionary<string, string> { ["answer"] = "" });
        Assert.That(blank.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var (answered, _) = await curator.SubmitAsync(review, "form.stacked-form", new Dictionary<string, string> { ["answer"] = "La coopérative se déplace en Montérégie." });
        answered.IsRedirectTo("/fr/conservation");
        var (late, latePage) = await otherCurator.SubmitAsync(sameReview, "form.stacked-form", new Dictionary<string, string> { ["answer"] = "Autre réponse" });
        Assert.That(late.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(Text(latePage), Does.Contain("La coopérative se déplace en Montérégie."), "the first answer stands");
        var answer = await _factory.WithDbAsync(db => db.OutboxEmails.SingleAsync(e => e.To == "mdj@exemple.invalid" && e.Subject.StartsWith("Réponse de l'équipe de vérification")));
        Assert.That(answer.TextBody, Does.Contain("La coopérative se déplace en Montérégie."));
        var (_, withAnswer) = await nonprofit.GetAsync(requestUrl);
        Assert.That(Text(withAnswer), Does.Contain("La coopérative se déplace en Montérégie."));

        // Edit: another category; the job recomputes.
        var (_, edit) = await nonprofit.GetAsync($"/fr/compte/besoins/{requestId}/modifier");
        var (saved, _) = await nonprofit.SubmitAsync(edit, "form.stacked-form", new Dictionary<string, string> { ["Categories"] = "materiel" });
        Assert.That(saved.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        await WaitForMatchesAsync(nonprofit, requestUrl, p => !p.QuerySelectorAll("li.match").Any(li => li.TextContent.Contains("Coopérative Vie privée (test)")));
        var (_, gone) = await providerBrowsing.GetAsync($"/fr/compte/demandes/{requestId}");
        Assert.That(Text(gone), Does.Contain(Nonprofit), "a conversation already started stays visible to the provider while the request is open");

        // Pause: no suggestions, and providers no longer see it. Close: nothing can change any more.
        var (_, shown) = await nonprofit.GetAsync(requestUrl);
        var (paused, _) = await nonprofit.SubmitAsync(shown, "form[action$='/statut']", new Dictionary<string, string> { ["change"] = "pause" });
        Assert.That(paused.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        await WaitForMatchesAsync(nonprofit, requestUrl, p => p.QuerySelectorAll("li.match").Length == 0);
        var (hidden, _) = await providerBrowsing.GetAsync($"/fr/compte/demandes/{requestId}");
        Assert.That(hidden.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var (_, pausedPage) = await nonprofit.GetAsync(requestUrl);
        var (_, closeConfirmation) = await nonprofit.SubmitAsync(pausedPage, "form[action$='/statut']", new Dictionary<string, string> { ["change"] = "close" });
        var (closed, _) = await nonprofit.SubmitAsync(closeConfirmation, "form.confirm-form");
        Assert.That(closed.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var (closedAgain, _) = await nonprofit.SubmitAsync(pausedPage, "form[action$='/statut']", new Dictionary<string, string> { ["change"] = "resume" });
        Assert.That(closedAgain.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        var (editClosed, _) = await nonprofit.SubmitAsync(edit, "form.stacked-form", new Dictionary<string, string> { ["Title"] = "Trop tard" });
        Assert.That(editClosed.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(await _factory.WithDbAsync(db => db.NeedRequests.Where(r => r.Id == requestId).Select(r => r.Title).SingleAsync()), Is.EqualTo("Se conformer à la Loi 25"));
    }

    [Test]
    public async Task The_diagnostic_refuses_an_unknown_answer_in_the_page_language()
    {
        using var anonymous = new Browsing(_factory);
        var (fr, frPage) = await anonymous.GetAsync("/fr/diagnostic/resultat?computers=ancien");
        Assert.That(fr.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(frPage.QuerySelector(".alert")!.TextContent, Does.Contain("Une réponse du diagnostic n'est pas reconnue"));
        var (en, enPage) = await anonymous.GetAsync("/en/diagnostic/result?nosuchquestion=yes");
        Assert.That(en.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(enPage.QuerySelector(".alert")!.TextContent, Does.Contain("One answer of the diagnostic is not recognized"));
        var (_, questions) = await anonymous.GetAsync("/fr/diagnostic");
        Assert.That(questions.QuerySelectorAll("fieldset"), Has.Length.InRange(10, 12));
    }
}
