using Marketplace.Tests.Support;
using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Infrastructure.Cli;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

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
        Assert.That(output, Does.Match(@"Index reconstruit: \d+ fiches publiées"));
    }
}
