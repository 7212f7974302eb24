using System.Net;
using AngleSharp.Html.Parser;
using Marketplace.Tests.Support;
using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Email;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Tests.Integration;

/// <summary>
/// One Data Protection key ring for every instance, in the database (ADR 0034): what one instance protects (a sign-in
/// cookie, an antiforgery token, a sealed email link) another reads; the keys an older version kept on disk are imported.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class DataProtectionKeysTests(DatabaseProvider provider)
{
    private const string Password = "une phrase de passe assez longue";
    private static readonly HtmlParser Parser = new();

    private static MarketplaceFactory OtherInstance(MarketplaceFactory first, string name) =>
        new(first.Database, settings: new Dictionary<string, string>
        {
            ["Marketplace:DataDirectory"] = Path.Combine(first.Database.DataDirectory, name),
            ["Marketplace:InitializeDatabaseOnStartup"] = "false",
        }, ownsDatabase: false);

    [Test]
    public async Task A_sign_in_on_one_instance_is_valid_on_another_and_so_is_its_antiforgery_token()
    {
        await using var a = await MarketplaceFactory.StartAsync(provider);
        await using var b = OtherInstance(a, "instance-b");
        var email = $"deux-instances-{provider}@exemple.invalid".ToLowerInvariant();
        await a.WithScopeAsync(async sp =>
        {
            var user = new MarketplaceUser
            {
                UserName = email, Email = email, EmailConfirmed = true, DisplayName = "Camille",
                CreatedAt = sp.GetRequiredService<TimeProvider>().GetUtcNow(),
            };
            Assert.That((await sp.GetRequiredService<UserManager<MarketplaceUser>>().CreateAsync(user, Password)).Succeeded);
        });

        using var onA = new RawBrowser(a);
        using var onB = new RawBrowser(b) { Cookies = onA.Cookies }; // the same browser, sent to the other instance
        var (_, login) = await onA.GetAsync("/fr/connexion");
        var (signedIn, _) = await onA.PostAsync("/fr/connexion", Token(login),
            new() { ["Email"] = email, ["Password"] = Password });
        Assert.That(signedIn.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        Assert.That(onA.Cookies.Keys, Does.Contain("panier.session"));

        // Instance B reads A's sign-in cookie: the page is served, not a redirect to the sign-in page.
        var (profileOnB, pageOnB) = await onB.GetAsync("/fr/compte/profil");
        Assert.That(profileOnB.StatusCode, Is.EqualTo(HttpStatusCode.OK), profileOnB.Headers.Location?.ToString());
        Assert.That(pageOnB, Does.Contain(email));

        // A form served by A, posted to B with A's antiforgery cookie and token: accepted and saved.
        var (_, profileOnA) = await onA.GetAsync("/fr/compte/profil");
        var form = new Dictionary<string, string> { ["DisplayName"] = "Camille de B", ["Email"] = email, ["Language"] = "fr" };
        var (withoutToken, _) = await onB.PostAsync("/fr/compte/profil", token: null, form);
        Assert.That(withoutToken.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), "without the token B refuses the form");
        var (saved, _) = await onB.PostAsync("/fr/compte/profil", Token(profileOnA), form);
        Assert.That(saved.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), "B accepts A's antiforgery token");
        Assert.That(await a.WithDbAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.DisplayName).SingleAsync()),
            Is.EqualTo("Camille de B"));
        Assert.That(Directory.Exists(Path.Combine(a.Database.DataDirectory, "keys")), Is.False, "no key is written to the data directory");
    }

    [Test]
    public async Task Keys_an_older_version_kept_on_disk_are_imported_once_so_sealed_links_still_open_on_every_instance()
    {
        var database = await TestDatabases.CreateAsync(provider);
        // The key ring as the previous version kept it: DataDirectory/keys, application name « Marketplace ».
        var sealedBody = "Confirmez : https://exemple.invalid/fr/compte/confirmer?" + OutboxSecrets.Marker
                         + OldKeyRing(Path.Combine(database.DataDirectory, "keys")).Protect("user=42&token=ancien") + "]]";
        var oldFiles = Directory.GetFiles(Path.Combine(database.DataDirectory, "keys"), "*.xml").Select(f => Path.GetFileNameWithoutExtension(f)).ToArray();
        Assert.That(oldFiles, Has.Length.EqualTo(1));

        await using var a = new MarketplaceFactory(database);
        _ = a.Server;
        Assert.That(a.Reveal(sealedBody), Does.EndWith("?user=42&token=ancien"), "the upgraded instance opens what the old keys sealed");
        Assert.That(await a.WithDbAsync(db => db.DataProtectionKeys.Select(k => k.FriendlyName).ToListAsync()), Is.EqualTo(oldFiles));

        // Another instance, whose data directory never had the keys, opens it too (from the database).
        await using var b = OtherInstance(a, "instance-b");
        Assert.That(b.Reveal(sealedBody), Does.EndWith("?user=42&token=ancien"));

        // Keys on disk are imported only into an empty key table: an instance with another old key ring adds nothing.
        var strayKeys = Path.Combine(database.DataDirectory, "instance-c", "keys");
        OldKeyRing(strayKeys).Protect("autre");
        await using var c = OtherInstance(a, "instance-c");
        Assert.That(c.Reveal(sealedBody), Does.EndWith("?user=42&token=ancien"));
        Assert.That(await c.WithDbAsync(db => db.DataProtectionKeys.Select(k => k.FriendlyName).ToListAsync()), Is.EqualTo(oldFiles));
    }

    /// <summary>A protector of the site's old on-disk key ring (the configuration before ADR 0034), creating its key.</summary>
    private static IDataProtector OldKeyRing(string directory)
    {
        var services = new ServiceCollection();
        services.AddDataProtection().SetApplicationName("Marketplace").PersistKeysToFileSystem(new DirectoryInfo(directory));
        return services.BuildServiceProvider().GetRequiredService<IDataProtectionProvider>().CreateProtector("Marketplace.OutboxSecrets.v1");
    }

    private static string Token(string page) =>
        Parser.ParseDocument(page).QuerySelector("form.stacked-form input[name=__RequestVerificationToken]")?.GetAttribute("value")
        ?? throw new AssertionException("no antiforgery token in the form");

    /// <summary>An HTTPS client whose cookies are plain values, so that a test can carry them from one instance to another.</summary>
    private sealed class RawBrowser(MarketplaceFactory factory) : IDisposable
    {
        private readonly HttpClient _http = factory.CreateClient(new WebApplicationFactoryClientOptions
        {
            AllowAutoRedirect = false, HandleCookies = false, BaseAddress = new Uri("https://localhost"),
        });

        public Dictionary<string, string> Cookies { get; init; } = new();

        public Task<(HttpResponseMessage Response, string Page)> GetAsync(string path) => SendAsync(new HttpRequestMessage(HttpMethod.Get, path));

        public Task<(HttpResponseMessage Response, string Page)> PostAsync(string path, string? token, Dictionary<string, string> fields)
        {
            if (token is not null) fields["__RequestVerificationToken"] = token;
            return SendAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) });
        }

        private async Task<(HttpResponseMessage, string)> SendAsync(HttpRequestMessage request)
        {
            if (Cookies.Count > 0) request.Headers.Add("Cookie", string.Join("; ", Cookies.Select(c => $"{c.Key}={c.Value}")));
            var response = await _http.SendAsync(request);
            if (response.Headers.TryGetValues("Set-Cookie", out var set))
                foreach (var cookie in set)
                {
                    var pair = cookie.Split(';')[0].Split('=', 2);
                    if (pair[1].Length == 0 || cookie.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase)) Cookies.Remove(pair[0]);
                    else Cookies[pair[0]] = pair[1];
                }
            return (response, await response.Content.ReadAsStringAsync());
        }

        public void Dispose() => _http.Dispose();
    }
}
