using Marketplace.Tests.Support;
using Marketplace.Web.Domain.Taxonomy;
using Marketplace.Web.Infrastructure.Seeding;

namespace Marketplace.Tests.Unit;

/// <summary>The thesaurus shipped in seed-data/synonymes.txt (issue 13): enough groups, each one a group curators could save.</summary>
public sealed class ThesaurusSeedTests
{
    private static IReadOnlyList<SeedSynonymGroup> Groups() =>
        SeedFiles.ReadThesaurus(File.ReadAllLines(Path.Combine(MarketplaceFactory.RepositoryRoot, "seed-data", SeedFiles.ThesaurusFile)));

    [Test]
    public void The_seed_thesaurus_has_at_least_45_groups_each_valid_as_curators_would_save_it()
    {
        var groups = Groups();
        Assert.That(groups, Has.Count.GreaterThanOrEqualTo(45));
        foreach (var group in groups)
            Assert.DoesNotThrow(() => _ = new SynonymGroup(group.Alternatives, DateTimeOffset.UnixEpoch), $"line {group.Line}");
    }

    [Test]
    public void No_alternative_belongs_to_two_groups()
    {
        var seen = new Dictionary<string, int>();
        foreach (var group in Groups())
            foreach (var alternative in group.Alternatives)
            {
                var key = Fold(alternative);
                Assert.That(seen.TryAdd(key, group.Line), Is.True,
                    $"« {alternative} » is on line {group.Line} and on line {seen.GetValueOrDefault(key)}");
            }
    }

    private static string Fold(string text) =>
        new string(text.Normalize(System.Text.NormalizationForm.FormD)
            .Where(c => System.Globalization.CharUnicodeInfo.GetUnicodeCategory(c) != System.Globalization.UnicodeCategory.NonSpacingMark)
            .ToArray()).ToLowerInvariant();
}
