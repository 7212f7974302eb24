using System.Net;
using System.Text.RegularExpressions;
using AngleSharp.Html.Dom;
using Marketplace.Tests.Support;
using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Conversations;
using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Domain.Matching;
using Marketplace.Web.Infrastructure.Cli;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Tests.Integration;

/// <summary>
/// Issue 11, « every listing is reachable », on the seed data: a message to a listing nobody manages goes to its public
/// email through the outbox and the page says where; with no public email the page says so before anything is typed and
/// nothing claims to be sent; a listing is claimed by the link sent to its public email or by the verification team; the
/// provider then answers in the site, the nonprofit replies and shares its details after a confirmation, and both see the
/// thread with unread counts.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class ReachabilityTests(DatabaseProvider provider)
{
    private const string Centre = "centre-canadien-resilience-numerique-obnl";
    private const string CentreEmail = "info@ccndr.ca";
    private MarketplaceFactory _factory = null!;

    [OneTimeSetUp]
    public async Task Start() => _factory = await MarketplaceFactory.StartAsync(provider);

    [OneTimeTearDown]
    public async Task Stop() => await _factory.DisposeAsync();

    private string Email(string who) => $"{who}-{provider}@exemple.invalid".ToLowerInvariant();

    private static string Body(IHtmlDocument page) => page.QuerySelector("main")!.TextContent;

    private Task<int> OutboxCountAsync(string to) => _factory.WithDbAsync(db => db.OutboxEmails.CountAsync(e => e.To == to));

    /// <summary>An open Montréal request of the nonprofit named <paramref name="organization"/>, with its matches computed.</summary>
    private async Task<int> RequestWithMatchesAsync(string organization, string title, params string[] categories)
    {
        var id = await _factory.WithDbAsync(async db =>
        {
            var organizationId = await db.Organizations.Where(o => o.Name == organization).Select(o => o.Id).SingleAsync();
            var request = new NeedRequest(organizationId, title, "Description de la demande de test.", categories, "06", DeliveryPreference.Either,
                "fr", BudgetRange.Under1000, Timeline.Flexible, ValuePreferences.None, DateTimeOffset.UtcNow);
            db.NeedRequests.Add(request);
            await db.SaveChangesAsync();
            return request.Id;
        });
        using var output = new StringWriter();
        Assert.That(await CommandLine.RunAsync(_factory.Services, ["jobs", "run", "matching", "--request", id.ToString()], output, CancellationToken.None), Is.Zero,
            output.ToString());
        return id;
    }

    [Test]
    public async Task A_message_to_an_unclaimed_listing_goes_to_its_public_email_and_the_page_says_where()
    {
        using var nonprofit = await CurationJourneyTests.SignUpAsync(_factory, Email("ecrit-centre"), $"Organisme qui écrit ({provider})", "Nonprofit");
        var (_, listing) = await nonprofit.GetAsync($"/fr/fournisseurs/{Centre}");
        Assert.That(Body(listing), Does.Contain(CentreEmail), "the public channel is on the provider's page");
        Assert.That(listing.QuerySelector($"a[href='/fr/fournisseurs/{Centre}/ecrire']"), Is.Not.Null, "a nonprofit can write from the provider's page");

        var (_, form) = await nonprofit.GetAsync($"/fr/fournisseurs/{Centre}/ecrire");
        Assert.That(form.QuerySelector("p.reach")!.TextContent, Does.Contain(CentreEmail), "the page says where the message will go before it is written");
        var before = await OutboxCountAsync(CentreEmail);
        var (sent, _) = await nonprofit.SubmitAsync(form, "form.stacked-form", new Dictionary<string, string> { ["message"] = "Bonjour, offrez-vous un parcours pour les OBNL d'ici?" });
        Assert.That(sent.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var (_, thread) = await nonprofit.GetAsync(sent.Headers.Location!.OriginalString);
        Assert.That(thread.QuerySelector(".notice")!.TextContent, Does.Contain($"envoyé à {CentreEmail}"));
        Assert.That(Body(thread), Does.Contain("offrez-vous un parcours"));

        Assert.That(await OutboxCountAsync(CentreEmail), Is.EqualTo(before + 1));
        var body = await _factory.WithDbAsync(db => db.OutboxEmails.Where(e => e.To == CentreEmail).OrderBy(e => e.Id).Select(e => e.TextBody).LastAsync());
        Assert.That(body, Does.Contain("offrez-vous un parcours"));
        Assert.That(body, Does.Contain($"/fr/fournisseurs/{Centre}/reclamer"), "the footer says how to claim the listing");
        Assert.That(body, Does.Contain("adresse publique de la fiche"), "the footer says why the address got it");
        Assert.That(body, Does.Contain("n'a pas partagé son identité"), "nothing is shared without the nonprofit's choice");
        Assert.That(body, Does.Not.Contain($"Organisme qui écrit ({provider})"));
    }

    [Test]
    public async Task A_listing_without_a_public_email_says_so_before_anything_is_typed_and_nothing_claims_to_be_sent()
    {
        using var nonprofit = await CurationJourneyTests.SignUpAsync(_factory, Email("ecrit-juripop"), $"Organisme sans réponse ({provider})", "Nonprofit");
        var (_, page) = await nonprofit.GetAsync("/fr/fournisseurs/juripop/ecrire");
        Assert.That(Body(page), Does.Contain("Nous ne connaissons aucune adresse courriel pour Juripop"), Body(page));
        Assert.That(page.QuerySelector("textarea"), Is.Null, "no form to type into");

        // Posting anyway (an old tab, a crafted request): refused, nothing written, nothing says "sent".
        var (_, centre) = await nonprofit.GetAsync($"/fr/fournisseurs/{Centre}/ecrire");
        centre.QuerySelector("form.stacked-form")!.SetAttribute("action", "/fr/fournisseurs/juripop/ecrire");
        var conversations = await _factory.WithDbAsync(db => db.Conversations.CountAsync());
        var outbox = await _factory.WithDbAsync(db => db.OutboxEmails.CountAsync());
        var (refused, again) = await nonprofit.SubmitAsync(centre, "form.stacked-form", new Dictionary<string, string> { ["message"] = "Bonjour Juripop" });
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(Body(again), Does.Contain("aucune adresse courriel"));
        Assert.That(Body(again), Does.Not.Contain("a été envoyé").And.Not.Contain("est envoyé"));
        Assert.That(await _factory.WithDbAsync(db => db.Conversations.CountAsync()), Is.EqualTo(conversations));
        Assert.That(await _factory.WithDbAsync(db => db.OutboxEmails.CountAsync()), Is.EqualTo(outbox));
    }

    [Test]
    public async Task Writing_from_a_suggestion_to_a_listing_nobody_manages_is_delivered_or_refused_never_lost()
    {
        // Centraide du Grand Montréal serves all of Quebec with training; the seed gives it no public email.
        var organization = $"Organisme en formation ({provider})";
        using var nonprofit = await CurationJourneyTests.SignUpAsync(_factory, Email("suggestion"), organization, "Nonprofit");
        var requestId = await RequestWithMatchesAsync(organization, "Former notre équipe", "formation");
        var centraide = await _factory.WithDbAsync(db => db.Providers.Where(p => p.Slug == "centraide-du-grand-montreal").Select(p => p.Id).SingleAsync());
        Assert.That(await _factory.WithDbAsync(db => db.Matches.AnyAsync(m => m.RequestId == requestId && m.ProviderId == centraide)), Is.True);

        var contactUrl = $"/fr/compte/besoins/{requestId}/fournisseurs/{centraide}/contacter";
        var (_, page) = await nonprofit.GetAsync(contactUrl);
        Assert.That(Body(page), Does.Contain("Nous ne connaissons aucune adresse courriel"), "said before anything is typed");
        Assert.That(page.QuerySelector("textarea"), Is.Null);
        var (_, any) = await nonprofit.GetAsync($"/fr/fournisseurs/{Centre}/ecrire");
        any.QuerySelector("form.stacked-form")!.SetAttribute("action", contactUrl);
        var outbox = await _factory.WithDbAsync(db => db.OutboxEmails.CountAsync());
        var (refused, refusedPage) = await nonprofit.SubmitAsync(any, "form.stacked-form", new Dictionary<string, string> { ["message"] = "Bonjour Centraide" });
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(Body(refusedPage), Does.Not.Contain("Votre message est envoyé"));
        Assert.That(await _factory.WithDbAsync(db => db.OutboxEmails.CountAsync()), Is.EqualTo(outbox), "no email, no outbox row");

        // Once the verification team records a public email, the same message goes there, and the page says so.
        using var curator = await CurationJourneyTests.CuratorAsync(_factory, Email("verif-contacts"));
        var (_, contacts) = await curator.GetAsync($"/fr/conservation/fiches/{centraide}/coordonnees");
        var (bad, badPage) = await curator.SubmitAsync(contacts, "form.stacked-form", new Dictionary<string, string> { ["email"] = "pas une adresse" });
        Assert.That(bad.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(badPage.QuerySelector(".alert")!.TextContent, Does.Contain("adresse courriel publique n'est pas valide"));
        var (saved, _) = await curator.SubmitAsync(badPage, "form.stacked-form", new Dictionary<string, string>
        {
            ["email"] = "dataide@centraide.exemple.invalid", ["checked"] = "true", ["note"] = "Site officiel",
        });
        Assert.That(saved.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(await _factory.WithDbAsync(db => db.AuditEntries.AnyAsync(a => a.ProviderId == centraide && a.Action == AuditAction.ContactsUpdated)), Is.True);

        var (_, form) = await nonprofit.GetAsync(contactUrl);
        Assert.That(form.QuerySelector("p.reach")!.TextContent, Does.Contain("dataide@centraide.exemple.invalid"));
        var (sent, _) = await nonprofit.SubmitAsync(form, "form.stacked-form", new Dictionary<string, string> { ["message"] = "Bonjour Centraide, encore" });
        Assert.That(sent.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var (_, thread) = await nonprofit.GetAsync(sent.Headers.Location!.OriginalString);
        Assert.That(thread.QuerySelector(".notice")!.TextContent, Does.Contain("envoyé à dataide@centraide.exemple.invalid"));
        Assert.That(await OutboxCountAsync("dataide@centraide.exemple.invalid"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_montreal_loi_25_need_suggests_juripop_and_its_contact_page_says_no_address_is_known_before_anything_is_typed()
    {
        var organization = $"Organisme Loi 25 ({provider})";
        using var nonprofit = await CurationJourneyTests.SignUpAsync(_factory, Email("loi25"), organization, "Nonprofit");
        var requestId = await RequestWithMatchesAsync(organization, "Se conformer à la Loi 25", "loi-25");
        var (_, page) = await nonprofit.GetAsync($"/fr/compte/besoins/{requestId}");
        var names = page.QuerySelectorAll("li.match h3").Select(h => h.TextContent.Trim()).ToArray();
        Assert.That(names, Is.SupersetOf(new[] { "Juripop", "Le Consortium", "Coalition Interjeunes", "Nord Ouvert" }));
        var juripop = page.QuerySelectorAll("li.match").Single(li => li.QuerySelector("h3")!.TextContent.Trim() == "Juripop");
        Assert.That(juripop.TextContent, Does.Contain("région desservie non précisée"));

        var contact = juripop.QuerySelectorAll("a").Single(a => a.GetAttribute("href")!.EndsWith("/contacter")).GetAttribute("href")!;
        var (_, form) = await nonprofit.GetAsync(contact);
        Assert.That(Body(form), Does.Contain("Nous ne connaissons aucune adresse courriel pour Juripop"));
        Assert.That(form.QuerySelector("textarea"), Is.Null, "nothing to type into");
    }

    [Test]
    public async Task A_provider_claims_a_listing_by_its_public_email_answers_in_the_site_and_the_nonprofit_shares_its_details()
    {
        // The nonprofit writes first, while nobody manages the listing.
        var organization = $"Organisme en conversation ({provider})";
        using var nonprofit = await CurationJourneyTests.SignUpAsync(_factory, Email("conversation"), organization, "Nonprofit");
        var (_, form) = await nonprofit.GetAsync($"/fr/fournisseurs/{Centre}/ecrire");
        var (sent, _) = await nonprofit.SubmitAsync(form, "form.stacked-form", new Dictionary<string, string> { ["message"] = "Premier message avant réclamation" });
        var threadUrl = sent.Headers.Location!.OriginalString;

        // A provider account claims the listing; the link goes to the public email; opening it decides nothing.
        using var providerBrowsing = await CurationJourneyTests.SignUpAsync(_factory, Email("centre"), $"Centre canadien ({provider})", "Provider");
        var (_, claimPage) = await providerBrowsing.GetAsync($"/fr/fournisseurs/{Centre}/reclamer");
        var (noMethod, noMethodPage) = await providerBrowsing.SubmitAsync(claimPage, "form.stacked-form");
        Assert.That(noMethod.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        var (claimed, _) = await providerBrowsing.SubmitAsync(noMethodPage, "form.stacked-form", new Dictionary<string, string> { ["method"] = "courriel" });
        Assert.That(claimed.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var mail = await _factory.WithDbAsync(db => db.OutboxEmails.Where(e => e.To == CentreEmail).OrderBy(e => e.Id).Select(e => e.TextBody).LastAsync());
        var link = new Uri(Regex.Match(_factory.Reveal(mail), @"https?://\S+/fr/reclamation/\d+/confirmer\?t=[0-9a-f]+").Value);
        var (opened, confirmPage) = await new Browsing(_factory).GetAsync(link.PathAndQuery);
        Assert.That(opened.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await _factory.WithDbAsync(db => db.Organizations.AnyAsync(o => o.ProviderId != null && o.Name == $"Centre canadien ({provider})")), Is.False,
            "a link scanner opening the page claims nothing");
        using var mailbox = new Browsing(_factory);
        var (_, confirmAgain) = await mailbox.GetAsync(link.PathAndQuery);
        var (confirmed, _) = await mailbox.SubmitAsync(confirmAgain, "form.confirm-claim");
        Assert.That(confirmed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await _factory.WithDbAsync(db => db.Organizations.AnyAsync(o => o.Name == $"Centre canadien ({provider})" && o.ProviderId != null)), Is.True);
        var (replay, _) = await mailbox.SubmitAsync(confirmAgain, "form.confirm-claim");
        Assert.That(replay.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "the link works once");

        // The provider sees the message received before the claim, without the nonprofit's identity, and answers.
        var (_, list) = await providerBrowsing.GetAsync("/fr/compte/messages");
        Assert.That(Body(list), Does.Contain("1 nouveau message"));
        Assert.That(Body(list), Does.Not.Contain(organization));
        var providerThread = list.QuerySelector("table a")!.GetAttribute("href")!;
        var (_, thread) = await providerBrowsing.GetAsync(providerThread);
        Assert.That(Body(thread), Does.Contain("Premier message avant réclamation"));
        Assert.That(Body(thread), Does.Not.Contain(organization));
        var (answered, _) = await providerBrowsing.SubmitAsync(thread, "form.stacked-form", new Dictionary<string, string> { ["message"] = "Oui, avec plaisir" });
        Assert.That(answered.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(await OutboxCountAsync(Email("conversation")), Is.GreaterThanOrEqualTo(2), "the nonprofit is emailed (after its confirmation email)");

        // The nonprofit sees the answer as unread, replies, then shares its details after a confirmation.
        var (_, mine) = await nonprofit.GetAsync("/fr/compte/messages");
        Assert.That(Body(mine), Does.Contain("1 nouveau message"));
        var (_, nonprofitThread) = await nonprofit.GetAsync(threadUrl);
        Assert.That(Body(nonprofitThread), Does.Contain("Oui, avec plaisir"), nonprofitThread.Body!.InnerHtml);
        Assert.That(nonprofitThread.QuerySelector("p.reach")!.TextContent, Does.Contain("la personne qui gère la fiche"), "now delivered to the members, not the public email");
        var (_, share) = await nonprofit.GetAsync(threadUrl);
        var (asked, confirmShare) = await nonprofit.SubmitAsync(share, "form.share-form");
        Assert.That(asked.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(Body(confirmShare), Does.Contain(organization).And.Contain(Email("conversation")), "the confirmation says exactly what is shared");
        Assert.That(await _factory.WithDbAsync(db => db.Conversations.AnyAsync(c => c.DetailsSharedAt != null && c.NonprofitOrganizationId == db.Organizations.Single(o => o.Name == organization).Id)),
            Is.False, "nothing is shared before the confirmation");
        var (shared, _) = await nonprofit.SubmitAsync(confirmShare, "form.confirm-form");
        Assert.That(shared.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var (_, revealed) = await providerBrowsing.GetAsync(providerThread);
        Assert.That(Body(revealed), Does.Contain(organization).And.Contain(Email("conversation")));

        // Nobody else reads the thread.
        using var other = await CurationJourneyTests.SignUpAsync(_factory, Email("autre"), $"Autre organisme ({provider})", "Nonprofit");
        var (notFound, _) = await other.GetAsync(threadUrl);
        Assert.That(notFound.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var (notFoundProvider, _) = await other.GetAsync(providerThread);
        Assert.That(notFoundProvider.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task A_claim_without_a_public_email_is_decided_by_the_verification_team_with_the_evidence()
    {
        using var providerBrowsing = await CurationJourneyTests.SignUpAsync(_factory, Email("innovlog"), $"Innovlog ({provider})", "Provider");
        var (_, claimPage) = await providerBrowsing.GetAsync("/fr/fournisseurs/innovlog/reclamer");
        Assert.That(claimPage.QuerySelector("input[value=courriel]"), Is.Null, "no public email: no link to offer");
        var (missing, again) = await providerBrowsing.SubmitAsync(claimPage, "form.stacked-form", new Dictionary<string, string> { ["method"] = "verification" });
        Assert.That(missing.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(again.QuerySelector(".alert")!.TextContent, Does.Contain("Décrivez vos preuves"));
        var (asked, _) = await providerBrowsing.SubmitAsync(again, "form.stacked-form", new Dictionary<string, string>
        {
            ["method"] = "verification", ["evidence"] = "Je suis directrice générale; voir la page Équipe du site officiel.",
        });
        Assert.That(asked.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));

        using var curator = await CurationJourneyTests.CuratorAsync(_factory, Email("verif-claims"));
        var (_, claims) = await curator.GetAsync("/fr/conservation/reclamations");
        var claimLink = claims.QuerySelectorAll("table a").Single(a => a.TextContent == "Innovlog").GetAttribute("href")!;
        var (_, review) = await curator.GetAsync(claimLink);
        Assert.That(Body(review), Does.Contain("directrice générale"), "the evidence is shown");
        var (accepted, _) = await curator.SubmitAsync(review, "form.stacked-form", new Dictionary<string, string> { ["decision"] = "accept" });
        Assert.That(accepted.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(await _factory.WithDbAsync(db => db.Organizations.AnyAsync(o => o.Name == $"Innovlog ({provider})" && o.ProviderId != null)), Is.True);
        Assert.That(await _factory.WithDbAsync(db => db.AuditEntries.AnyAsync(a => a.Action == AuditAction.ClaimAccepted)), Is.True);

        // The listing no longer offers a claim, and the organization edits it through revisions.
        var (_, listing) = await providerBrowsing.GetAsync("/fr/fournisseurs/innovlog");
        Assert.That(Body(listing), Does.Not.Contain("Vous représentez cet organisme?"));
        var (_, dashboard) = await providerBrowsing.GetAsync("/fr/compte/fiche");
        Assert.That(Body(dashboard), Does.Contain("Innovlog"));
    }

    [Test]
    public async Task The_incomplete_listings_list_names_seed_listings_with_no_region_pricing_or_contact_channel()
    {
        using var curator = await CurationJourneyTests.CuratorAsync(_factory, Email("verif-incompletes"));
        var (_, page) = await curator.GetAsync("/fr/conservation/fiches-incompletes");
        var row = page.QuerySelectorAll("tbody tr").Single(r => r.TextContent.Contains("Coalition Interjeunes"));
        Assert.That(row.TextContent, Does.Contain("région desservie non précisée").And.Contain("aucun moyen de contact"));
        Assert.That(page.QuerySelectorAll("tbody tr").Any(r => r.TextContent.Contains("Nord Ouvert") && r.TextContent.Contains("région desservie non précisée")), Is.False,
            "Nord Ouvert serves all of Quebec");
        using var nonprofit = await CurationJourneyTests.SignUpAsync(_factory, Email("pas-verif"), $"Curieux ({provider})", "Nonprofit");
        var (forbidden, _) = await nonprofit.GetAsync("/fr/conservation/fiches-incompletes");
        Assert.That(forbidden.StatusCode, Is.Not.EqualTo(HttpStatusCode.OK));
    }
}
