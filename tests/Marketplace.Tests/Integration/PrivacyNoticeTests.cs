using System.Net;
using Marketplace.Tests.Support;
using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Infrastructure;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Tests.Integration;

/// <summary>
/// The privacy notice states this deployment's facts and nothing false, Production does not start on placeholders, a
/// new version asks signed-in people to read it, and the terms are offered in French first (issue 14).
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class PrivacyNoticeTests(DatabaseProvider provider)
{
    private const string Password = "une phrase de passe assez longue";
    private MarketplaceFactory _factory = null!;

    [OneTimeSetUp]
    public async Task Start() => _factory = await MarketplaceFactory.StartAsync(provider, new Dictionary<string, string>
    {
        ["Privacy:Operator"] = "Table de concertation témoin",
        ["Privacy:HostingLocation"] = "Rimouski (Québec), Canada",
        ["Privacy:EmailRelay"] = "Relais témoin, Ontario",
        ["Privacy:TransfersOutsideQuebec"] = "true",
        ["Email:Transport"] = "Smtp",
    });

    [OneTimeTearDown]
    public async Task Stop() => await _factory.DisposeAsync();

    [Test]
    public void Production_refuses_to_start_while_the_person_in_charge_is_a_placeholder()
    {
        var error = Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            var database = await TestDatabases.CreateAsync(DatabaseProvider.Sqlite);
            await using var factory = new MarketplaceFactory(database, environment: "Production", settings: new Dictionary<string, string>
            {
                ["Privacy:OfficerName"] = PrivacyOptions.PlaceholderName,
                ["Privacy:OfficerEmail"] = PrivacyOptions.PlaceholderEmail,
                ["Privacy:HostingLocation"] = "",
            });
            _ = factory.Server;
        });
        Assert.That(error!.Message, Does.Contain("Privacy__OfficerName").And.Contain("Privacy__OfficerEmail").And.Contain("Privacy__HostingLocation"));
    }

    [Test]
    public async Task The_notice_states_where_the_data_is_kept_the_relay_and_the_transfer_outside_quebec()
    {
        using var browsing = new Browsing(_factory);
        var (response, page) = await browsing.GetAsync("/fr/confidentialite");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var text = page.QuerySelector("article")!.TextContent;
        Assert.That(text, Does.Contain("Table de concertation témoin").And.Contain("Rimouski (Québec), Canada")
            .And.Contain("Relais témoin, Ontario").And.Contain("hors du Québec").And.Contain("article 17"));
        // What the old page said and was false: only « nom, courriel, organisme, langue », and nothing shared.
        Assert.That(text, Does.Not.Contain("et rien d'autre").And.Not.Contain("ni communiqués à des tiers"));
        Assert.That(text, Does.Contain("Commission d'accès à l'information").And.Contain("30 jours, puis seulement la date, le type et l'état"));

        var (_, english) = await browsing.GetAsync("/en/privacy");
        Assert.That(english.QuerySelector("h1")!.TextContent, Is.EqualTo("Privacy policy"));
        Assert.That(english.QuerySelector("article")!.TextContent,
            Does.Contain("Person in charge of the protection of personal information").And.Not.Contain("Responsable de la protection"));
        var (governance, rules) = await browsing.GetAsync("/fr/gouvernance");
        Assert.That(governance.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(rules.QuerySelector("article")!.TextContent, Does.Contain("Calendrier de conservation").And.Contain("Traitement des plaintes"));
        Assert.That((await browsing.GetAsync("/en/governance")).Response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_french_sign_up_records_the_french_terms_and_the_notice_read_without_a_box_for_the_policy()
    {
        const string email = "inscription-fr@organisme.test";
        using var browsing = new Browsing(_factory);
        var (_, form) = await browsing.GetAsync("/fr/inscription");
        Assert.That(form.QuerySelectorAll("input[type=checkbox]").Select(i => i.GetAttribute("name")), Is.EquivalentTo(new[] { "AcceptTerms", "WantsDigest" }));
        Assert.That(form.QuerySelectorAll("input[name=TermsLanguage]"), Is.Empty, "French pages bind to the French terms");
        var (created, _) = await browsing.SubmitAsync(form, "form.stacked-form", Fields(email));
        created.IsRedirectTo("/fr/connexion");
        var consents = await ConsentsAsync(email);
        Assert.That(consents, Is.EquivalentTo(new[] { (ConsentPurpose.Terms, "fr"), (ConsentPurpose.PrivacyNoticeRead, "fr") }));
    }

    [Test]
    public async Task An_english_sign_up_offers_the_french_terms_first_and_records_an_express_choice_of_the_english_version()
    {
        const string email = "sign-up-en@organisme.test";
        using var browsing = new Browsing(_factory);
        var (_, form) = await browsing.GetAsync("/en/sign-up");
        var links = form.QuerySelectorAll("fieldset a").Select(a => a.GetAttribute("href")).ToArray();
        Assert.That(Array.IndexOf(links, "/fr/conditions"), Is.GreaterThanOrEqualTo(0).And.LessThan(Array.IndexOf(links, "/en/terms")),
            "the French terms come first");

        // No version chosen: refused, nothing created.
        var (refused, page) = await browsing.SubmitAsync(form, "form.stacked-form", Fields(email));
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(page.QuerySelector(".alert, [role=alert]")!.TextContent, Does.Contain("Choose the version of the terms of use that binds you"));
        Assert.That(await _factory.WithDbAsync(db => db.Users.CountAsync(u => u.Email == email)), Is.Zero);

        var (created, _) = await browsing.SubmitAsync(page, "form.stacked-form", Fields(email, ("TermsLanguage", "en")));
        created.IsRedirectTo("/en/login");
        Assert.That(await ConsentsAsync(email), Is.EquivalentTo(new[] { (ConsentPurpose.Terms, "en"), (ConsentPurpose.PrivacyNoticeRead, "en") }));

        // Choosing the French version on the English page binds to the French one.
        const string other = "sign-up-en-fr@organisme.test";
        var (_, again) = await browsing.GetAsync("/en/sign-up");
        (created, _) = await browsing.SubmitAsync(again, "form.stacked-form", Fields(other, ("TermsLanguage", "fr")));
        created.IsRedirectTo("/en/login");
        Assert.That(await ConsentsAsync(other), Does.Contain((ConsentPurpose.Terms, "fr")));
    }

    [Test]
    public async Task A_new_policy_version_asks_signed_in_people_to_read_the_notice_until_they_have()
    {
        const string email = "lecture@organisme.test";
        using (var first = await CurationJourneyTests.SignUpAsync(_factory, email, "Organisme Lecture", "Nonprofit"))
        {
            var (_, home) = await first.GetAsync("/fr");
            Assert.That(home.QuerySelector(".notice-banner"), Is.Null, "the version read at sign-up is the current one");
        }

        await using var next = new MarketplaceFactory(_factory.Database, settings: new Dictionary<string, string>
        {
            ["Privacy:PolicyVersion"] = "2027-03-01",
            ["Marketplace:DataDirectory"] = Path.Combine(_factory.Database.DataDirectory, "next-version"),
            ["Marketplace:InitializeDatabaseOnStartup"] = "false",
        }, ownsDatabase: false);
        using var browsing = new Browsing(next);
        await CurationJourneyTests.SignInAsync(browsing, email, Password);
        var (_, page) = await browsing.GetAsync("/fr");
        Assert.That(page.QuerySelector(".notice-banner a")?.GetAttribute("href"), Is.EqualTo("/fr/confidentialite"));
        var (_, notice) = await browsing.GetAsync("/fr/confidentialite");
        Assert.That(notice.QuerySelector("form.notice")!.TextContent, Does.Contain("2027-03-01"));
        var (read, _) = await browsing.SubmitAsync(notice, "form.notice");
        read.IsRedirectTo("/fr/confidentialite");
        (_, page) = await browsing.GetAsync("/fr");
        Assert.That(page.QuerySelector(".notice-banner"), Is.Null);
        var versions = await next.WithDbAsync(db => db.Consents.Where(c => c.Purpose == ConsentPurpose.PrivacyNoticeRead)
            .Join(db.Users.Where(u => u.Email == email), c => c.UserId, u => u.Id, (c, _) => c.TextVersion).ToListAsync());
        Assert.That(versions, Is.EquivalentTo(new[] { new PrivacyOptions().PolicyVersion, "2027-03-01" }));

        // Anonymous people get no banner and no form.
        using var anonymous = new Browsing(next);
        var (_, open) = await anonymous.GetAsync("/fr/confidentialite");
        Assert.That(open.QuerySelector(".notice-banner, form.notice"), Is.Null);
    }

    private static Dictionary<string, string> Fields(string email, params (string Name, string Value)[] more)
    {
        var fields = new Dictionary<string, string>
        {
            ["Kind"] = "Nonprofit", ["OrganizationName"] = "Organisme " + email, ["DisplayName"] = "Camille", ["Email"] = email,
            ["Password"] = Password, ["Confirmation"] = Password, ["AcceptTerms"] = "true",
        };
        foreach (var (name, value) in more) fields[name] = value;
        return fields;
    }

    private Task<List<(ConsentPurpose, string)>> ConsentsAsync(string email) => _factory.WithDbAsync(async db =>
        (await db.Consents.Join(db.Users.Where(u => u.Email == email), c => c.UserId, u => u.Id, (c, _) => new { c.Purpose, c.Language }).ToListAsync())
        .Select(c => (c.Purpose, c.Language)).ToList());
}
