using System.Net;
using System.Text.Json;
using Marketplace.Tests.Support;
using Marketplace.Web.Infrastructure.Cli;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Tests.Integration;

/// <summary>
/// Issue 11, defects 11 and part of 5: favicon, a title per page, a page number past the end, where staff land after
/// signing in, a sign-up error that keeps what was typed, the diagnostic's prefill, the way back to a search, and
/// « Demandes pour vous » before a listing is published.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class SmallUxTests(DatabaseProvider provider)
{
    private const string Password = "une phrase de passe assez longue";
    private MarketplaceFactory _factory = null!;

    [OneTimeSetUp]
    public async Task Start() => _factory = await MarketplaceFactory.StartAsync(provider);

    [OneTimeTearDown]
    public async Task Stop() => await _factory.DisposeAsync();

    private string Address(string name) => $"{name}-{provider.ToString().ToLowerInvariant()}@exemple.invalid";

    [Test]
    public async Task The_favicon_is_served_and_every_page_links_an_icon()
    {
        using var browsing = new Browsing(_factory);
        var ico = await browsing.Http.GetAsync("/favicon.ico");
        Assert.That(ico.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await ico.Content.ReadAsByteArrayAsync()).Take(4), Is.EqualTo(new byte[] { 0, 0, 1, 0 }), "an ICO file");
        var (_, home) = await browsing.GetAsync("/fr");
        var icons = home.QuerySelectorAll("link[rel=icon]").Select(l => l.GetAttribute("href")!).ToArray();
        Assert.That(icons, Is.Not.Empty);
        foreach (var icon in icons)
            Assert.That((await browsing.Http.GetAsync(icon)).StatusCode, Is.EqualTo(HttpStatusCode.OK), icon);
    }

    [Test]
    public async Task Each_page_has_its_own_title()
    {
        using var browsing = new Browsing(_factory);
        var titles = new Dictionary<string, string>();
        foreach (var path in new[] { "/fr", "/fr/recherche", "/fr/a-propos", "/fr/connexion", "/fr/inscription", "/fr/diagnostic", "/fr/fournisseurs/la-puce", "/en/search" })
        {
            var (response, page) = await browsing.GetAsync(path);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), path);
            titles[path] = page.Title!;
        }
        Assert.That(titles.Values.Distinct().Count(), Is.EqualTo(titles.Count), string.Join(" | ", titles.Values));
        Assert.That(titles["/fr/recherche"], Is.EqualTo("Rechercher des fournisseurs — Panier de services numériques"));
        Assert.That(titles["/fr/fournisseurs/la-puce"], Does.StartWith("La Puce — ").And.EndWith(" — Panier de services numériques"));
    }

    [Test]
    public async Task A_page_past_the_last_one_leads_to_the_last_page_of_the_same_search()
    {
        using var browsing = new Browsing(_factory);
        var (past, _) = await browsing.GetAsync("/fr/recherche?sort=name&page=999");
        Assert.That(past.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var location = past.Headers.Location!.OriginalString;
        Assert.That(location, Does.StartWith("/fr/recherche?").And.Contain("sort=name"));
        var (last, page) = await browsing.GetAsync(location);
        Assert.That(last.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var pagination = page.QuerySelector("nav.pagination")!.TextContent;
        var pageOf = System.Text.RegularExpressions.Regex.Match(pagination, @"Page (\d+) sur (\d+)");
        Assert.That(pageOf.Groups[1].Value, Is.EqualTo(pageOf.Groups[2].Value), pagination);
        Assert.That(page.QuerySelectorAll("ol.cards > li"), Is.Not.Empty);

        // The API answers the page asked for with no item, and the total, so a client sees where the end is.
        var json = JsonDocument.Parse(await browsing.Http.GetStringAsync("/api/v1/providers?page=999")).RootElement;
        Assert.That(json.GetProperty("page").GetInt32(), Is.EqualTo(999));
        Assert.That(json.GetProperty("items").GetArrayLength(), Is.Zero);
        Assert.That(json.GetProperty("total").GetInt32(), Is.GreaterThan(0));
    }

    private async Task<Browsing> StaffAsync(string email, string role)
    {
        using var output = new StringWriter();
        Assert.That(await CommandLine.RunAsync(_factory.Services, ["users", "add", "--email", email, "--role", role], output, CancellationToken.None), Is.Zero);
        var link = new Uri(output.ToString().Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("http")));
        var browsing = new Browsing(_factory);
        var (_, form) = await browsing.GetAsync(link.PathAndQuery);
        await browsing.SubmitAsync(form, "form.stacked-form", new Dictionary<string, string> { ["Password"] = Password, ["Confirmation"] = Password });
        return browsing;
    }

    private static async Task<string> SignInAsync(Browsing browsing, string email, string? returnUrl = null)
    {
        var (_, login) = await browsing.GetAsync(returnUrl is null ? "/fr/connexion" : "/fr/connexion?returnUrl=" + Uri.EscapeDataString(returnUrl));
        var (signedIn, page) = await browsing.SubmitAsync(login, "form.stacked-form", new Dictionary<string, string> { ["Email"] = email, ["Password"] = Password });
        Assert.That(signedIn.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), page.QuerySelector(".alert")?.TextContent);
        return signedIn.Headers.Location!.OriginalString;
    }

    [Test]
    public async Task Staff_land_on_their_work_after_signing_in_unless_a_local_return_address_is_given()
    {
        var curatorEmail = Address("atterrissage-conservation");
        var adminEmail = Address("atterrissage-admin");
        using var curator = await StaffAsync(curatorEmail, "curator");
        using var admin = await StaffAsync(adminEmail, "admin");
        Assert.That(await SignInAsync(curator, curatorEmail), Is.EqualTo("/fr/conservation"));
        Assert.That(await SignInAsync(admin, adminEmail), Is.EqualTo("/fr/admin/comptes"));
        Assert.That(await SignInAsync(curator, curatorEmail, "/fr/recherche?q=loi"), Is.EqualTo("/fr/recherche?q=loi"));
        Assert.That(await SignInAsync(curator, curatorEmail, "https://ailleurs.invalid/piege"), Is.EqualTo("/fr/conservation"));

        using var nonprofit = new Browsing(_factory);
        await CurationJourneyTests.SignUpAsync(_factory, Address("atterrissage-obnl"), "Organisme de l'atterrissage", "Nonprofit");
        Assert.That(await SignInAsync(nonprofit, Address("atterrissage-obnl")), Is.EqualTo("/fr"));
    }

    [Test]
    public async Task A_sign_up_error_keeps_every_field_but_the_password()
    {
        using var browsing = new Browsing(_factory);
        var (_, form) = await browsing.GetAsync("/fr/inscription");
        var (refused, page) = await browsing.SubmitAsync(form, "form.stacked-form", new Dictionary<string, string>
        {
            ["Kind"] = "Nonprofit", ["OrganizationName"] = "Maison des erreurs", ["DisplayName"] = "Alex", ["Email"] = Address("erreur-inscription"),
            ["Password"] = Password, ["Confirmation"] = "pas la même phrase de passe", ["AcceptTerms"] = "true", ["WantsDigest"] = "true",
        });
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(page.QuerySelector("input[name=WantsDigest]")!.HasAttribute("checked"), Is.True, "the digest choice is kept");
        Assert.That(page.QuerySelector("input[name=AcceptTerms]")!.HasAttribute("checked"), Is.True, "the terms choice is kept");
        Assert.That(page.QuerySelector("input[name=Kind][value=Nonprofit]")!.HasAttribute("checked"), Is.True);
        Assert.That(page.QuerySelector("input[name=OrganizationName]")!.GetAttribute("value"), Is.EqualTo("Maison des erreurs"));
        Assert.That(page.QuerySelector("input[name=Email]")!.GetAttribute("value"), Is.EqualTo(Address("erreur-inscription")));
        Assert.That(page.QuerySelector("input[name=Password]")!.GetAttribute("value"), Is.Null.Or.Empty);
    }

    [Test]
    public async Task The_diagnostic_prefills_a_title_from_its_categories_and_no_boilerplate_description()
    {
        using var nonprofit = await CurationJourneyTests.SignUpAsync(_factory, Address("diagnostic"), "Organisme du diagnostic", "Nonprofit");
        var (_, results) = await nonprofit.GetAsync("/fr/diagnostic/resultat?privacy-officer=no&training=much");
        var form = results.QuerySelector("form.stacked-form")!;
        Assert.That(form.QuerySelector("input[name=description]"), Is.Null, "the site's own reasons are not the nonprofit's description");
        var query = string.Join("&", form.QuerySelectorAll("input[name=categories]").Select(i => "categories=" + i.GetAttribute("value")));
        var (_, page) = await nonprofit.GetAsync($"{form.GetAttribute("action")}?{query}");
        Assert.That(page.QuerySelector("input[name=Title]")!.GetAttribute("value"), Is.EqualTo("Besoin : Conformité Loi 25 et renseignements personnels, Formation et compétences numériques"));
        Assert.That(page.QuerySelector("textarea[name=Description]")!.TextContent.Trim(), Is.Empty);
        Assert.That(page.QuerySelectorAll("input[name=Categories]:checked").Select(i => i.GetAttribute("value")), Is.EquivalentTo(new[] { "loi-25", "formation" }));
    }

    [Test]
    public async Task The_way_back_from_a_provider_page_keeps_the_search_and_goes_nowhere_else()
    {
        using var browsing = new Browsing(_factory);
        var (_, results) = await browsing.GetAsync("/fr/recherche?q=loi&category=loi-25&sort=name");
        var card = results.QuerySelector("ol.cards a")!.GetAttribute("href")!;
        var (_, providerPage) = await browsing.GetAsync(card);
        var back = providerPage.QuerySelector("nav.breadcrumb a")!.GetAttribute("href")!;
        Assert.That(back, Does.StartWith("/fr/recherche?"));
        var backQuery = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri("https://x" + back).Query);
        Assert.That(backQuery["q"].ToString(), Is.EqualTo("loi"));
        Assert.That(backQuery["category"].ToString(), Is.EqualTo("loi-25"));
        Assert.That(backQuery["sort"].ToString(), Is.EqualTo("name"));

        // A forged « retour » keeps only search parameters on the site's own search page.
        var slug = card.Split('?')[0];
        var (_, forged) = await browsing.GetAsync(slug + "?retour=" + Uri.EscapeDataString("//ailleurs.invalid/x&returnUrl=https://ailleurs.invalid&q=ok"));
        Assert.That(forged.QuerySelector("nav.breadcrumb a")!.GetAttribute("href"), Is.EqualTo("/fr/recherche?q=ok"));
        var (_, plain) = await browsing.GetAsync(slug);
        Assert.That(plain.QuerySelector("nav.breadcrumb a")!.GetAttribute("href"), Is.EqualTo("/fr/recherche"));
    }

    [Test]
    public async Task Requests_for_a_provider_whose_listing_is_not_published_yet_explain_why_instead_of_404()
    {
        using var newcomer = await CurationJourneyTests.SignUpAsync(_factory, Address("pas-publiee"), "Coop pas encore publiée", "Provider");
        foreach (var path in new[] { "/fr/compte/demandes", "/en/account/requests" })
        {
            var (response, page) = await newcomer.GetAsync(path);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), path);
            Assert.That(page.QuerySelector("main")!.TextContent, Does.Contain(path.StartsWith("/fr") ? "Votre fiche n'est pas encore publiée" : "Your listing is not published yet"));
            Assert.That(page.QuerySelector("main a[href$='/compte/fiche'], main a[href$='/account/listing']"), Is.Not.Null);
        }
    }

    [Test]
    public async Task The_two_factor_setup_shows_a_qr_code_of_the_key_written_beside_it()
    {
        using var curator = await StaffAsync(Address("code-qr"), "curator");
        await SignInAsync(curator, Address("code-qr"));
        var (response, page) = await curator.GetAsync("/fr/compte/double-authentification");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var image = page.QuerySelector("img#qr-code")!;
        Assert.That(image.GetAttribute("alt"), Does.Contain("Code QR"));
        var src = image.GetAttribute("src")!;
        Assert.That(src, Does.StartWith("data:image/png;base64,"));
        var png = Convert.FromBase64String(src["data:image/png;base64,".Length..]);
        Assert.That(png.Take(8), Is.EqualTo(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }));
        var width = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(16, 4));
        var height = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(20, 4));
        Assert.That(width, Is.EqualTo(height).And.GreaterThan(100));

        // The code is the otpauth link of the page, whose secret is the key written as text.
        var uri = page.QuerySelector("a#authenticator-uri")!.GetAttribute("href")!;
        Assert.That(src, Is.EqualTo(Marketplace.Web.Features.TwoFactor.QrCode.PngDataUri(uri)));
        var secret = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(uri).Query)["secret"].ToString();
        var key = page.QuerySelector("#shared-key")!.TextContent.Replace(" ", "").ToUpperInvariant();
        Assert.That(secret, Is.EqualTo(key));
        Assert.That(Totp.Code(key), Has.Length.EqualTo(6));
    }
}
