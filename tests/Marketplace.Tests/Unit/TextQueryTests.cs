using Marketplace.Web.Infrastructure.Search;

namespace Marketplace.Tests.Unit;

public sealed class TextQueryTests
{
    [TestCase("Conformité", "conformite")]
    [TestCase("ŒUVRE", "oeuvre")]
    [TestCase("  Loi   25 !", "loi 25")]
    [TestCase("l'économie-sociale", "l economie sociale")]
    [TestCase("Reconditionnés", "reconditionnes")]
    public void Normalize_lowercases_and_removes_accents_and_punctuation(string input, string expected) =>
        Assert.That(TextQuery.Normalize(input), Is.EqualTo(expected));

    [Test]
    public void Stop_words_and_duplicates_are_dropped()
    {
        Assert.That(TextQuery.Terms("la formation de la formation et du personnel"), Is.EqualTo(new[] { "formation", "personnel" }));
        Assert.That(TextQuery.Terms("de la et"), Is.Empty);
        Assert.That(TextQuery.Terms("   "), Is.Empty);
    }

    [Test]
    public void At_most_eight_terms_are_kept() =>
        Assert.That(TextQuery.Terms("un1 deux trois quatre cinq six sept huit neuf dix"), Has.Count.EqualTo(TextQuery.MaxTerms));

    [TestCase("formations", "formation")]
    [TestCase("reconditionnees", "reconditionne")]
    [TestCase("reconditionnes", "reconditionn")]
    [TestCase("conformite", "conformit")]
    [TestCase("loi", "loi")]
    [TestCase("25", "25")]
    public void The_light_stem_is_a_prefix_shared_by_singular_and_plural(string term, string prefix) =>
        Assert.That(TextQuery.Prefixes(term)[0], Is.EqualTo(prefix));

    [Test]
    public void Aux_plurals_also_match_their_al_singular() =>
        Assert.That(TextQuery.Prefixes("locaux"), Does.Contain("local"));

    [Test]
    public void Every_form_of_a_word_shares_the_stem_of_its_plural()
    {
        foreach (var (plural, singular) in new[] { ("formations", "formation"), ("ordinateurs", "ordinateur"), ("conformites", "conformite"), ("reconditionnees", "reconditionne") })
            Assert.That(TextQuery.Prefixes(plural).Any(p => singular.StartsWith(p, StringComparison.Ordinal)), $"{plural} → {singular}");
    }
}
