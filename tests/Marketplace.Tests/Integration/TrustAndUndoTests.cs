using System.Net;
using AngleSharp.Dom;
using AngleSharp.Html.Dom;
using Marketplace.Tests.Support;
using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Domain.Matching;
using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Features.Curation;
using Marketplace.Web.Features.Digests;
using Marketplace.Web.Features.Matching;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Tests.Integration;

/// <summary>
/// Issue 11, defects 4, 6 and 10 through the real forms: a verification over 12 months old says so everywhere and a
/// curator can renew it; archive, close and share show what will happen before they happen; an archived listing can be
/// restored and a closed request reopened within 90 days; curators review labels, not codes.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class TrustAndUndoTests(DatabaseProvider provider)
{
    private MarketplaceFactory _factory = null!;

    [OneTimeSetUp]
    public async Task Start() => _factory = await MarketplaceFactory.StartAsync(provider,
        new Dictionary<string, string> { ["Digest:ProvidersPerRequest"] = "100" }); // every suggestion in the digest, not only the top five

    [OneTimeTearDown]
    public async Task Stop() => await _factory.DisposeAsync();

    private string Suffix => provider.ToString().ToLowerInvariant();

    private static string Text(IHtmlDocument page) => page.QuerySelector("main")!.TextContent;

    /// <summary>A published listing managed by the provider organization <paramref name="organization"/>, verified when told.</summary>
    private async Task<int> ManagedAsync(string organization, string slug, string description, DateTimeOffset verifiedAt, string category = "loi-25",
        string[]? regions = null)
    {
        var id = await _factory.AddProviderAsync(slug, organization, description, category, regions: regions ?? ["06"], verifiedAt: verifiedAt);
        await _factory.WithDbAsync(async db =>
        {
            var manager = await db.Organizations.SingleAsync(o => o.Name == organization);
            manager.Manages(id);
            return await db.SaveChangesAsync();
        });
        return id;
    }

    private static async Task<int> RequestAsync(Browsing nonprofit, string title, string region, string category = "loi-25")
    {
        var (_, form) = await nonprofit.GetAsync("/fr/compte/besoins/nouveau");
        var (created, page) = await nonprofit.SubmitAsync(form, "form.stacked-form", new Dictionary<string, string>
        {
            ["Title"] = title, ["Categories"] = category, ["Region"] = region, ["Delivery"] = "Either", ["Description"] = "Pour les tests.",
        });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), page.QuerySelector(".alert")?.TextContent);
        return int.Parse(created.Headers.Location!.OriginalString.Split('/').Last());
    }

    private Task MatchAsync() =>
        _factory.WithScopeAsync(sp => sp.GetRequiredService<MatchingRun>().RunAsync(null, new MatchWeights(), CancellationToken.None));

    private static IElement Row(IHtmlDocument page, string selector, string containing, string formId, string formSelector = "form")
    {
        var row = page.QuerySelectorAll(selector).Single(r => r.TextContent.Contains(containing));
        row.QuerySelector(formSelector)!.Id = formId;
        return row;
    }

    // ---- Defect 4: verification you can trust ----

    [Test]
    public async Task A_listing_verified_over_12_months_ago_says_verification_due_on_cards_its_page_suggestions_and_digests()
    {
        var now = DateTimeOffset.UtcNow;
        await _factory.AddProviderAsync("vieille-fiche-test", "Vieille fiche (test)", "Accompagnement grisonnant pour les organismes.", "loi-25",
            regions: ["06"], verifiedAt: now.AddMonths(-13));
        await _factory.AddProviderAsync("fiche-fraiche-test", "Fiche fraîche (test)", "Accompagnement grisonnant récent pour les organismes.", "loi-25",
            regions: ["06"], verifiedAt: now.AddMonths(-11));

        // Search cards.
        using var visitor = new Browsing(_factory);
        var (_, search) = await visitor.GetAsync("/fr/recherche?q=grisonnant");
        var staleCard = search.QuerySelectorAll("article.card").Single(c => c.TextContent.Contains("Vieille fiche (test)")).TextContent;
        var freshCard = search.QuerySelectorAll("article.card").Single(c => c.TextContent.Contains("Fiche fraîche (test)")).TextContent;
        Assert.That(staleCard, Does.Contain("vérification à renouveler").And.Not.Contain("vérifié le"));
        Assert.That(freshCard, Does.Contain("vérifié le").And.Not.Contain("à renouveler"));

        // The provider page, in both languages.
        var (_, page) = await visitor.GetAsync("/fr/fournisseurs/vieille-fiche-test");
        Assert.That(Text(page), Does.Contain("vérification à renouveler").And.Not.Contain("vérifié le"));
        var (_, english) = await visitor.GetAsync("/en/providers/vieille-fiche-test");
        Assert.That(Text(english), Does.Contain("verification due for renewal"));
        var (_, freshPage) = await visitor.GetAsync("/fr/fournisseurs/fiche-fraiche-test");
        Assert.That(Text(freshPage), Does.Contain("vérifié le").And.Not.Contain("à renouveler"));

        // Suggestions' reasons.
        var email = $"grison-{Suffix}@exemple.invalid";
        using var nonprofit = await CurationJourneyTests.SignUpAsync(_factory, email, "Maison Grison", "Nonprofit");
        var (_, settings) = await nonprofit.GetAsync("/fr/compte/parametres");
        var (saved, _) = await nonprofit.SubmitAsync(settings, "form.stacked-form", new Dictionary<string, string> { ["digest"] = "true" });
        Assert.That(saved.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var requestId = await RequestAsync(nonprofit, "Se conformer à la Loi 25 à Montréal", "06");
        await MatchAsync();
        var (_, need) = await nonprofit.GetAsync($"/fr/compte/besoins/{requestId}");
        string[] Reasons(string name) => need.QuerySelectorAll("li.match").Single(li => li.TextContent.Contains(name))
            .QuerySelectorAll("ul.reasons li").Select(li => li.TextContent.Trim()).ToArray();
        Assert.That(Reasons("Vieille fiche (test)"), Does.Contain("vérification à renouveler"));
        Assert.That(Reasons("Vieille fiche (test)").Where(r => r.StartsWith("fiche vérifiée le")), Is.Empty, "no date claim");
        Assert.That(Reasons("Fiche fraîche (test)").Count(r => r.StartsWith("fiche vérifiée le")), Is.EqualTo(1));

        // The weekly digest says the same.
        var period = DigestPeriods.Of(now);
        await _factory.WithScopeAsync(sp => sp.GetRequiredService<DigestRun>().BuildAsync(period, CancellationToken.None));
        var digest = await _factory.WithDbAsync(db => db.OutboxEmails.SingleAsync(e => e.To == email && e.DigestPeriod == period));
        var lines = digest.TextBody.Split('\n');
        string ReasonsLine(string name) => lines[Array.FindIndex(lines, l => l.Trim() == $"* {name}") + 1];
        Assert.That(ReasonsLine("Vieille fiche (test)"), Does.Contain("vérification à renouveler").And.Not.Contain("vérifiée le"));
        Assert.That(ReasonsLine("Fiche fraîche (test)"), Does.Contain("fiche vérifiée le"));
    }

    [Test]
    public async Task A_curator_renews_a_verification_with_a_note_and_the_listing_no_longer_says_it_is_due()
    {
        var ownerEmail = $"renouveau-{Suffix}@exemple.invalid";
        using var owner = await CurationJourneyTests.SignUpAsync(_factory, ownerEmail, "Coop Renouveau (test)", "Provider");
        var old = DateTimeOffset.UtcNow.AddMonths(-14);
        var id = await ManagedAsync("Coop Renouveau (test)", "coop-renouveau-test", "Coopérative de soutien numérique.", old);
        using var curator = await CurationJourneyTests.CuratorAsync(_factory, $"renouvelle-{Suffix}@exemple.invalid");

        var (_, list) = await curator.GetAsync("/fr/conservation/a-reverifier");
        Row(list, "table.queue tbody tr", "Coop Renouveau (test)", "renew", "form.renew-form");
        var (blank, blankPage) = await curator.SubmitAsync(list, "#renew", new Dictionary<string, string> { ["note"] = " " });
        Assert.That(blank.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(blankPage.QuerySelector(".alert")?.TextContent, Does.Contain("Une note est obligatoire"));
        var tooLong = await curator.SubmitAsync(list, "#renew", new Dictionary<string, string> { ["note"] = new string('x', ListingRevision.ReasonMaxLength + 1) });
        Assert.That(tooLong.Response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await _factory.WithDbAsync(db => db.Providers.Where(p => p.Id == id).Select(p => p.VerifiedAt).SingleAsync()),
            Is.EqualTo(old).Within(TimeSpan.FromSeconds(1)), "no note, no renewal");

        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        var (renewed, _) = await curator.SubmitAsync(list, "#renew", new Dictionary<string, string> { ["note"] = "Site et services confirmés par téléphone." });
        renewed.IsRedirectTo("/fr/conservation/a-reverifier");
        var verifiedAt = await _factory.WithDbAsync(db => db.Providers.Where(p => p.Id == id).Select(p => p.VerifiedAt).SingleAsync());
        Assert.That(verifiedAt, Is.GreaterThan(before));
        var curatorId = await _factory.WithDbAsync(db => db.Users.Where(u => u.Email == $"renouvelle-{Suffix}@exemple.invalid").Select(u => u.Id).SingleAsync());
        var audit = await _factory.WithDbAsync(db => db.AuditEntries.Where(a => a.ProviderId == id).OrderByDescending(a => a.Id).FirstAsync());
        Assert.That((audit.Action, audit.Reason, audit.ActorUserId), Is.EqualTo((AuditAction.VerificationRenewed, "Site et services confirmés par téléphone.", curatorId)));
        var (_, after) = await curator.GetAsync("/fr/conservation/a-reverifier");
        Assert.That(after.QuerySelectorAll("table.queue tbody tr").Select(r => r.TextContent), Has.None.Contain("Coop Renouveau (test)"), "off the list");
        using var visitor = new Browsing(_factory);
        var (_, page) = await visitor.GetAsync("/fr/fournisseurs/coop-renouveau-test");
        Assert.That(Text(page), Does.Contain("vérifié le").And.Not.Contain("à renouveler"));
        var (_, dashboard) = await owner.GetAsync("/fr/compte/fiche");
        Assert.That(Text(dashboard), Does.Contain("Vérification renouvelée : Site et services confirmés par téléphone."), "the provider sees it in its history");
        Assert.That(await _factory.WithDbAsync(db => db.OutboxEmails.CountAsync(e => e.To == ownerEmail && e.Subject == "Fiche « Coop Renouveau (test) » : vérification renouvelée")),
            Is.EqualTo(1));
    }

    // ---- Defect 10: curators review labels, not codes ----

    [Test]
    public async Task Curators_review_region_category_and_language_names_not_codes_in_both_languages()
    {
        using var owner = await CurationJourneyTests.SignUpAsync(_factory, $"lavallois-{Suffix}@exemple.invalid", "Atelier Lavallois (test)", "Provider");
        var (organizationId, userId) = await _factory.WithDbAsync(db => db.Users.Where(u => u.Email == $"lavallois-{Suffix}@exemple.invalid")
            .Select(u => new ValueTuple<int, string>(u.OrganizationId!.Value, u.Id)).SingleAsync());
        var content = Unit.ListingRevisionTests.Complete("Atelier Lavallois (test)") with
        {
            HeadOfficeRegion = "13",
            Offerings = [new OfferingContent("materiel", "Ordinateurs reconditionnés.", null, PricingModel.TarifReduitObnl, DeliveryMode.Hybride,
                false, ["06", "13", "15"], ["fr"], [])],
        };
        var revisionId = await _factory.WithScopeAsync(async sp =>
        {
            var workflow = sp.GetRequiredService<ListingWorkflow>();
            var revision = await workflow.OpenAsync(organizationId, userId, CancellationToken.None);
            await workflow.SaveAsync(revision.Id, organizationId, content, CancellationToken.None);
            await workflow.SubmitAsync(revision.Id, organizationId, userId, CancellationToken.None);
            return revision.Id;
        });
        using var curator = await CurationJourneyTests.CuratorAsync(_factory, $"libelles-{Suffix}@exemple.invalid");

        var (_, review) = await curator.GetAsync($"/fr/conservation/revisions/{revisionId}");
        var facts = review.QuerySelectorAll("dl.facts dt").ToDictionary(dt => dt.TextContent.Trim(), dt => dt.NextElementSibling!.TextContent.Trim());
        Assert.That(facts["Région du siège social"], Is.EqualTo("Laval"));
        var offering = review.QuerySelector("section.offering")!.TextContent;
        Assert.That(offering, Does.Contain("Matériel informatique neuf ou reconditionné").And.Contain("Montréal, Laval, Laurentides").And.Contain("Français"));
        Assert.That(offering, Does.Not.Contain("materiel").And.Not.Contain("06, 13, 15").And.Not.Match(@"·\s*fr\b"));

        var (_, english) = await curator.GetAsync($"/en/curation/revisions/{revisionId}");
        var englishFacts = english.QuerySelectorAll("dl.facts dt").ToDictionary(dt => dt.TextContent.Trim(), dt => dt.NextElementSibling!.TextContent.Trim());
        Assert.That(englishFacts.Values, Does.Contain("Laval").And.Not.Contain("13"));
        Assert.That(english.QuerySelector("section.offering")!.TextContent,
            Does.Contain("New or refurbished hardware").And.Contain("Montreal, Laval, Laurentides").And.Contain("French").And.Not.Contain("06, 13, 15"));
    }

    // ---- Defect 6: reversible actions ----

    [Test]
    public async Task Archiving_shows_what_will_happen_first_and_a_curator_can_restore_the_listing()
    {
        var ownerEmail = $"phenix-{Suffix}@exemple.invalid";
        using var owner = await CurationJourneyTests.SignUpAsync(_factory, ownerEmail, "Coop Phénix (test)", "Provider");
        var id = await ManagedAsync("Coop Phénix (test)", "coop-phenix-test", "Coopérative phénixienne de soutien.", DateTimeOffset.UtcNow.AddDays(-20));
        using var anonymous = _factory.CreateClient();

        // The first POST changes nothing: it says what archiving does, with a button that confirms.
        var (_, dashboard) = await owner.GetAsync("/fr/compte/fiche");
        var (asked, confirmation) = await owner.SubmitAsync(dashboard, "form.inline-form[action$='/archiver']");
        Assert.That(asked.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(confirmation.QuerySelector("h1")!.TextContent, Is.EqualTo("Archiver votre fiche « Coop Phénix (test) »?"));
        Assert.That(Text(confirmation), Does.Contain("disparaît aussitôt du répertoire").And.Contain("l'équipe de vérification"));
        Assert.That(await _factory.WithDbAsync(db => db.Providers.Where(p => p.Id == id).Select(p => p.Status).SingleAsync()), Is.EqualTo(ListingStatus.Published));
        Assert.That(await anonymous.SlugsAsync("q=phenixienne"), Is.EqualTo(new[] { "coop-phenix-test" }));

        var (archived, _) = await owner.SubmitAsync(confirmation, "form.confirm-form");
        archived.IsRedirectTo("/fr/compte/fiche");
        Assert.That(await anonymous.SlugsAsync("q=phenixienne"), Is.Empty);

        // A curator restores it from the archived list: published again, in search, audited, the provider told.
        using var curator = await CurationJourneyTests.CuratorAsync(_factory, $"restauratrice-{Suffix}@exemple.invalid");
        var (listed, list) = await curator.GetAsync("/fr/conservation/archivees");
        Assert.That(listed.StatusCode, Is.EqualTo(HttpStatusCode.OK), list.Body?.TextContent);
        Row(list, "table.queue tbody tr", "Coop Phénix (test)", "restore");
        var (restored, _) = await curator.SubmitAsync(list, "#restore", new Dictionary<string, string> { ["note"] = "Archivée par erreur." });
        restored.IsRedirectTo("/fr/conservation/archivees");
        Assert.That(await _factory.WithDbAsync(db => db.Providers.Where(p => p.Id == id).Select(p => p.Status).SingleAsync()), Is.EqualTo(ListingStatus.Published));
        Assert.That(await anonymous.SlugsAsync("q=phenixienne"), Is.EqualTo(new[] { "coop-phenix-test" }));
        var audit = await _factory.WithDbAsync(db => db.AuditEntries.Where(a => a.ProviderId == id).OrderByDescending(a => a.Id).FirstAsync());
        Assert.That((audit.Action, audit.Reason), Is.EqualTo((AuditAction.Restored, "Archivée par erreur.")));
        var email = await _factory.WithDbAsync(db => db.OutboxEmails.Where(e => e.To == ownerEmail).OrderByDescending(e => e.Id).FirstAsync());
        Assert.That(email.Subject, Is.EqualTo("Fiche « Coop Phénix (test) » rétablie"));
        Assert.That(email.TextBody, Does.Contain("Archivée par erreur."));

        // Restoring what is no longer archived is refused with a clear message; nothing changes.
        var (again, againPage) = await curator.SubmitAsync(list, "#restore");
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(againPage.QuerySelector(".alert")?.TextContent, Does.Contain("ne peut pas être rétablie"));
    }

    [Test]
    public async Task Closing_a_request_asks_first_and_it_can_be_reopened_within_90_days_only()
    {
        using var nonprofit = await CurationJourneyTests.SignUpAsync(_factory, $"fermeture-{Suffix}@exemple.invalid", "Maison Fermeture", "Nonprofit");
        var requestId = await RequestAsync(nonprofit, "Former nos bénévoles", "16", "formation");
        var url = $"/fr/compte/besoins/{requestId}";
        Task<RequestStatus> StatusAsync() => _factory.WithDbAsync(db => db.NeedRequests.Where(r => r.Id == requestId).Select(r => r.Status).SingleAsync());

        var (_, shown) = await nonprofit.GetAsync(url);
        var (asked, confirmation) = await nonprofit.SubmitAsync(shown, "form[action$='/statut']", new Dictionary<string, string> { ["change"] = "close" });
        Assert.That(asked.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(confirmation.QuerySelector("h1")!.TextContent, Is.EqualTo("Fermer la demande « Former nos bénévoles »?"));
        Assert.That(Text(confirmation), Does.Contain("Vous pourrez la rouvrir jusqu'au"));
        Assert.That(await StatusAsync(), Is.EqualTo(RequestStatus.Open), "nothing changes before confirmation");

        var (closed, _) = await nonprofit.SubmitAsync(confirmation, "form.confirm-form");
        closed.IsRedirectTo(url);
        Assert.That(await StatusAsync(), Is.EqualTo(RequestStatus.Closed));

        // Within 90 days: « Rouvrir la demande ».
        var (_, closedPage) = await nonprofit.GetAsync(url);
        Assert.That(Text(closedPage), Does.Contain("Vous pouvez la rouvrir jusqu'au"));
        var (reopened, _) = await nonprofit.SubmitAsync(closedPage, "form.reopen-form", new Dictionary<string, string> { ["change"] = "reopen" });
        reopened.IsRedirectTo(url);
        Assert.That(await StatusAsync(), Is.EqualTo(RequestStatus.Open));

        // Closed again, 91 days ago: a clear refusal, and it stays closed.
        var (_, openPage) = await nonprofit.GetAsync(url);
        var (_, again) = await nonprofit.SubmitAsync(openPage, "form[action$='/statut']", new Dictionary<string, string> { ["change"] = "close" });
        await nonprofit.SubmitAsync(again, "form.confirm-form");
        var (_, reopenForm) = await nonprofit.GetAsync(url);
        var longAgo = DateTimeOffset.UtcNow.AddDays(-91);
        await _factory.WithDbAsync(db => db.NeedRequests.Where(r => r.Id == requestId).ExecuteUpdateAsync(u => u.SetProperty(r => r.UpdatedAt, longAgo)));
        var (_, tooLatePage) = await nonprofit.GetAsync(url);
        Assert.That(tooLatePage.QuerySelector("form.reopen-form"), Is.Null, "no button after 90 days");
        var (refused, refusedPage) = await nonprofit.SubmitAsync(reopenForm, "form.reopen-form", new Dictionary<string, string> { ["change"] = "reopen" });
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(refusedPage.QuerySelector(".alert")?.TextContent, Does.Contain("fermée depuis plus de 90 jours"));
        Assert.That(await StatusAsync(), Is.EqualTo(RequestStatus.Closed));
    }

    [Test]
    public async Task Sharing_details_shows_exactly_what_is_shared_and_shares_only_once_confirmed()
    {
        var (first, _) = await NeedsJourneyTests.ProviderWithListingAsync(_factory, $"partage-a-{Suffix}@exemple.invalid", $"partage-a-{Suffix}",
            "Coop Partage A (test)", "cybersecurite");
        var (second, _) = await NeedsJourneyTests.ProviderWithListingAsync(_factory, $"partage-b-{Suffix}@exemple.invalid", $"partage-b-{Suffix}",
            "Coop Partage B (test)", "cybersecurite");
        using var _a = first;
        using var _b = second;
        var email = $"discret-{Suffix}@exemple.invalid";
        using var nonprofit = await CurationJourneyTests.SignUpAsync(_factory, email, "Maison Discrète", "Nonprofit");
        var requestId = await RequestAsync(nonprofit, "Protéger nos données", "16", "cybersecurite");
        await MatchAsync();
        Task<int> SentAsync(string to, string subject) =>
            _factory.WithDbAsync(db => db.OutboxEmails.CountAsync(e => e.To == to && e.Subject.StartsWith(subject)));

        // « Partager mes coordonnées »: first what exactly goes, then only on confirmation.
        var (_, page) = await nonprofit.GetAsync($"/fr/compte/besoins/{requestId}");
        Row(page, "li.match", "Coop Partage A (test)", "share", "form[action$='/partager']");
        var (asked, confirmation) = await nonprofit.SubmitAsync(page, "#share");
        Assert.That(asked.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var disclosed = confirmation.QuerySelectorAll("dl.disclosed dd").Select(dd => dd.TextContent).ToArray();
        Assert.That(disclosed, Is.EqualTo(new[] { "Maison Discrète", "Camille", email }));
        Assert.That(await SentAsync($"partage-a-{Suffix}@exemple.invalid", "Un organisme communautaire vous transmet"), Is.Zero, "nothing shared before confirmation");
        Assert.That(await _factory.WithDbAsync(db => db.MatchResponses.CountAsync(r => r.RequestId == requestId && r.DetailsSharedAt != null)), Is.Zero);
        var (shared, _) = await nonprofit.SubmitAsync(confirmation, "form.confirm-form");
        Assert.That(shared.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(await SentAsync($"partage-a-{Suffix}@exemple.invalid", "Un organisme communautaire vous transmet"), Is.EqualTo(1));

        // The contact form's checkbox: the message and the details are shown before anything is sent.
        var providerB = await _factory.WithDbAsync(db => db.Providers.Where(p => p.Slug == $"partage-b-{Suffix}").Select(p => p.Id).SingleAsync());
        var (_, contact) = await nonprofit.GetAsync($"/fr/compte/besoins/{requestId}/fournisseurs/{providerB}/contacter");
        var (contactAsked, contactConfirmation) = await nonprofit.SubmitAsync(contact, "form.stacked-form",
            new Dictionary<string, string> { ["message"] = "Pouvez-vous auditer notre réseau?", ["share"] = "true" });
        Assert.That(contactAsked.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(Text(contactConfirmation), Does.Contain("Pouvez-vous auditer notre réseau?").And.Contain("Maison Discrète").And.Contain(email));
        Assert.That(await SentAsync($"partage-b-{Suffix}@exemple.invalid", "Un organisme communautaire vous écrit"), Is.Zero, "nothing sent before confirmation");
        var (sent, _) = await nonprofit.SubmitAsync(contactConfirmation, "form.confirm-form");
        Assert.That(sent.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var toB = await _factory.WithDbAsync(db => db.OutboxEmails.SingleAsync(e => e.To == $"partage-b-{Suffix}@exemple.invalid" && e.Subject.StartsWith("Un organisme communautaire vous écrit")));
        Assert.That(toB.TextBody, Does.Contain("Pouvez-vous auditer notre réseau?").And.Contain("Maison Discrète").And.Contain(email));
    }
}
