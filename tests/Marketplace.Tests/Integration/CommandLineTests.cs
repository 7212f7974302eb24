using Marketplace.Tests.Support;
using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Infrastructure.Cli;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Tests.Integration;

/// <summary>The operator's commands, run against a real database of each provider.</summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class CommandLineTests(DatabaseProvider provider)
{
    private MarketplaceFactory _factory = null!;

    [OneTimeSetUp]
    public async Task Start() => _factory = await MarketplaceFactory.StartAsync(provider);

    [OneTimeTearDown]
    public async Task Stop() => await _factory.DisposeAsync();

    private async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        var code = await CommandLine.RunAsync(_factory.Services, args, output, CancellationToken.None);
        return (code, output.ToString());
    }

    [Test]
    public async Task Help_lists_the_commands()
    {
        var (code, output) = await RunAsync("help");
        Assert.That(code, Is.Zero);
        Assert.That(output, Does.Contain("migrate").And.Contain("seed [--synthetic N]").And.Contain("reindex"));
    }

    [Test]
    public async Task An_unknown_command_fails_with_help()
    {
        var (code, output) = await RunAsync("frobnicate");
        Assert.That(code, Is.EqualTo(2));
        Assert.That(output, Does.Contain("Commande inconnue"));
    }

    [Test]
    public async Task Seeding_again_adds_nothing_and_synthetic_providers_become_searchable()
    {
        var before = await _factory.WithDbAsync(db => db.Providers.CountAsync());
        var (code, output) = await RunAsync("seed", "--synthetic", "25");
        Assert.That(code, Is.Zero, output);
        Assert.That(output, Does.Contain("0 fournisseurs ajoutés").And.Contain("25 fournisseurs synthétiques"));
        var after = await _factory.WithDbAsync(db => db.Providers.CountAsync(p => p.Origin == DataOrigin.Synthetic));
        Assert.That(after, Is.EqualTo(25));
        Assert.That(await _factory.WithDbAsync(db => db.Providers.CountAsync()), Is.EqualTo(before + 25));

        using var client = _factory.CreateClient();
        var slugs = await client.SlugsAsync("q=synthetique");
        Assert.That(slugs.Count(s => s.StartsWith("synthetique-")), Is.EqualTo(25));
    }

    [Test]
    public async Task Bad_arguments_are_refused_with_a_message()
    {
        var (code, output) = await RunAsync("seed", "--synthetic", "beaucoup");
        Assert.That(code, Is.EqualTo(1));
        Assert.That(output, Does.Contain("argument inattendu"));
    }

    [Test]
    public async Task Reindex_and_migrate_succeed_on_a_live_database()
    {
        var (migrateCode, _) = await RunAsync("migrate");
        var (code, output) = await RunAsync("reindex");
        Assert.That(migrateCode, Is.Zero);
        Assert.That(code, Is.Zero);
        Assert.That(output, Does.Match(@"Reconstruction de l'index demandée: \d+ fiches publiées"));
    }

    [Test]
    public async Task Users_add_creates_an_admin_with_a_one_time_link_that_sets_the_password()
    {
        var email = $"admin-{provider.ToString().ToLowerInvariant()}@exemple.invalid";
        var (code, output) = await RunAsync("users", "add", "--email", email, "--role", "admin", "--name", "Alex");
        Assert.That(code, Is.Zero, output);
        var link = output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("http", StringComparison.Ordinal));
        Assert.That(link, Does.Contain("/fr/compte/definir-mot-de-passe?user="));
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(new Uri(link).Query);

        // Adding again changes nothing but gives a fresh link.
        Assert.That((await RunAsync("users", "add", "--email", email, "--role", "admin")).Code, Is.Zero);

        var (listCode, list) = await RunAsync("users", "list");
        Assert.That(listCode, Is.Zero);
        Assert.That(list.Split('\n').Single(l => l.StartsWith(email)), Does.Contain("Admin,Curator"));

        await _factory.WithScopeAsync(async sp =>
        {
            var users = sp.GetRequiredService<Microsoft.AspNetCore.Identity.UserManager<Marketplace.Web.Domain.Accounts.MarketplaceUser>>();
            var user = await users.FindByIdAsync(query["user"]!);
            Assert.That(user, Is.Not.Null);
            var weak = await users.ResetPasswordAsync(user!, query["token"]!, "motdepasse123");
            Assert.That(weak.Succeeded, Is.False, "a common password is refused");
            var reset = await users.ResetPasswordAsync(user!, query["token"]!, "une phrase de passe assez longue");
            Assert.That(reset.Succeeded, Is.True, string.Join(", ", reset.Errors.Select(e => e.Code)));
            Assert.That((await users.ResetPasswordAsync(user!, query["token"]!, "une autre phrase de passe")).Succeeded, Is.False,
                "the link works once");
        });
    }

    [TestCase("users", "add", "--email", "x@exemple.invalid", "--role", "pirate")]
    [TestCase("users", "add", "--email", "pas-une-adresse", "--role", "curator")]
    [TestCase("users", "supprimer")]
    public async Task Users_refuses_bad_arguments_with_exit_code_1(params string[] args)
    {
        var (code, output) = await RunAsync(args);
        Assert.That(code, Is.EqualTo(1), output);
        Assert.That(output, Does.StartWith("Erreur / error"));
    }

    [Test]
    public async Task Jobs_run_digest_on_the_seed_data_writes_a_nonprofit_and_a_provider_digest_as_eml_files()
    {
        var (code, output) = await RunAsync("jobs", "run", "digest", "--period", "2030-W01");
        Assert.That(code, Is.Zero, output);
        Assert.That(output, Does.Contain("période / period 2030-W01").And.Contain("envoyés / sent 3"));
        var digests = Directory.GetFiles(Path.Combine(_factory.Database.DataDirectory, "mail"), "*.eml").Select(Mailbox.Read)
            .Where(m => m.Headers.ContainsKey("List-Unsubscribe") && m.Subject.Contains(Mailbox.Week("2030-W01"))).ToList();
        Assert.That(digests.Count(m => System.Text.RegularExpressions.Regex.IsMatch(m.Subject, @"nouveaux? fournisseurs? pour vos demandes")), Is.EqualTo(2), "the two fictional nonprofits");
        Assert.That(digests.Count(m => System.Text.RegularExpressions.Regex.IsMatch(m.Subject, @"nouvelles? demandes? correspond")), Is.EqualTo(1), "the fictional provider");
        Assert.That(digests.Select(m => m.Headers["Content-Language"]).Distinct(), Is.EqualTo(new[] { "fr-CA" }));
        Assert.That(digests[0].Text, Does.Contain("vie-privee@panier.invalid"), "whom to ask about personal information");

        var (again, againOutput) = await RunAsync("jobs", "run", "digest", "--period", "2030-W01");
        Assert.That(again, Is.Zero, againOutput);
        Assert.That(againOutput, Does.Contain("envoyés maintenant / sent now 0"));
        var (bad, badOutput) = await RunAsync("jobs", "run", "digest", "--period", "2030-53");
        Assert.That((bad, badOutput.Contains("2026-W47")), Is.EqualTo((1, true)));
    }
}
