using System.Net;
using System.Text;
using Marketplace.Tests.Support;
using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Infrastructure.Cli;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Tests.Integration;

/// <summary>
/// Issue 14, the register of confidentiality incidents (Act, s. 3.8): only admins with two-factor authentication see it;
/// incidents are recorded and edited through the real forms (a stale edit is a 409), exported as CSV for Excel, and
/// « aviser les comptes touchés » writes one email per account, in its language, once per incident and account.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class IncidentRegisterTests(DatabaseProvider provider)
{
    private MarketplaceFactory _factory = null!;
    private Browsing _admin = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _factory = await MarketplaceFactory.StartAsync(provider);
        _admin = await CurationJourneyTests.CuratorAsync(_factory, $"incidents-admin-{Suffix}@exemple.invalid", "admin");
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _admin.Dispose();
        await _factory.DisposeAsync();
    }

    private string Suffix => provider.ToString().ToLowerInvariant();

    private const string List = "/fr/admin/incidents";
    private const string Password = "une phrase de passe assez longue";

    private static Dictionary<string, string> Fields(string description, int people = 12) => new()
    {
        ["OccurredFrom"] = "2026-11-20", ["OccurredTo"] = "2026-11-22", ["DiscoveredOn"] = "2026-11-25",
        ["Description"] = description, ["InformationConcerned"] = "noms et courriels de membres, « besoins » décrits",
        ["PeopleConcerned"] = people.ToString(System.Globalization.CultureInfo.InvariantCulture), ["PeopleConcernedIsEstimate"] = "true",
        ["RiskSensitivity"] = "faible", ["RiskConsequences"] = "hameçonnage possible", ["RiskProbability"] = "faible",
        ["RiskConclusion"] = "Yes", ["CommissionNotifiedOn"] = "2026-11-26", ["Measures"] = "mots de passe changés; accès retiré",
    };

    private async Task<int> RecordAsync(string description)
    {
        var (_, form) = await _admin.GetAsync(List + "/nouveau");
        var (created, page) = await _admin.SubmitAsync(form, "form.incident-form", Fields(description));
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), page.QuerySelector(".alert")?.TextContent);
        return int.Parse(created.Headers.Location!.OriginalString.Split('/').Last(), System.Globalization.CultureInfo.InvariantCulture);
    }

    // ---- Who may see it ----

    [TestCase("/fr/admin/incidents", "/fr/connexion")]
    [TestCase("/en/admin/incidents", "/en/login")]
    public async Task Anonymous_visitors_are_sent_to_sign_in(string path, string login)
    {
        using var anonymous = new Browsing(_factory);
        var (response, _) = await anonymous.GetAsync(path);
        response.IsRedirectTo(login);
    }

    [TestCase("Nonprofit")]
    [TestCase("Provider")]
    public async Task Nonprofit_and_provider_accounts_do_not_see_the_register(string kind)
    {
        using var person = await CurationJourneyTests.SignUpAsync(_factory, $"incidents-{kind.ToLowerInvariant()}-{Suffix}@exemple.invalid",
            $"Organisme {kind} incidents", kind);
        foreach (var path in new[] { "/fr/admin/incidents", "/en/admin/incidents", "/fr/admin/incidents/registre.csv", "/fr/admin/incidents/nouveau" })
        {
            var (response, _) = await person.GetAsync(path);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound), path);
        }
    }

    [Test]
    public async Task The_verification_team_does_not_see_the_register()
    {
        using var curator = await CurationJourneyTests.CuratorAsync(_factory, $"incidents-verif-{Suffix}@exemple.invalid");
        var (response, _) = await curator.GetAsync(List);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var (csv, _) = await curator.GetAsync("/fr/admin/incidents/registre.csv");
        Assert.That(csv.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
    }

    [Test]
    public async Task An_admin_without_two_factor_authentication_is_sent_to_set_it_up()
    {
        var email = $"incidents-admin-sans-2fa-{Suffix}@exemple.invalid";
        using var output = new StringWriter();
        Assert.That(await CommandLine.RunAsync(_factory.Services, ["users", "add", "--email", email, "--role", "admin"], output, CancellationToken.None), Is.Zero);
        var link = new Uri(output.ToString().Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("http")));
        using var admin = new Browsing(_factory);
        var (_, form) = await admin.GetAsync(link.PathAndQuery);
        await admin.SubmitAsync(form, "form.stacked-form", new Dictionary<string, string> { ["Password"] = Password, ["Confirmation"] = Password });
        await CurationJourneyTests.SignInAsync(admin, email, Password);
        foreach (var path in new[] { "/fr/admin/incidents", "/fr/admin/incidents/registre.csv" })
        {
            var (response, page) = await admin.GetAsync(path);
            response.IsRedirectTo("/fr/compte/double-authentification");
            Assert.That(page.QuerySelector("table.incidents"), Is.Null);
        }
    }

    [TestCase("/fr/admin/incidents", "Registre des incidents de confidentialité", "ne peut pas être supprimé")]
    [TestCase("/en/admin/incidents", "Register of confidentiality incidents", "cannot be deleted")]
    public async Task An_admin_with_two_factor_authentication_sees_the_register_and_that_it_is_kept_five_years(string path, string title, string kept)
    {
        var (response, page) = await _admin.GetAsync(path);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(page.QuerySelector("h1")!.TextContent, Is.EqualTo(title));
        Assert.That(page.QuerySelector("main")!.TextContent, Does.Contain(kept));
        Assert.That(page.QuerySelectorAll("form").Select(f => f.GetAttribute("action") ?? ""), Has.None.Contain("supprimer").And.None.Contain("delete"));
    }

    // ---- Record, edit, stale edit ----

    [Test]
    public async Task An_admin_records_and_edits_an_incident_and_each_change_is_audited()
    {
        var id = await RecordAsync("Courriel envoyé par erreur à la mauvaise liste");
        var incident = await _factory.WithDbAsync(db => db.PrivacyIncidents.AsNoTracking().SingleAsync(i => i.Id == id));
        Assert.That(incident.OccurredFrom, Is.EqualTo(new DateOnly(2026, 11, 20)));
        Assert.That(incident.OccurredTo, Is.EqualTo(new DateOnly(2026, 11, 22)));
        Assert.That(incident.DiscoveredOn, Is.EqualTo(new DateOnly(2026, 11, 25)));
        Assert.That(incident.PeopleConcerned, Is.EqualTo(12));
        Assert.That(incident.PeopleConcernedIsEstimate, Is.True);
        Assert.That(incident.RiskConclusion.ToString(), Is.EqualTo("Yes"));
        Assert.That(incident.CommissionNotifiedOn, Is.EqualTo(new DateOnly(2026, 11, 26)));

        var (_, edit) = await _admin.GetAsync($"{List}/{id}");
        var (saved, _) = await _admin.SubmitAsync(edit, "form.incident-form", new Dictionary<string, string> { ["PeopleConcerned"] = "40" });
        saved.IsRedirectTo($"{List}/{id}");
        Assert.That(await _factory.WithDbAsync(db => db.PrivacyIncidents.Where(i => i.Id == id).Select(i => i.PeopleConcerned).SingleAsync()), Is.EqualTo(40));
        var audits = await _factory.WithDbAsync(db => db.AuditEntries.Where(a => a.Action == AuditAction.IncidentRecorded && a.Reason!.StartsWith($"incident:{id} ")).CountAsync());
        Assert.That(audits, Is.EqualTo(2));
    }

    [Test]
    public async Task A_stale_edit_is_refused_with_409_and_keeps_what_was_typed()
    {
        var id = await RecordAsync("Ordinateur portable perdu");
        var (_, first) = await _admin.GetAsync($"{List}/{id}");
        var (_, second) = await _admin.GetAsync($"{List}/{id}");
        (await _admin.SubmitAsync(first, "form.incident-form", new Dictionary<string, string> { ["Measures"] = "chiffrement activé" })).Response.IsRedirectTo($"{List}/{id}");
        var (stale, page) = await _admin.SubmitAsync(second, "form.incident-form", new Dictionary<string, string> { ["Measures"] = "ma version" });
        Assert.That(stale.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(page.QuerySelector(".alert")!.TextContent, Does.Contain("Une autre personne a modifié cet incident"));
        Assert.That(page.QuerySelector("#Measures")!.TextContent, Is.EqualTo("ma version"));
        Assert.That(page.QuerySelector(".current-incident")!.TextContent, Does.Contain("chiffrement activé"));
        Assert.That(await _factory.WithDbAsync(db => db.PrivacyIncidents.Where(i => i.Id == id).Select(i => i.Measures).SingleAsync()), Is.EqualTo("chiffrement activé"));
        // Saving again after seeing the other change is deliberate and goes through.
        (await _admin.SubmitAsync(page, "form.incident-form")).Response.IsRedirectTo($"{List}/{id}");
    }

    [Test]
    public async Task A_form_with_a_period_ending_before_it_starts_is_refused_with_400_and_nothing_is_lost()
    {
        var before = await _factory.WithDbAsync(db => db.PrivacyIncidents.CountAsync());
        var (_, form) = await _admin.GetAsync("/en/admin/incidents/new");
        var fields = Fields("Wrong period");
        fields["OccurredTo"] = "2026-11-01";
        var (refused, page) = await _admin.SubmitAsync(form, "form.incident-form", fields);
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(page.QuerySelector(".alert")!.TextContent, Does.Contain("The end of the period is before its start"));
        Assert.That(page.QuerySelector("#Description")!.TextContent, Is.EqualTo("Wrong period"));
        Assert.That(await _factory.WithDbAsync(db => db.PrivacyIncidents.CountAsync()), Is.EqualTo(before));
    }

    // ---- CSV ----

    [TestCase("/fr/admin/incidents/registre.csv", "\"Numéro\",\"Date de l'incident (début)\"", "Risque de préjudice sérieux")]
    [TestCase("/en/admin/incidents/register.csv", "\"Number\",\"Incident date (start)\"", "Risk of serious injury")]
    public async Task The_csv_export_is_utf8_with_a_byte_order_mark_and_headers_in_the_page_language(string path, string headers, string risk)
    {
        var id = await RecordAsync("Fuite « accentuée », avec \"guillemets\" et =formule");
        var response = await _admin.Http.GetAsync(path);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/csv"));
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.That(bytes.Take(3), Is.EqualTo(new byte[] { 0xEF, 0xBB, 0xBF }));
        var csv = Encoding.UTF8.GetString(bytes, 3, bytes.Length - 3);
        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0], Does.StartWith(headers));
        var row = lines.Single(l => l.StartsWith($"\"{id}\",", StringComparison.Ordinal));
        Assert.That(row, Does.Contain("\"2026-11-20\",\"2026-11-22\",\"2026-11-25\""));
        Assert.That(row, Does.Contain("\"Fuite « accentuée », avec \"\"guillemets\"\" et =formule\""));
        Assert.That(row, Does.Contain($"\"{risk}\""));
        Assert.That(row, Does.Contain("\"2026-11-26\""));
    }

    // ---- Notice to the affected accounts ----

    [Test]
    public async Task The_notice_reaches_every_affected_account_once_in_its_language_even_when_sent_twice()
    {
        var french = $"incidents-touche-fr-{Suffix}@exemple.invalid";
        var english = $"incidents-touche-en-{Suffix}@exemple.invalid";
        (await CurationJourneyTests.SignUpAsync(_factory, french, "Organisme touché FR", "Nonprofit")).Dispose();
        (await CurationJourneyTests.SignUpAsync(_factory, english, "Organisme touché EN", "Provider")).Dispose();
        await _factory.WithDbAsync(db => db.Users.Where(u => u.Email == english).ExecuteUpdateAsync(s => s.SetProperty(u => u.Language, "en")));
        var id = await RecordAsync("Base de données exposée");

        for (var round = 0; round < 2; round++)
        {
            var (_, edit) = await _admin.GetAsync($"{List}/{id}");
            var (confirm, confirmation) = await _admin.SubmitAsync(edit, "form.notify-form",
                new Dictionary<string, string> { ["addresses"] = $"{french.ToUpperInvariant()}\n{english}, {french}" });
            Assert.That(confirm.StatusCode, Is.EqualTo(HttpStatusCode.OK), confirmation.QuerySelector(".alert")?.TextContent);
            Assert.That(confirmation.QuerySelector(".consequences")!.TextContent,
                round == 0 ? Does.Contain("2 courriels seront écrits") : Does.Contain("2 comptes ont déjà été avisés"));
            var (done, _) = await _admin.SubmitAsync(confirmation, "form.confirm-form");
            done.IsRedirectTo($"{List}/{id}");
        }

        var emails = await _factory.WithDbAsync(db => db.OutboxEmails.AsNoTracking()
            .Where(e => e.To == french || e.To == english).Where(e => e.Subject.Contains("confidential") || e.Subject.Contains("Confidential"))
            .Select(e => new { e.To, e.Subject, e.Language, e.TextBody }).ToListAsync());
        Assert.That(emails.Select(e => e.To), Is.EquivalentTo(new[] { french, english }), "one email each, however often the notice is sent");
        var fr = emails.Single(e => e.To == french);
        Assert.That(fr.Language, Is.EqualTo("fr"));
        Assert.That(fr.Subject, Is.EqualTo("Incident de confidentialité touchant vos renseignements personnels"));
        Assert.That(_factory.Reveal(fr.TextBody), Does.Contain("Base de données exposée").And.Contain("du 20 novembre 2026 au 22 novembre 2026"));
        var en = emails.Single(e => e.To == english);
        Assert.That(en.Language, Is.EqualTo("en"));
        Assert.That(en.Subject, Is.EqualTo("Confidentiality incident involving your personal information"));
        Assert.That(_factory.Reveal(en.TextBody), Does.Contain("from November 20, 2026 to November 22, 2026"));

        var notices = await _factory.WithDbAsync(db => db.IncidentNotices.Where(n => n.IncidentId == id).CountAsync());
        Assert.That(notices, Is.EqualTo(2));
        var incident = await _factory.WithDbAsync(db => db.PrivacyIncidents.AsNoTracking().SingleAsync(i => i.Id == id));
        Assert.That(incident.PeopleNotifiedOn, Is.Not.Null);
        Assert.That(await _factory.WithDbAsync(db => db.AuditEntries.CountAsync(a => a.Action == AuditAction.IncidentNotified && a.Reason!.StartsWith($"incident:{id} "))),
            Is.EqualTo(1), "the second round wrote nothing and audited nothing");
        var (_, page) = await _admin.GetAsync($"{List}/{id}");
        Assert.That(page.QuerySelectorAll("table.notices tbody tr"), Has.Length.EqualTo(2));
    }

    [Test]
    public async Task An_address_without_an_account_refuses_the_whole_notice_and_keeps_what_was_typed()
    {
        var known = $"incidents-connu-{Suffix}@exemple.invalid";
        (await CurationJourneyTests.SignUpAsync(_factory, known, "Organisme connu", "Nonprofit")).Dispose();
        var id = await RecordAsync("Incident avec une adresse inconnue");
        var (_, edit) = await _admin.GetAsync($"{List}/{id}");
        var typed = $"{known}\npersonne-{Suffix}@nulle-part.invalid";
        var (refused, page) = await _admin.SubmitAsync(edit, "form.notify-form", new Dictionary<string, string> { ["addresses"] = typed });
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(page.QuerySelector(".alert")!.TextContent, Does.Contain($"personne-{Suffix}@nulle-part.invalid"));
        Assert.That(page.QuerySelector("#addresses")!.TextContent, Is.EqualTo(typed));
        Assert.That(await _factory.WithDbAsync(db => db.IncidentNotices.CountAsync(n => n.IncidentId == id)), Is.Zero);
    }
}
