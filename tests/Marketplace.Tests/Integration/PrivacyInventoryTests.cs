using System.Text.RegularExpressions;
using Marketplace.Tests.Support;
using Marketplace.Web.Features.Legal;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Tests.Integration;

/// <summary>
/// The privacy notice states nothing false by omission: every table of the database is filed in docs/privacy/inventory.md
/// under a category of the notice (or « aucun »), and every category used there is a heading of the notice, in French
/// and in English.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed partial class PrivacyInventoryTests(DatabaseProvider provider)
{
    private MarketplaceFactory _factory = null!;

    [OneTimeSetUp]
    public async Task Start() => _factory = await MarketplaceFactory.StartAsync(provider, new Dictionary<string, string> { ["Jobs:Enabled"] = "true" });

    [OneTimeTearDown]
    public async Task Stop() => await _factory.DisposeAsync();

    private static readonly string[] HangfireSqliteTables =
        ["AggregatedCounter", "Counter", "DistributedLock", "Hash", "Job", "JobParameter", "JobQueue", "List", "Server", "Set", "State"];

    private static Dictionary<string, string> Inventory() =>
        File.ReadAllLines(Path.Combine(MarketplaceFactory.RepositoryRoot, "docs", "privacy", "inventory.md"))
            .Select(line => Row().Match(line)).Where(m => m.Success)
            .ToDictionary(m => m.Groups["table"].Value, m => m.Groups["category"].Value.Trim());

    [GeneratedRegex(@"^\| `(?<table>[^`]+)` \| (?<category>[^|]+) \|")]
    private static partial Regex Row();

    private static bool Filed(Dictionary<string, string> inventory, string table) =>
        inventory.ContainsKey(table) || inventory.Keys.Any(k => k.EndsWith('*') && table.StartsWith(k[..^1], StringComparison.OrdinalIgnoreCase));

    [Test]
    public async Task Every_table_of_the_database_is_in_the_inventory_and_every_inventoried_table_exists()
    {
        var inventory = Inventory();
        var tables = await _factory.TablesAsync();
        // Hangfire's tables (ADR 0031) are filed once, as `hangfire.*`: on PostgreSQL they are the schema hangfire, on SQLite the
        // library's own names in the site's file.
        var hangfire = provider == DatabaseProvider.Sqlite
            ? tables.Where(HangfireSqliteTables.Contains).ToList()
            : await _factory.WithDbAsync(db => db.Database.SqlQueryRaw<string>(
                "SELECT table_name AS \"Value\" FROM information_schema.tables WHERE table_schema = 'hangfire' AND table_type = 'BASE TABLE'").ToListAsync());
        Assert.That(hangfire, Is.Not.Empty, "Hangfire runs in this test (Jobs:Enabled=true)");
        tables = [.. tables.Except(hangfire), .. hangfire.Select(t => $"hangfire.{t}")];
        Assert.That(tables.Where(t => !Filed(inventory, t)), Is.Empty, "tables missing from docs/privacy/inventory.md");
        Assert.That(inventory.Keys.Where(k => !k.EndsWith('*') && !tables.Contains(k)), Is.Empty, "inventoried tables that do not exist");
    }

    [TestCase("/fr/confidentialite")]
    [TestCase("/en/privacy")]
    public async Task Every_category_of_the_inventory_is_named_by_the_notice(string path)
    {
        var used = Inventory().Values.Where(c => c != "aucun").Distinct().ToArray();
        Assert.That(used, Is.SubsetOf(PrivacyCategories.All));
        using var browsing = new Browsing(_factory);
        var (_, page) = await browsing.GetAsync(path);
        foreach (var category in used)
        {
            var heading = page.QuerySelector($"h3#cat-{category}");
            Assert.That(heading?.TextContent, Is.Not.Null.And.Not.Empty, $"category « {category} » on {path}");
            Assert.That(heading!.NextElementSibling?.TextContent, Is.Not.Null.And.Not.Empty);
        }
    }
}
