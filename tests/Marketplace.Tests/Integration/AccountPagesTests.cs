using System.Net;
using Marketplace.Tests.Support;
using Marketplace.Web.Infrastructure.Cli;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Tests.Integration;

/// <summary>Signing in with a password set from the operator's one-time link, through the real forms.</summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class AccountPagesTests(DatabaseProvider provider)
{
    private MarketplaceFactory _factory = null!;

    [OneTimeSetUp]
    public async Task Start() => _factory = await MarketplaceFactory.StartAsync(provider, new Dictionary<string, string>
    {
        ["Privacy:OfficerName"] = "Dominique Exemple",
        ["Privacy:OfficerEmail"] = "dpo@exemple.invalid",
    });

    [OneTimeTearDown]
    public async Task Stop() => await _factory.DisposeAsync();

    private async Task<string> AddCuratorAsync(string email)
    {
        using var output = new StringWriter();
        var code = await CommandLine.RunAsync(_factory.Services, ["users", "add", "--email", email, "--role", "curator"], output, CancellationToken.None);
        Assert.That(code, Is.Zero, output.ToString());
        var link = new Uri(output.ToString().Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("http")));
        return link.PathAndQuery;
    }

    [TestCase("/fr/confidentialite", "Politique de confidentialité")]
    [TestCase("/en/privacy", "Privacy policy")]
    public async Task The_privacy_page_names_the_person_in_charge(string path, string title)
    {
        using var browsing = new Browsing(_factory);
        var (response, page) = await browsing.GetAsync(path);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(page.QuerySelector("h1")?.TextContent, Is.EqualTo(title));
        Assert.That(page.Body!.TextContent, Does.Contain("Dominique Exemple").And.Contain("dpo@exemple.invalid"));
    }

    [TestCase("/fr/conditions", "Conditions d'utilisation")]
    [TestCase("/en/terms", "Terms of use")]
    public async Task The_terms_exist_in_both_languages_and_link_to_the_privacy_policy(string path, string title)
    {
        using var browsing = new Browsing(_factory);
        var (response, page) = await browsing.GetAsync(path);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(page.QuerySelector("h1")?.TextContent, Is.EqualTo(title));
        Assert.That(page.QuerySelector("main a[href$='/confidentialite'], main a[href$='/privacy']"), Is.Not.Null);
    }

    [Test]
    public async Task Session_and_form_cookies_are_http_only_same_site_and_secure()
    {
        var email = $"cookies-{Guid.NewGuid():N}@exemple.invalid";
        var link = await AddCuratorAsync(email);
        using var browsing = new Browsing(_factory);
        var (_, form) = await browsing.GetAsync(link);
        await browsing.SubmitAsync(form, "form.stacked-form",
            new Dictionary<string, string> { ["Password"] = "une phrase de passe assez longue", ["Confirmation"] = "une phrase de passe assez longue" });
        using var fresh = new Browsing(_factory); // a new visitor: the form cookie is set by the sign-in page
        var (loginPage, login) = await fresh.GetAsync("/fr/connexion");
        var (signedIn, _) = await fresh.SubmitAsync(login, "form.stacked-form",
            new Dictionary<string, string> { ["Email"] = email, ["Password"] = "une phrase de passe assez longue" });
        var cookies = loginPage.Headers.GetValues("Set-Cookie").Concat(signedIn.Headers.GetValues("Set-Cookie")).ToArray();
        foreach (var name in new[] { "panier.af=", "panier.session=" })
        {
            var cookie = cookies.Single(c => c.StartsWith(name)).ToLowerInvariant();
            Assert.That(cookie, Does.Contain("httponly").And.Contain("samesite=").And.Contain("secure"), cookie);
        }
    }

    [Test]
    public async Task Sign_in_attempts_are_rate_limited_per_address()
    {
        var database = await TestDatabases.CreateAsync(DatabaseProvider.Sqlite);
        await using var limited = new MarketplaceFactory(database, settings: new Dictionary<string, string> { ["Marketplace:AccountRequestsPerMinute"] = "3" });
        using var browsing = new Browsing(limited);
        var statuses = new List<int>();
        for (var i = 0; i < 4; i++) statuses.Add((int)(await browsing.GetAsync("/fr/connexion")).Response.StatusCode);
        Assert.That(statuses, Is.EqualTo(new[] { 200, 200, 200, 429 }));
    }

    [Test]
    public async Task A_curator_sets_a_password_from_the_link_then_signs_in_and_out()
    {
        var email = $"curateur-{Guid.NewGuid():N}@exemple.invalid";
        var link = await AddCuratorAsync(email);
        using var browsing = new Browsing(_factory);

        var (_, form) = await browsing.GetAsync(link);
        var (mismatch, mismatchPage) = await browsing.SubmitAsync(form, "form.stacked-form",
            new Dictionary<string, string> { ["Password"] = "une phrase de passe assez longue", ["Confirmation"] = "autre chose encore ici" });
        Assert.That(mismatch.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(mismatchPage.QuerySelector(".alert")?.TextContent, Does.Contain("ne sont pas identiques"));

        var (weak, weakPage) = await browsing.SubmitAsync(mismatchPage, "form.stacked-form",
            new Dictionary<string, string> { ["Password"] = "motdepasse123", ["Confirmation"] = "motdepasse123" });
        Assert.That(weak.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(weakPage.QuerySelector(".alert")?.TextContent, Does.Contain("trop courant"));

        var (saved, _) = await browsing.SubmitAsync(weakPage, "form.stacked-form",
            new Dictionary<string, string> { ["Password"] = "une phrase de passe assez longue", ["Confirmation"] = "une phrase de passe assez longue" });
        saved.IsRedirectTo("/fr/connexion");

        var (_, reused) = await browsing.GetAsync(link);
        var (again, againPage) = await browsing.SubmitAsync(reused, "form.stacked-form",
            new Dictionary<string, string> { ["Password"] = "encore une autre phrase", ["Confirmation"] = "encore une autre phrase" });
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(againPage.QuerySelector(".alert")?.TextContent, Does.Contain("plus valide"), "the link works once");

        var (_, login) = await browsing.GetAsync("/fr/connexion");
        var (signedIn, _) = await browsing.SubmitAsync(login, "form.stacked-form",
            new Dictionary<string, string> { ["Email"] = email, ["Password"] = "une phrase de passe assez longue" });
        signedIn.IsRedirectTo("/fr");
        var (_, home) = await browsing.GetAsync("/fr");
        Assert.That(home.QuerySelector("form.inline-form button")?.TextContent, Is.EqualTo("Se déconnecter"));

        var (signedOut, _) = await browsing.SubmitAsync(home, "form.inline-form");
        signedOut.IsRedirectTo("/fr");
        var (_, after) = await browsing.GetAsync("/fr");
        Assert.That(after.QuerySelector("form.inline-form"), Is.Null);
    }

    [Test]
    public async Task A_post_without_its_antiforgery_token_is_refused()
    {
        using var browsing = new Browsing(_factory);
        var (_, login) = await browsing.GetAsync("/fr/connexion");
        var (response, _) = await browsing.SubmitAsync(login, "form.stacked-form",
            new Dictionary<string, string> { ["Email"] = "x@exemple.invalid", ["Password"] = "peu importe ici" }, withToken: false);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task A_forgotten_password_is_reset_from_the_emailed_link_and_unknown_addresses_learn_nothing()
    {
        var email = $"oubli-{Guid.NewGuid():N}@exemple.invalid";
        var link = await AddCuratorAsync(email);
        using var browsing = new Browsing(_factory);
        var (_, form) = await browsing.GetAsync(link);
        await browsing.SubmitAsync(form, "form.stacked-form",
            new Dictionary<string, string> { ["Password"] = "une phrase de passe assez longue", ["Confirmation"] = "une phrase de passe assez longue" });

        var (_, forgot) = await browsing.GetAsync("/fr/mot-de-passe-oublie");
        var (unknown, _) = await browsing.SubmitAsync(forgot, "form.stacked-form", new Dictionary<string, string> { ["email"] = "personne@exemple.invalid" });
        var (known, _) = await browsing.SubmitAsync(forgot, "form.stacked-form", new Dictionary<string, string> { ["email"] = email });
        unknown.IsRedirectTo("/fr/connexion");
        known.IsRedirectTo("/fr/connexion");
        Assert.That(await _factory.WithDbAsync(db => db.OutboxEmails.CountAsync(e => e.To == "personne@exemple.invalid")), Is.Zero);

        var body = await _factory.WithDbAsync(db => db.OutboxEmails.Where(e => e.To == email).Select(e => e.TextBody).SingleAsync());
        var resetLink = new Uri(System.Text.RegularExpressions.Regex.Match(_factory.Reveal(body), @"https?://\S+/fr/compte/definir-mot-de-passe\S+").Value);
        var (_, resetForm) = await browsing.GetAsync(resetLink.PathAndQuery);
        var (reset, _) = await browsing.SubmitAsync(resetForm, "form.stacked-form",
            new Dictionary<string, string> { ["Password"] = "nouvelle phrase tout aussi longue", ["Confirmation"] = "nouvelle phrase tout aussi longue" });
        reset.IsRedirectTo("/fr/connexion");

        var (_, login) = await browsing.GetAsync("/fr/connexion");
        var (signedIn, _) = await browsing.SubmitAsync(login, "form.stacked-form",
            new Dictionary<string, string> { ["Email"] = email, ["Password"] = "nouvelle phrase tout aussi longue" });
        signedIn.IsRedirectTo("/fr");
    }

    [Test]
    public async Task Signing_up_in_english_gives_english_emails_and_french_stays_the_default()
    {
        using var browsing = new Browsing(_factory);
        var (_, form) = await browsing.GetAsync("/en/sign-up");
        Assert.That(form.QuerySelector("h1")?.TextContent, Is.EqualTo("Sign up"));
        var email = $"english-{Guid.NewGuid():N}@exemple.invalid";
        var (created, _) = await browsing.SubmitAsync(form, "form.stacked-form", new Dictionary<string, string>
        {
            ["Kind"] = "Nonprofit", ["OrganizationName"] = "Youth Centre", ["DisplayName"] = "Sam", ["Email"] = email,
            ["Password"] = "une phrase de passe assez longue", ["Confirmation"] = "une phrase de passe assez longue", ["AcceptTerms"] = "true",
            ["TermsLanguage"] = "en",
        });
        created.IsRedirectTo("/en/login");
        var message = await _factory.WithDbAsync(db => db.OutboxEmails.SingleAsync(e => e.To == email));
        Assert.That((message.Subject, message.Language), Is.EqualTo(("Confirm your email address", "en")));
        Assert.That(message.TextBody, Does.Contain("/en/account/confirm?").And.Contain("Hello Sam,"));
        Assert.That(message.HtmlBody, Does.Contain("<a href=").And.Not.Contain("<img"));
    }
}
