using System.Net;
using Marketplace.Tests.Support;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Tests.Integration;

/// <summary>
/// Who may reach each page and form of accounts and curation: anonymous, provider A, provider B, a nonprofit, a curator
/// and an admin, on the records of provider A. Someone else's record is a 404, never a 403 that confirms it exists.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class AuthorizationMatrixTests(DatabaseProvider provider)
{
    private MarketplaceFactory _factory = null!;
    private readonly Dictionary<string, Browsing> _people = [];
    private int _revisionA;

    [OneTimeSetUp]
    public async Task Start()
    {
        _factory = await MarketplaceFactory.StartAsync(provider);
        _people["anonymous"] = new Browsing(_factory);
        _people["providerA"] = await CurationJourneyTests.SignUpAsync(_factory, "a@exemple.invalid", "Fournisseur A", "Provider");
        _people["providerB"] = await CurationJourneyTests.SignUpAsync(_factory, "b@exemple.invalid", "Fournisseur B", "Provider");
        _people["nonprofit"] = await CurationJourneyTests.SignUpAsync(_factory, "obnl@exemple.invalid", "Maison de quartier", "Nonprofit");
        _people["curator"] = await CurationJourneyTests.CuratorAsync(_factory, "curator@exemple.invalid");
        _people["admin"] = await CurationJourneyTests.CuratorAsync(_factory, "admin@exemple.invalid", "admin"); // admins hold the curator role too
        // Provider A opens a draft: the record everyone else tries to reach.
        var (_, dashboard) = await _people["providerA"].GetAsync("/fr/compte/fiche");
        var (opened, _) = await _people["providerA"].SubmitAsync(dashboard, "form.inline-form[action$='/ouvrir']");
        Assert.That(opened.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        _revisionA = await _factory.WithDbAsync(db => db.ListingRevisions.OrderBy(r => r.Id).Select(r => r.Id).FirstAsync());
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        foreach (var person in _people.Values) person.Dispose();
        await _factory.DisposeAsync();
    }

    private static readonly string[] People = ["anonymous", "providerA", "providerB", "nonprofit", "curator", "admin"];

    // Expected status per person, in the order of People. 302 = sent to the sign-in page.
    [TestCase("/fr/compte/fiche", 302, 200, 200, 404, 404, 404)]
    [TestCase("/en/account/listing", 302, 200, 200, 404, 404, 404)]
    [TestCase("/fr/compte/fiche/revisions/{A}", 302, 200, 404, 404, 404, 404)]
    [TestCase("/en/account/listing/revisions/{A}", 302, 200, 404, 404, 404, 404)]
    [TestCase("/fr/compte/fiche/revisions/999999", 302, 404, 404, 404, 404, 404)]
    [TestCase("/fr/conservation", 302, 404, 404, 404, 200, 200)]
    [TestCase("/en/curation", 302, 404, 404, 404, 200, 200)]
    [TestCase("/fr/conservation/revisions/{A}", 302, 404, 404, 404, 200, 200)]
    [TestCase("/fr/conservation/revisions/999999", 302, 404, 404, 404, 404, 404)]
    [TestCase("/fr/conservation/a-reverifier", 302, 404, 404, 404, 200, 200)]
    [TestCase("/fr/conservation/archivees", 302, 404, 404, 404, 200, 200)]
    [TestCase("/en/curation/archived", 302, 404, 404, 404, 200, 200)]
    [TestCase("/en/curation/to-reverify", 302, 404, 404, 404, 200, 200)]
    [TestCase("/fr/connexion", 200, 200, 200, 200, 200, 200)]
    [TestCase("/fr/inscription", 200, 200, 200, 200, 200, 200)]
    [TestCase("/en/sign-up", 200, 200, 200, 200, 200, 200)]
    [TestCase("/fr/mot-de-passe-oublie", 200, 200, 200, 200, 200, 200)]
    [TestCase("/fr/connexion/renvoyer-confirmation", 200, 200, 200, 200, 200, 200)]
    [TestCase("/en/login/resend-confirmation", 200, 200, 200, 200, 200, 200)]
    [TestCase("/fr/compte/definir-mot-de-passe", 404, 404, 404, 404, 404, 404)]
    [TestCase("/fr/compte/confirmer?user=nobody&token=x", 404, 404, 404, 404, 404, 404)]
    [TestCase("/fr/confidentialite", 200, 200, 200, 200, 200, 200)]
    [TestCase("/fr/conditions", 200, 200, 200, 200, 200, 200)]
    [TestCase("/fr/connexion/code", 302, 302, 302, 302, 302, 302)] // only between a password and a code; anyone else signs in first
    [TestCase("/fr/compte/double-authentification", 302, 200, 200, 200, 200, 200)]
    [TestCase("/fr/admin/comptes", 302, 404, 404, 404, 404, 200)]
    [TestCase("/en/admin/accounts", 302, 404, 404, 404, 404, 200)]
    [TestCase("/fr/admin/taches", 302, 404, 404, 404, 404, 200)]
    [TestCase("/en/admin/jobs", 302, 404, 404, 404, 404, 200)]
    [TestCase("/en/account/two-factor", 302, 200, 200, 200, 200, 200)]
    [TestCase("/fr/compte/parametres", 302, 200, 200, 200, 200, 200)]
    [TestCase("/en/account/settings", 302, 200, 200, 200, 200, 200)]
    [TestCase("/fr/admin/resumes", 302, 404, 404, 404, 404, 200)]
    [TestCase("/en/admin/digests?period=2026-W47", 302, 404, 404, 404, 404, 200)]
    [TestCase("/fr/admin/synonymes", 302, 404, 404, 404, 200, 200)]
    [TestCase("/en/admin/synonyms", 302, 404, 404, 404, 200, 200)]
    [TestCase("/fr/admin/synonymes/999999", 302, 404, 404, 404, 404, 404)]
    [TestCase("/fr/admin/incidents", 302, 404, 404, 404, 404, 200)]
    [TestCase("/en/admin/incidents", 302, 404, 404, 404, 404, 200)]
    [TestCase("/fr/admin/incidents/registre.csv", 302, 404, 404, 404, 404, 200)]
    [TestCase("/fr/admin/incidents/999999", 302, 404, 404, 404, 404, 404)]
    [TestCase("/fr/admin/courriels", 302, 404, 404, 404, 404, 200)]
    [TestCase("/en/admin/emails", 302, 404, 404, 404, 404, 200)]
    [TestCase("/fr/fournisseurs/juripop/retrait", 200, 200, 200, 200, 200, 200)]
    [TestCase("/en/providers/juripop/withdrawal", 200, 200, 200, 200, 200, 200)]
    [TestCase("/fr/fournisseurs/brouillon-inexistant/retrait", 404, 404, 404, 404, 404, 404)]
    [TestCase("/fr/conservation/retraits/999999", 302, 404, 404, 404, 404, 404)]
    [TestCase("/fr/conservation/revisions-fournisseurs/999999", 302, 404, 404, 404, 404, 404)]
    [TestCase("/fr/admin/resumes?period=semaine", 302, 404, 404, 404, 404, 400)]
    [TestCase("/fr/desabonnement?t=faux", 400, 400, 400, 400, 400, 400)]
    [TestCase("/fr/compte/messages", 302, 200, 200, 200, 404, 404)]
    [TestCase("/en/account/messages", 302, 200, 200, 200, 404, 404)]
    [TestCase("/fr/compte/messages/999999", 302, 404, 404, 404, 404, 404)]
    [TestCase("/fr/fournisseurs/juripop/ecrire", 302, 404, 404, 200, 404, 404)]
    [TestCase("/en/providers/juripop/write", 302, 404, 404, 200, 404, 404)]
    [TestCase("/fr/fournisseurs/brouillon-inexistant/ecrire", 302, 404, 404, 404, 404, 404)]
    [TestCase("/fr/fournisseurs/juripop/reclamer", 200, 200, 200, 200, 200, 200)]
    [TestCase("/en/providers/juripop/claim", 200, 200, 200, 200, 200, 200)]
    [TestCase("/fr/reclamation/999999/confirmer?t=x", 400, 400, 400, 400, 400, 400)]
    [TestCase("/fr/conservation/reclamations", 302, 404, 404, 404, 200, 200)]
    [TestCase("/en/curation/claims", 302, 404, 404, 404, 200, 200)]
    [TestCase("/fr/conservation/reclamations/999999", 302, 404, 404, 404, 404, 404)]
    [TestCase("/fr/conservation/fiches-incompletes", 302, 404, 404, 404, 200, 200)]
    [TestCase("/en/curation/incomplete-listings", 302, 404, 404, 404, 200, 200)]
    [TestCase("/fr/conservation/fiches/999999/coordonnees", 302, 404, 404, 404, 404, 404)]
    [TestCase("/en/unsubscribe", 400, 400, 400, 400, 400, 400)]
    public async Task Get(string path, int anonymous, int providerA, int providerB, int nonprofit, int curator, int admin)
    {
        var expected = new[] { anonymous, providerA, providerB, nonprofit, curator, admin };
        var url = path.Replace("{A}", _revisionA.ToString());
        for (var i = 0; i < People.Length; i++)
        {
            var (response, _) = await _people[People[i]].GetAsync(url);
            Assert.That((int)response.StatusCode, Is.EqualTo(expected[i]), $"{People[i]} GET {url}");
            if (expected[i] == 302) Assert.That(response.Headers.Location?.ToString(), Does.Contain(url.StartsWith("/en") ? "/en/login" : "/fr/connexion"));
        }
    }

    // Each form is posted with a valid token of the person's own session (taken from a page they may see).
    [TestCase("/fr/compte/fiche/revisions/{A}", 302, 302, 404, 404, 404, 404)]
    [TestCase("/fr/compte/fiche/archiver", 302, 404, 404, 404, 404, 404)]
    [TestCase("/fr/conservation/revisions/{A}", 302, 404, 404, 404, 400, 400)]
    [TestCase("/fr/conservation/fiches/999999/archiver", 302, 404, 404, 404, 400, 400)] // no reason: refused before anything is looked up
    [TestCase("/fr/conservation/fiches/999999/renouveler", 302, 404, 404, 404, 400, 400)] // no note
    [TestCase("/fr/conservation/fiches/999999/retablir", 302, 404, 404, 404, 404, 404)]
    [TestCase("/fr/compte/fiche/inviter", 302, 302, 302, 404, 404, 404)]
    [TestCase("/fr/admin/comptes/{A-user}/roles", 302, 404, 404, 404, 404, 400)]
    [TestCase("/fr/compte/parametres", 302, 400, 400, 400, 400, 400)] // no language chosen: refused, nothing changed
    [TestCase("/fr/admin/resumes/reessayer", 302, 404, 404, 404, 404, 400)]
    [TestCase("/fr/admin/taches/resumes", 302, 404, 404, 404, 404, 302)]
    [TestCase("/fr/admin/courriels/blocages", 302, 404, 404, 404, 404, 400)] // no address
    [TestCase("/fr/admin/courriels/blocages/999999/lever", 302, 404, 404, 404, 404, 404)]
    [TestCase("/fr/desabonnement/reabonner", 400, 400, 400, 400, 400, 400)] // a form token alone is not enough: the signed link is
    public async Task Post(string path, int anonymous, int providerA, int providerB, int nonprofit, int curator, int admin)
    {
        var expected = new[] { anonymous, providerA, providerB, nonprofit, curator, admin };
        var userA = await _factory.WithDbAsync(db => db.Users.Where(u => u.Email == "a@exemple.invalid").Select(u => u.Id).SingleAsync());
        var url = path.Replace("{A}", _revisionA.ToString()).Replace("{A-user}", userA);
        for (var i = 0; i < People.Length; i++)
        {
            var person = _people[People[i]];
            var (_, page) = await person.GetAsync("/fr/connexion"); // any page with a form gives this session's token
            var token = page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
            var version = await _factory.WithDbAsync(db => db.ListingRevisions.Where(r => r.Id == _revisionA).Select(r => r.Version).SingleAsync());
            var response = await person.Http.PostAsync(url, new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token, ["Name"] = $"Modifié par {People[i]}", ["save"] = "1",
                ["Version"] = version.ToString(), ["Decision"] = "Nothing",
            }));
            Assert.That((int)response.StatusCode, Is.EqualTo(expected[i]), $"{People[i]} POST {url}");
        }
        var revision = await _factory.WithDbAsync(db => db.ListingRevisions.SingleAsync(r => r.Id == _revisionA));
        Assert.That(revision.Content.Name, Is.AnyOf("Fournisseur A", "Modifié par providerA"), "nobody else changed A's draft");
    }

    [Test]
    public async Task Every_post_without_a_token_is_refused()
    {
        // Each by someone allowed there: the token is the only thing missing.
        foreach (var (person, url) in new[]
                 {
                     ("providerA", "/fr/compte/fiche/ouvrir"), ("providerA", "/fr/compte/fiche/archiver"), ("providerA", "/fr/compte/fiche/inviter"),
                     ("providerA", $"/fr/compte/fiche/revisions/{_revisionA}"), ("curator", $"/fr/conservation/revisions/{_revisionA}"),
                     ("providerA", "/fr/deconnexion"), ("anonymous", "/fr/connexion"), ("anonymous", "/fr/inscription"),
                     ("anonymous", "/fr/compte/definir-mot-de-passe"), ("anonymous", "/fr/mot-de-passe-oublie"),
                     ("anonymous", "/fr/connexion/code"), ("providerA", "/fr/compte/double-authentification"),
                     ("admin", "/fr/admin/comptes/x/roles"), ("curator", "/fr/conservation/fiches/1/archiver"),
                     ("curator", "/fr/conservation/fiches/1/renouveler"), ("curator", "/fr/conservation/fiches/1/retablir"),
                     ("providerA", "/fr/compte/parametres"), ("admin", "/fr/admin/resumes/reessayer"), ("admin", "/fr/admin/taches/resumes"),
                     ("anonymous", "/fr/desabonnement/reabonner"), ("admin", "/fr/admin/courriels/blocages/1/lever"),
                 })
        {
            var response = await _people[person].Http.PostAsync(url, new FormUrlEncodedContent(new Dictionary<string, string> { ["Name"] = "x" }));
            Assert.That((int)response.StatusCode, Is.EqualTo(400), $"POST {url} without a token");
        }
    }

    [Test]
    public async Task An_admin_grants_the_curator_role_and_it_takes_effect_at_once()
    {
        var admin = _people["admin"];
        using var providerC = await CurationJourneyTests.SignUpAsync(_factory, "c@exemple.invalid", "Fournisseur C", "Provider");
        var (before, _) = await providerC.GetAsync("/fr/conservation");
        Assert.That((int)before.StatusCode, Is.EqualTo(404));

        var (_, page) = await admin.GetAsync("/fr/admin/comptes?q=c@exemple");
        var row = page.QuerySelectorAll("table.queue tbody tr").Single(r => r.TextContent.Contains("c@exemple.invalid"));
        var form = row.QuerySelectorAll("form").Single(f => f.QuerySelector("input[name=role]")!.GetAttribute("value") == "Curator");
        form.Id = "grant-curator";
        var (granted, _) = await admin.SubmitAsync(page, "#grant-curator");
        granted.IsRedirectTo("/fr/admin/comptes");

        // The same session, without signing in again: a curator now, who must first turn on 2FA.
        var (after, _) = await providerC.GetAsync("/fr/conservation");
        after.IsRedirectTo("/fr/compte/double-authentification");

        // A provider cannot give itself the role: the admin pages do not exist for it.
        var (_, login) = await _people["providerA"].GetAsync("/fr/connexion");
        var token = login.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
        var selfId = await _factory.WithDbAsync(db => db.Users.Where(u => u.Email == "a@exemple.invalid").Select(u => u.Id).SingleAsync());
        var attempt = await _people["providerA"].Http.PostAsync($"/fr/admin/comptes/{selfId}/roles", new FormUrlEncodedContent(
            new Dictionary<string, string> { ["__RequestVerificationToken"] = token, ["role"] = "Admin", ["grant"] = "true" }));
        Assert.That((int)attempt.StatusCode, Is.EqualTo(404));
    }
}
