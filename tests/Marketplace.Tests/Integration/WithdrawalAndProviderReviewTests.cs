using System.Net;
using Marketplace.Tests.Support;
using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Domain.Privacy;
using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Features.Matching;
using Marketplace.Web.Domain.Matching;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Tests.Integration;

/// <summary>
/// Issue 14: anybody asks for a public listing to be withdrawn (s. 28.1), the verification team decides, the requester is
/// emailed, and a withdrawn listing answers 410 with noindex; providers get the notice, the reasons and a human review of
/// the automated matching (s. 12.1).
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class WithdrawalAndProviderReviewTests(DatabaseProvider provider)
{
    private MarketplaceFactory _factory = null!;
    private Browsing _curator = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _factory = await MarketplaceFactory.StartAsync(provider);
        _curator = await CurationJourneyTests.CuratorAsync(_factory, $"retraits-verif-{Suffix}@exemple.invalid");
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _curator.Dispose();
        await _factory.DisposeAsync();
    }

    private string Suffix => provider.ToString().ToLowerInvariant();

    private async Task<(HttpResponseMessage, AngleSharp.Html.Dom.IHtmlDocument)> AskAsync(Browsing visitor, string providerPath, Dictionary<string, string> fields)
    {
        var (_, listing) = await visitor.GetAsync(providerPath);
        var link = listing.QuerySelector("p.withdrawal a")!.GetAttribute("href")!;
        var (_, form) = await visitor.GetAsync(link);
        return await visitor.SubmitAsync(form, "form.withdrawal-form", fields);
    }

    [Test]
    public async Task An_anonymous_request_reaches_the_queue_and_withdrawing_answers_410_noindex_and_emails_the_requester()
    {
        var slug = $"retrait-public-{Suffix}";
        var requester = $"retrait-demandeur-{Suffix}@exemple.invalid";
        var providerId = await _factory.AddProviderAsync(slug, $"Atelier à retirer {Suffix}", "Une fiche dont une personne demande le retrait.");
        using var visitor = new Browsing(_factory);

        var (asked, _) = await AskAsync(visitor, $"/fr/fournisseurs/{slug}",
            new() { ["name"] = "Dominique", ["email"] = requester, ["reason"] = "Cette fiche affiche mon numéro personnel." });
        asked.IsRedirectTo($"/fr/fournisseurs/{slug}/retrait?sent=True");
        var request = await _factory.WithDbAsync(db => db.WithdrawalRequests.AsNoTracking().SingleAsync(w => w.ProviderId == providerId));
        Assert.That(request.RequesterEmail, Is.EqualTo(requester));
        Assert.That(request.Language, Is.EqualTo("fr"));

        var (_, queue) = await _curator.GetAsync("/fr/conservation");
        var item = queue.QuerySelectorAll("table.withdrawals a").Single(a => a.TextContent == $"Atelier à retirer {Suffix}");
        var (_, review) = await _curator.GetAsync(item.GetAttribute("href")!);
        Assert.That(review.QuerySelector(".withdrawal-request")!.TextContent, Does.Contain("mon numéro personnel").And.Contain(requester));
        var (decided, _) = await _curator.SubmitAsync(review, "form.decide-withdrawal-form", new Dictionary<string, string> { ["decision"] = "withdraw", ["reason"] = "Fiche retirée à la demande de la personne." });
        decided.IsRedirectTo("/fr/conservation");

        Assert.That(await _factory.WithDbAsync(db => db.Providers.Where(p => p.Id == providerId).Select(p => p.Status).SingleAsync()), Is.EqualTo(ListingStatus.Archived));
        Assert.That(await _factory.WithDbAsync(db => db.AuditEntries.CountAsync(a => a.ProviderId == providerId && a.Action == AuditAction.Archived)), Is.EqualTo(1));
        foreach (var (path, title) in new[] { ($"/fr/fournisseurs/{slug}", "a été retirée"), ($"/en/providers/{slug}", "was withdrawn") })
        {
            var (gone, page) = await visitor.GetAsync(path);
            Assert.That(gone.StatusCode, Is.EqualTo(HttpStatusCode.Gone), path);
            Assert.That(gone.Headers.GetValues("X-Robots-Tag"), Does.Contain("noindex"));
            Assert.That(page.QuerySelector("h1")!.TextContent, Does.Contain(title));
        }
        var (missing, _) = await visitor.GetAsync("/fr/fournisseurs/aucune-fiche-de-ce-nom");
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), "a listing that never existed is still 404");

        var email = await _factory.WithDbAsync(db => db.OutboxEmails.AsNoTracking().Where(e => e.To == requester).Select(e => new { e.Subject, e.TextBody, e.Language }).SingleAsync());
        Assert.That(email.Subject, Is.EqualTo($"Fiche retirée : Atelier à retirer {Suffix}"));
        Assert.That(email.Language, Is.EqualTo("fr"));
        Assert.That(_factory.Reveal(email.TextBody), Does.Contain("Bonjour Dominique").And.Contain("Fiche retirée à la demande de la personne."));

        // The first decision stands.
        var (again, _) = await _curator.SubmitAsync(review, "form.decide-withdrawal-form", new Dictionary<string, string> { ["decision"] = "refuse", ["reason"] = "Non." });
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(await _factory.WithDbAsync(db => db.OutboxEmails.CountAsync(e => e.To == requester)), Is.EqualTo(1));
    }

    [Test]
    public async Task A_refused_request_keeps_the_listing_and_emails_the_reason_in_the_language_asked_in()
    {
        var slug = $"retrait-refuse-{Suffix}";
        var requester = $"retrait-refuse-{Suffix}@exemple.invalid";
        var providerId = await _factory.AddProviderAsync(slug, $"Coop gardée {Suffix}", "Une fiche exacte.");
        using var visitor = new Browsing(_factory);
        (await AskAsync(visitor, $"/en/providers/{slug}", new() { ["email"] = requester, ["reason"] = "I do not like it." })).Item1
            .IsRedirectTo($"/en/providers/{slug}/withdrawal?sent=True");
        var id = await _factory.WithDbAsync(db => db.WithdrawalRequests.Where(w => w.ProviderId == providerId).Select(w => w.Id).SingleAsync());

        var (_, review) = await _curator.GetAsync($"/fr/conservation/retraits/{id}");
        var (noReason, kept) = await _curator.SubmitAsync(review, "form.decide-withdrawal-form", new Dictionary<string, string> { ["decision"] = "refuse", ["reason"] = "" });
        Assert.That(noReason.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        (await _curator.SubmitAsync(kept, "form.decide-withdrawal-form", new Dictionary<string, string> { ["decision"] = "refuse", ["reason"] = "The listing is accurate and public by choice." }))
            .Item1.IsRedirectTo("/fr/conservation");

        Assert.That(await _factory.WithDbAsync(db => db.Providers.Where(p => p.Id == providerId).Select(p => p.Status).SingleAsync()), Is.EqualTo(ListingStatus.Published));
        Assert.That((await visitor.GetAsync($"/fr/fournisseurs/{slug}")).Response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var email = await _factory.WithDbAsync(db => db.OutboxEmails.AsNoTracking().Where(e => e.To == requester).Select(e => new { e.Subject, e.TextBody, e.Language }).SingleAsync());
        Assert.That(email.Language, Is.EqualTo("en"));
        Assert.That(email.Subject, Is.EqualTo($"Your request to withdraw the listing Coop gardée {Suffix}"));
        Assert.That(_factory.Reveal(email.TextBody), Does.Contain("Hello,").And.Contain("The listing is accurate and public by choice."));
    }

    [Test]
    public async Task A_request_without_a_valid_email_is_refused_with_400_and_keeps_what_was_typed()
    {
        var slug = $"retrait-invalide-{Suffix}";
        var providerId = await _factory.AddProviderAsync(slug, $"Fiche invalide {Suffix}", "Fiche.");
        using var visitor = new Browsing(_factory);
        var (refused, page) = await AskAsync(visitor, $"/fr/fournisseurs/{slug}", new() { ["email"] = "pas-une-adresse", ["reason"] = "Mon motif détaillé." });
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(page.QuerySelector(".alert")!.TextContent, Does.Contain("adresse courriel valide"));
        Assert.That(page.QuerySelector("#reason")!.TextContent, Is.EqualTo("Mon motif détaillé."));
        Assert.That(await _factory.WithDbAsync(db => db.WithdrawalRequests.CountAsync(w => w.ProviderId == providerId)), Is.Zero);
        var (_, form) = await visitor.GetAsync($"/fr/fournisseurs/{slug}/retrait");
        var (noToken, _) = await visitor.SubmitAsync(form, "form.withdrawal-form", new Dictionary<string, string> { ["email"] = "a@exemple.invalid", ["reason"] = "x" }, withToken: false);
        Assert.That(noToken.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "antiforgery");
    }

    [Test]
    public async Task Providers_see_the_automated_matching_notice_the_reasons_and_their_review_request_reaches_the_team()
    {
        var providerEmail = $"revision-fournisseur-{Suffix}@exemple.invalid";
        var (providerBrowsing, providerId) = await NeedsJourneyTests.ProviderWithListingAsync(_factory, providerEmail,
            $"revision-coop-{Suffix}", $"Coop Révision {Suffix}", "loi-25");
        using var _p = providerBrowsing;
        using var nonprofit = await CurationJourneyTests.SignUpAsync(_factory, $"revision-obnl-{Suffix}@exemple.invalid", $"Organisme révision {Suffix}", "Nonprofit");
        var (_, needForm) = await nonprofit.GetAsync("/fr/compte/besoins/nouveau");
        var (created, _) = await nonprofit.SubmitAsync(needForm, "form.stacked-form", new Dictionary<string, string>
        {
            ["Title"] = "Loi 25 pour la révision", ["Categories"] = "loi-25", ["Region"] = "16", ["Delivery"] = "Either",
        });
        var requestId = int.Parse(created.Headers.Location!.OriginalString.Split('/').Last());
        await _factory.WithScopeAsync(sp => sp.GetRequiredService<MatchingRun>().RunAsync(null, new MatchWeights(), CancellationToken.None));

        var (_, list) = await providerBrowsing.GetAsync("/fr/compte/demandes");
        var notice = list.QuerySelector(".automated-notice")!.TextContent;
        Assert.That(notice, Does.Contain("produite automatiquement").And.Contain($"seuls les {MatchingRun.TopCount} fournisseurs").And.Contain("Demander une révision"));
        var (_, english) = await providerBrowsing.GetAsync("/en/account/requests");
        Assert.That(english.QuerySelector(".automated-notice")!.TextContent, Does.Contain("produced automatically"));

        var (_, opportunity) = await providerBrowsing.GetAsync($"/fr/compte/demandes/{requestId}");
        var reasons = opportunity.QuerySelectorAll("ul.reasons li").Select(li => li.TextContent).ToArray();
        Assert.That(reasons, Has.Some.Contain("Conformité Loi 25"), string.Join(" | ", reasons));
        Assert.That(opportunity.QuerySelector("main")!.TextContent, Does.Not.Contain("Loi 25 pour la révision"), "the request stays anonymous");

        var (asked, _) = await providerBrowsing.SubmitAsync(opportunity, "form.provider-review-form", new Dictionary<string, string> { ["question"] = "Pourquoi cette demande et pas celles de Laval?" });
        asked.IsRedirectTo($"/fr/compte/demandes/{requestId}");
        var (_, again) = await providerBrowsing.GetAsync($"/fr/compte/demandes/{requestId}");
        var (twice, _) = await providerBrowsing.SubmitAsync(again, "form.provider-review-form", new Dictionary<string, string> { ["question"] = "Encore?" });
        Assert.That(twice.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), "one open question per subject");
        var (general, _) = await providerBrowsing.SubmitAsync(list, "form.provider-review-form", new Dictionary<string, string> { ["question"] = "Notre liste est vide depuis un mois." });
        general.IsRedirectTo("/fr/compte/demandes");

        var (_, queue) = await _curator.GetAsync("/fr/conservation");
        var links = queue.QuerySelectorAll("table.provider-reviews a").Where(a => a.TextContent == $"Coop Révision {Suffix}").ToList();
        Assert.That(links, Has.Count.EqualTo(2));
        var reviewId = await _factory.WithDbAsync(db => db.ProviderReviews.Where(r => r.ProviderId == providerId && r.RequestId == requestId).Select(r => r.Id).SingleAsync());
        var (_, reviewPage) = await _curator.GetAsync($"/fr/conservation/revisions-fournisseurs/{reviewId}");
        Assert.That(reviewPage.QuerySelector(".provider-question")!.TextContent, Does.Contain("pas celles de Laval"));
        Assert.That(reviewPage.QuerySelectorAll("ul.reasons li").Select(li => li.TextContent), Has.Some.Contain("Conformité Loi 25"));
        var (answered, _) = await _curator.SubmitAsync(reviewPage, "form.answer-form", new Dictionary<string, string> { ["answer"] = "Votre fiche ne dessert pas Laval; ajoutez la région." });
        answered.IsRedirectTo("/fr/conservation");

        var email = await _factory.WithDbAsync(db => db.OutboxEmails.AsNoTracking().Where(e => e.To == providerEmail && e.Subject == "Réponse à votre demande de révision")
            .Select(e => e.TextBody).SingleAsync());
        Assert.That(_factory.Reveal(email), Does.Contain("ajoutez la région"));
        var (_, after) = await providerBrowsing.GetAsync($"/fr/compte/demandes/{requestId}");
        Assert.That(after.QuerySelector(".provider-review")!.TextContent, Does.Contain("ajoutez la région"));
        var (_, nonprofitPage) = await nonprofit.GetAsync($"/fr/compte/besoins/{requestId}");
        Assert.That(nonprofitPage.QuerySelector("main")!.TextContent, Does.Not.Contain("pas celles de Laval"), "a provider's question never shows to the nonprofit");
    }
}
