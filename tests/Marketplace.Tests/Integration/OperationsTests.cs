using System.Net;
using System.Text.Json;
using Marketplace.Tests.Support;
using Marketplace.Web.Infrastructure.Cli;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Tests.Integration;

/// <summary>What the operator relies on behind a reverse proxy: client addresses, scheme, rate limit, command errors.</summary>
public sealed class OperationsTests
{
    [Test]
    public async Task Behind_a_loopback_proxy_the_api_counts_each_client_and_links_to_the_public_address()
    {
        var database = await TestDatabases.CreateAsync(DatabaseProvider.Sqlite);
        await using var factory = new MarketplaceFactory(database, settings: new Dictionary<string, string>
        {
            ["Marketplace:ApiRequestsPerMinute"] = "2",
            ["Marketplace:PublicBaseUrl"] = "https://annuaire.example.org",
        });
        var address = factory.StartKestrel();
        using var http = new HttpClient { BaseAddress = new Uri(address) };

        async Task<HttpResponseMessage> GetAsync(string client)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/api/v1/providers?pageSize=1");
            request.Headers.Add("X-Forwarded-For", client);
            request.Headers.Add("X-Forwarded-Proto", "https");
            return await http.SendAsync(request);
        }

        var first = await GetAsync("203.0.113.7");
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var url = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement
            .GetProperty("items")[0].GetProperty("url").GetString();
        Assert.That(url, Does.StartWith("https://annuaire.example.org/fr/fournisseurs/"), "the public address makes the links, not the request");

        Assert.That((await GetAsync("203.0.113.7")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var refused = await GetAsync("203.0.113.7");
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(refused.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(60)));
        Assert.That(refused.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
        Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain("Trop de requ"));

        // Another client behind the same proxy has its own allowance.
        Assert.That((await GetAsync("198.51.100.23")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task A_command_that_cannot_reach_the_database_says_so_and_exits_with_1()
    {
        var database = await TestDatabases.CreateAsync(DatabaseProvider.Sqlite);
        await using var factory = new MarketplaceFactory(database, settings: new Dictionary<string, string>
        {
            ["Database:Provider"] = "Postgres",
            ["ConnectionStrings:Marketplace"] = "Host=127.0.0.1;Port=1;Username=nobody;Password=x;Timeout=3",
            ["Marketplace:InitializeDatabaseOnStartup"] = "false",
        });
        using var output = new StringWriter();
        var code = await CommandLine.RunAsync(factory.Services, ["migrate"], output, CancellationToken.None);
        Assert.That(code, Is.EqualTo(1));
        Assert.That(output.ToString(), Does.StartWith("Erreur / error").And.Not.Contain("   at "));
    }

    [Test]
    public async Task Outside_development_plain_http_moves_to_https_and_cookies_are_secure()
    {
        var database = await TestDatabases.CreateAsync(DatabaseProvider.Sqlite);
        await using var factory = new MarketplaceFactory(database, environment: "Production",
            settings: new Dictionary<string, string> { ["Marketplace:RequireHttps"] = "true" });
        using var http = factory.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { AllowAutoRedirect = false });

        var plain = await http.GetAsync("/fr/connexion?returnUrl=%2Ffr");
        Assert.That((int)plain.StatusCode, Is.EqualTo(308));
        Assert.That(plain.Headers.Location?.ToString(), Is.EqualTo("https://localhost/fr/connexion?returnUrl=%2Ffr"));
        Assert.That((int)(await http.GetAsync("/healthz")).StatusCode, Is.EqualTo(200), "local probes stay on HTTP");

        // Behind the proxy: HTTPS as forwarded; the form page works and its cookie is Secure.
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://localhost/fr/connexion");
        var secure = await http.SendAsync(request);
        Assert.That(secure.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(secure.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("panier.af=")).ToLowerInvariant(), Does.Contain("secure"));
    }
}
