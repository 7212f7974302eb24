using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Marketplace.Tests.Support;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Tests.Integration;

/// <summary>
/// What a hostile or broken client gets (issue 12): a short 4xx, never a 500, one short log line, nothing saved; the
/// Host header never makes a link; /healthz answers GET and HEAD only; the HTML search pages have a generous limit.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed partial class HostileInputTests(DatabaseProvider provider)
{
    private MarketplaceFactory _factory = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _factory = await MarketplaceFactory.StartAsync(provider);
        _client = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost") });
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    [SetUp]
    public void ForgetEarlierLogs() => _factory.Logs.Reset();

    private static HttpRequestMessage WithBody(HttpMethod method, string path, string body, string contentType)
    {
        var request = new HttpRequestMessage(method, path) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        return request;
    }

    /// <summary>A fresh page's antiforgery token, with its cookie set on the returned client.</summary>
    private async Task<(HttpClient Client, string Token)> FormTokenAsync(string page)
    {
        var client = _factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost") });
        var html = await client.GetStringAsync(page);
        var token = TokenPattern().Match(html).Groups[1].Value;
        Assert.That(token, Is.Not.Empty, $"antiforgery token on {page}");
        return (client, token);
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"")]
    private static partial Regex TokenPattern();

    private void AssertQuietLogs(int requests)
    {
        var entries = _factory.Logs.Entries;
        Assert.That(_factory.Logs.Exceptions, Is.Zero, "no exception logged");
        Assert.That(entries.Where(e => e.Contains("   at ", StringComparison.Ordinal)), Is.Empty, "no stack trace in the log");
        Assert.That(_factory.Logs.Lines, Is.LessThanOrEqualTo(requests * 2), string.Join("\n", entries));
    }

    [TestCase("/fr", "text/html", "Type de contenu non pris en charge")]
    [TestCase("/en", "text/html", "Unsupported content type")]
    [TestCase("/fr/nulle-part", "text/html", "Type de contenu non pris en charge")]
    [TestCase("/fr/connexion", "text/html", "Type de contenu non pris en charge")]
    [TestCase("/api/v1/providers", "application/problem+json", "Type de contenu non pris en charge")]
    public async Task An_unsupported_charset_gets_415_with_a_short_localized_answer_and_one_log_line(string path, string mediaType, string text)
    {
        foreach (var method in new[] { HttpMethod.Get, HttpMethod.Post })
        {
            using var request = WithBody(method, path, "a=b", "application/x-www-form-urlencoded; charset=utf-7");
            var response = await _client.SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.UnsupportedMediaType), $"{method} {path}");
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo(mediaType));
            Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain(text));
        }
        AssertQuietLogs(2);
    }

    [Test]
    public async Task A_sign_up_whose_form_cannot_be_read_gets_400_and_creates_nothing()
    {
        var before = await _factory.WithDbAsync(db => db.Users.CountAsync());
        var (client, token) = await FormTokenAsync("/fr/inscription");
        using (client)
        {
            var fields = $"__RequestVerificationToken={Uri.EscapeDataString(token)}&DisplayName=Eve&Password=correct-horse-battery&Confirmation=correct-horse-battery&OrganizationName=Org&AcceptTerms=true";
            var bodies = new (string Body, string ContentType)[]
            {
                (fields + "&Email=%00", "application/x-www-form-urlencoded"),
                (fields + "&Email=eve%00@example.org", "application/x-www-form-urlencoded"),
                (fields + "&Email=eve@example.org&" + string.Join("&", Enumerable.Range(0, 1100).Select(i => $"f{i}=x")), "application/x-www-form-urlencoded"),
                ("--b\r\nContent-Disposition: form-data; name=\"Email\"\r\n\r\neve@example.org\r\n--b", "multipart/form-data; boundary=b"),
                ("garbage", "multipart/form-data; boundary=b"),
                ("garbage", "multipart/form-data"),
            };
            foreach (var (body, contentType) in bodies)
            {
                using var request = WithBody(HttpMethod.Post, "/fr/inscription", body, contentType);
                var response = await client.SendAsync(request);
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), body[..Math.Min(body.Length, 200)]);
                var html = await response.Content.ReadAsStringAsync();
                Assert.That(html, Does.Contain("Formulaire illisible"));
            }
        }
        Assert.That(await _factory.WithDbAsync(db => db.Users.CountAsync()), Is.EqualTo(before), "nothing saved");
        AssertQuietLogs(6);
    }

    [Test]
    public async Task A_malformed_form_on_an_english_page_is_explained_in_english()
    {
        using var request = WithBody(HttpMethod.Post, "/en/login", "Email=%00", "application/x-www-form-urlencoded");
        var response = await _client.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("Unreadable form"));
    }

    [TestCase("/fr/recherche?q=boulang%00erie", "Adresse invalide")]
    [TestCase("/en/search?q=%00", "Invalid address")]
    [TestCase("/api/v1/providers?q=%00", "Adresse invalide")]
    public async Task A_nul_character_in_the_query_gets_400(string url, string text)
    {
        var response = await _client.GetAsync(url);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain(text));
        AssertQuietLogs(1);
    }

    [Test]
    public async Task The_host_header_never_makes_a_link()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/providers?pageSize=1");
        request.Headers.Host = "evil.example";
        var response = await _client.SendAsync(request);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var url = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("items")[0].GetProperty("url").GetString();
        Assert.That(url, Does.StartWith("http://localhost:5080/fr/fournisseurs/"), "Marketplace:PublicBaseUrl makes the API's links");
    }

    [Test]
    public async Task In_production_an_unknown_host_is_refused_and_the_https_redirect_goes_to_the_public_address()
    {
        var database = await TestDatabases.CreateAsync(DatabaseProvider.Sqlite);
        await using var factory = new MarketplaceFactory(database, environment: "Production", settings: new Dictionary<string, string>
        {
            ["Marketplace:RequireHttps"] = "true",
            ["Marketplace:PublicBaseUrl"] = "https://annuaire.example.org",
        });
        using var http = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://annuaire.example.org") });

        Assert.That((await http.GetAsync("/fr")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "the public host is served");
        foreach (var host in new[] { "evil.example", "annuaire.example.org.evil.example" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/fr");
            request.Headers.Host = host;
            Assert.That((await http.SendAsync(request)).StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), host);
        }

        using var plain = new HttpRequestMessage(HttpMethod.Get, "http://annuaire.example.org/fr/recherche?q=x");
        var redirect = await http.SendAsync(plain);
        Assert.That((int)redirect.StatusCode, Is.EqualTo(308));
        Assert.That(redirect.Headers.Location?.ToString(), Is.EqualTo("https://annuaire.example.org/fr/recherche?q=x"));
    }

    [Test]
    public async Task The_https_redirect_ignores_the_host_header_when_every_host_is_allowed()
    {
        var database = await TestDatabases.CreateAsync(DatabaseProvider.Sqlite);
        await using var factory = new MarketplaceFactory(database, environment: "Production", settings: new Dictionary<string, string>
        {
            ["Marketplace:RequireHttps"] = "true",
            ["Marketplace:PublicBaseUrl"] = "https://annuaire.example.org",
            ["AllowedHosts"] = "*",
        });
        using var http = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://localhost/fr");
        request.Headers.Host = "evil.example";
        var redirect = await http.SendAsync(request);
        Assert.That((int)redirect.StatusCode, Is.EqualTo(308));
        Assert.That(redirect.Headers.Location?.ToString(), Is.EqualTo("https://annuaire.example.org/fr"));
    }

    [TestCase("PUT", 405)]
    [TestCase("DELETE", 405)]
    [TestCase("TRACE", 405)]
    [TestCase("POST", 405)]
    [TestCase("PATCH", 405)]
    [TestCase("OPTIONS", 405)]
    [TestCase("GET", 200)]
    [TestCase("HEAD", 200)]
    public async Task Healthz_answers_get_and_head_only(string method, int expected)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), "/healthz");
        var response = await _client.SendAsync(request);
        Assert.That((int)response.StatusCode, Is.EqualTo(expected));
    }

    [Test]
    public async Task The_html_search_pages_have_a_per_address_limit_with_a_french_page()
    {
        var database = await TestDatabases.CreateAsync(DatabaseProvider.Sqlite);
        await using var factory = new MarketplaceFactory(database, settings: new Dictionary<string, string> { ["Marketplace:SearchPagesPerMinute"] = "2" });
        using var http = factory.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, BaseAddress = new Uri("https://localhost") });
        Assert.That((await http.GetAsync("/fr/recherche")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await http.GetAsync("/en/search")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var refused = await http.GetAsync("/fr/recherche?q=boulangerie");
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(refused.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(60)));
        Assert.That(refused.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
        var page = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(await refused.Content.ReadAsStringAsync());
        Assert.That(page.QuerySelector("h1")?.TextContent, Is.EqualTo("Trop de requêtes"));
        Assert.That((await http.GetAsync("/fr")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "other pages are not counted");
    }

    [Test]
    public async Task Three_hundred_junk_requests_get_no_5xx_and_little_log()
    {
        var (formClient, token) = await FormTokenAsync("/fr/connexion");
        using var _ = formClient;
        var paths = new[] { "/fr", "/en", "/fr/recherche", "/en/search", "/fr/fournisseurs/nord-ouvert", "/fr/nulle-part", "/api/v1/providers",
            "/api/v1/nope", "/fr/connexion", "/en/login", "/fr/inscription", "/fr/mot-de-passe-oublie", "/fr/compte/definir-mot-de-passe",
            "/healthz", "/error/500" };
        var contentTypes = new[]
        {
            "application/x-www-form-urlencoded; charset=utf-7", "application/x-www-form-urlencoded; charset=ebcdic-xyz",
            "multipart/form-data; charset=utf-32", "text/plain; charset=\"", "application/json; charset=utf-16",
            "multipart/form-data", "multipart/form-data; boundary=", "multipart/form-data; boundary=" + new string('b', 200),
            ";;;", "application/x-www-form-urlencoded",
        };
        var bodies = new[]
        {
            "Email=%00", "Email=%ff%fe", "%%%%=%", "Email=" + new string('a', 100_000), string.Join("&", Enumerable.Range(0, 1500).Select(i => $"k{i}=v")),
            "--b\r\nContent-Disposition: form-data; name=\"Email\"\r\n\r\nx", "{\"Email\":", $"__RequestVerificationToken={Uri.EscapeDataString(token)}&Email=%00&Password=x",
            "__RequestVerificationToken=forged&Email=a@b.c&Password=x",
        };
        var queries = new[] { "?q=%ff%fe%fd", "?q=%", "?q=" + new string('x', 20_000), "?lang=%00", "?page=99999999999999999999", "?a=1&a=2&a=3",
            "?" + string.Join("&", Enumerable.Range(0, 2000).Select(i => $"r{i}=x")), "?q=%c0%af", "?q=%00", "?q=a%00b&categorie=%00", "?region=%uFFFF", "?retour=%0d%0aSet-Cookie:x=y" };
        var methods = new[] { "GET", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE", "PROPFIND", "HEAD" };
        var cookies = new[] { "panier.session=garbage", "panier.af=%00%ff", "panier.session=" + new string('A', 8000), "=;=;=", ".AspNetCore.Culture=c=xx|uic=xx" };

        var requests = new List<Func<HttpRequestMessage>>();
        var random = new Random(12);
        foreach (var path in paths)
        foreach (var contentType in contentTypes)
            requests.Add(() => WithBody(random.Next(2) == 0 ? HttpMethod.Get : HttpMethod.Post, path, bodies[random.Next(bodies.Length)], contentType));
        foreach (var path in paths)
        foreach (var body in bodies)
            requests.Add(() => WithBody(HttpMethod.Post, path, body, contentTypes[random.Next(contentTypes.Length)]));
        foreach (var path in paths)
        foreach (var query in queries)
            requests.Add(() => new HttpRequestMessage(HttpMethod.Get, path + query));
        foreach (var path in paths)
        foreach (var method in methods)
            requests.Add(() => new HttpRequestMessage(new HttpMethod(method), path));
        foreach (var path in paths)
        foreach (var cookie in cookies)
            requests.Add(() =>
            {
                var request = WithBody(HttpMethod.Post, path, $"__RequestVerificationToken={Uri.EscapeDataString(token)}&Email=a@b.c&Password=x", "application/x-www-form-urlencoded");
                request.Headers.TryAddWithoutValidation("Cookie", cookie);
                return request;
            });
        Assert.That(requests, Has.Count.GreaterThanOrEqualTo(300));

        _factory.Logs.Reset();
        var failures = new List<string>();
        foreach (var make in requests)
        {
            using var request = make();
            var described = $"{request.Method} {request.RequestUri} {request.Content?.Headers.ContentType}";
            if (described.Length > 160) described = described[..160] + "…";
            var response = await (request.Method == HttpMethod.Post && request.RequestUri!.ToString().StartsWith("/fr/connexion") ? formClient : _client).SendAsync(request);
            if ((int)response.StatusCode >= 500) failures.Add($"{(int)response.StatusCode} {described}");
        }
        TestContext.Out.WriteLine($"{requests.Count} requests, {_factory.Logs.Lines} log lines, {_factory.Logs.Characters} characters");
        Assert.That(failures, Is.Empty);
        Assert.That(_factory.Logs.Exceptions, Is.Zero, "no exception logged");
        Assert.That(_factory.Logs.Entries.Where(e => e.Contains("   at ", StringComparison.Ordinal)), Is.Empty, "no stack trace");
        Assert.That(_factory.Logs.Characters / (double)requests.Count, Is.LessThan(1024), "under 1 KB of log per request on average");
    }
}
