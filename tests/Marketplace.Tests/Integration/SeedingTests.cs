using System.Text.Json.Nodes;
using Marketplace.Tests.Support;
using Marketplace.Web.Infrastructure.Cli;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Tests.Integration;

/// <summary>
/// Issue 12, defect 10: a bad seed file is named with its record in one French/English line, the command exits with 1
/// (never a stack trace), nothing is written, and the site does not start on it; a good seed then loads as usual.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class SeedingTests(DatabaseProvider provider)
{
    private string _seeds = null!;

    [SetUp]
    public void CopySeedData()
    {
        _seeds = Directory.CreateTempSubdirectory("seed-data-").FullName;
        foreach (var file in Directory.GetFiles(Path.Combine(MarketplaceFactory.RepositoryRoot, "seed-data"), "*.json"))
            File.Copy(file, Path.Combine(_seeds, Path.GetFileName(file)));
    }

    [TearDown]
    public void DeleteSeedData() => Directory.Delete(_seeds, recursive: true);

    private void Edit(string file, Action<JsonNode> change)
    {
        var path = Path.Combine(_seeds, file);
        var json = JsonNode.Parse(File.ReadAllText(path), documentOptions: new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })!;
        change(json);
        File.WriteAllText(path, json.ToJsonString());
    }

    private async Task<(int Code, string Output, int Terms, int Providers, int Organizations)> SeedAsync(string seeds)
    {
        await using var factory = new MarketplaceFactory(await TestDatabases.CreateAsync(provider), settings: new Dictionary<string, string>
        {
            ["Marketplace:InitializeDatabaseOnStartup"] = "false", ["Marketplace:SeedDataDirectory"] = seeds,
        });
        using var output = new StringWriter();
        var code = await CommandLine.RunAsync(factory.Services, ["seed"], output, CancellationToken.None);
        var counts = await factory.WithDbAsync(async db => (await db.TaxonomyTerms.CountAsync(), await db.Providers.CountAsync(), await db.Organizations.CountAsync()));
        return (code, output.ToString(), counts.Item1, counts.Item2, counts.Item3);
    }

    private static void AssertRefusedWithNothingWritten((int Code, string Output, int Terms, int Providers, int Organizations) outcome, params string[] named)
    {
        Assert.That(outcome.Code, Is.EqualTo(1), outcome.Output);
        Assert.That(outcome.Output.Trim().Split('\n'), Has.Length.EqualTo(1), "one line, no stack trace");
        Assert.That(outcome.Output, Does.StartWith("Erreur / error: seed-data invalide, rien n'a été chargé / invalid seed data, nothing was loaded:"));
        foreach (var part in named) Assert.That(outcome.Output, Does.Contain(part));
        Assert.That((outcome.Terms, outcome.Providers, outcome.Organizations), Is.EqualTo((0, 0, 0)), "nothing is written: no half-seeded database");
    }

    [Test]
    public async Task A_truncated_json_file_is_named_and_nothing_is_loaded()
    {
        var path = Path.Combine(_seeds, "providers.json");
        var text = await File.ReadAllTextAsync(path);
        await File.WriteAllTextAsync(path, text[..(text.Length / 2)]);
        AssertRefusedWithNothingWritten(await SeedAsync(_seeds), "providers.json", "JSON invalide / invalid JSON", "ligne / line");
    }

    [Test]
    public async Task A_missing_required_value_is_named_with_its_place_in_the_file()
    {
        Edit("providers.json", json => json["providers"]![3]!["name"] = null);
        AssertRefusedWithNothingWritten(await SeedAsync(_seeds), "providers.json", "$.providers[3].name");
    }

    [Test]
    public async Task A_bad_provider_record_is_named_and_no_term_is_left_behind()
    {
        Edit("providers.json", json =>
        {
            var last = json["providers"]!.AsArray()[^1]!;
            last["offerings"]![0]!["category"] = "categorie-inconnue";
        });
        var slug = JsonNode.Parse(File.ReadAllText(Path.Combine(_seeds, "providers.json")))!["providers"]!.AsArray()[^1]!["slug"]!.GetValue<string>();
        AssertRefusedWithNothingWritten(await SeedAsync(_seeds), "providers.json", $"« {slug} »", "categorie-inconnue");
    }

    [Test]
    public async Task A_bad_request_of_a_demonstration_nonprofit_leaves_no_provider_behind()
    {
        string title = "";
        Edit("nonprofits.json", json =>
        {
            var request = json["organizations"]!.AsArray()[^1]!["requests"]![0]!;
            request["delivery"] = "teleportation";
            title = request["title"]!.GetValue<string>();
        });
        AssertRefusedWithNothingWritten(await SeedAsync(_seeds), "nonprofits.json", $"« {title} »");
    }

    [Test]
    public async Task The_site_does_not_start_on_a_bad_seed_and_starts_seeded_once_it_is_fixed()
    {
        Edit("taxonomy.json", json => json["categories"]![0]!["labelFr"] = "");
        var database = await TestDatabases.CreateAsync(provider);
        try
        {
            // The real site, in its own process: one clear line, exit 1, nothing written.
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";
            var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(Path.Combine(MarketplaceFactory.RepositoryRoot, "src", "Marketplace.Web", "bin", configuration, "net10.0", "Marketplace.Web.dll"));
            foreach (var (key, value) in new Dictionary<string, string>
                     {
                         ["DOTNET_ENVIRONMENT"] = "Testing", ["ASPNETCORE_ENVIRONMENT"] = "Testing", ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
                         ["Database__Provider"] = provider.ToString(), ["ConnectionStrings__Marketplace"] = database.ConnectionString,
                         ["Marketplace__DataDirectory"] = database.DataDirectory, ["Marketplace__SeedDataDirectory"] = _seeds,
                         ["Email__BackgroundSender"] = "false", ["Jobs__Enabled"] = "false", ["Marketplace__ReverificationReminders"] = "false",
                     })
                start.Environment[key] = value;
            using var site = System.Diagnostics.Process.Start(start)!;
            var output = site.StandardOutput.ReadToEndAsync();
            var error = site.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await site.WaitForExitAsync(timeout.Token);
            Assert.That(site.ExitCode, Is.EqualTo(1), await output + await error);
            Assert.That((await error).Trim(), Is.EqualTo(
                "Erreur / error: seed-data invalide, rien n'a été chargé / invalid seed data, nothing was loaded: taxonomy.json, catégorie / category « loi-25 »: labelFr is required."));
            Assert.That(await output, Does.Not.Contain("   at "), "no stack trace");

            await using var good = new MarketplaceFactory(database, ownsDatabase: false);
            _ = good.Server; // the database was left empty, so this start loads the whole seed
            Assert.That(await good.WithDbAsync(db => db.Providers.CountAsync()), Is.GreaterThan(40));
            Assert.That(await good.WithDbAsync(db => db.TaxonomyTerms.CountAsync(t => t.LabelFr == "")), Is.Zero);
        }
        finally
        {
            await database.DisposeAsync();
        }
    }

    [Test]
    public async Task The_seed_of_the_repository_loads()
    {
        var (code, output, terms, providers, organizations) = await SeedAsync(Path.Combine(MarketplaceFactory.RepositoryRoot, "seed-data"));
        Assert.That(code, Is.Zero, output);
        Assert.That(terms, Is.GreaterThan(0));
        Assert.That(providers, Is.GreaterThan(40));
        Assert.That(organizations, Is.GreaterThan(0));
    }
}
