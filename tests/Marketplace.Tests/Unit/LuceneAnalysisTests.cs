using Marketplace.Web.Infrastructure.Search;

namespace Marketplace.Tests.Unit;

/// <summary>The analyzer chains of docs/search.md, word by word.</summary>
public sealed class LuceneAnalysisTests
{
    private static readonly Lucene.Net.Analysis.Analyzer Analyzer = LuceneFields.CreateAnalyzer();

    private static string[] Terms(string field, string text) =>
        LuceneFields.Tokens(Analyzer, field, text).Select(t => t.Term).ToArray();

    [TestCase("loi25", new[] { "loi", "25" })]
    [TestCase("Loi 25", new[] { "loi", "25" })]
    [TestCase("l'Ordinateur RÉEMPLOI", new[] { "ordinateur", "reemploi" })]
    [TestCase("d’équipement", new[] { "equipement" })]
    [TestCase("2FA", new[] { "2", "fa" })]
    public void The_plain_field_splits_letters_from_digits_folds_accents_and_drops_elisions(string text, string[] expected)
    {
        Assert.That(Terms(LuceneFields.AllPlain, text), Is.EqualTo(expected));
    }

    [Test]
    public void The_french_field_stems_singular_and_plural_alike_and_drops_stop_words()
    {
        Assert.That(Terms(LuceneFields.DescriptionFr, "ordinateurs reconditionnés"), Is.EqualTo(Terms(LuceneFields.DescriptionFr, "ordinateur reconditionné")));
        Assert.That(Terms(LuceneFields.DescriptionFr, "audits numériques"), Is.EqualTo(Terms(LuceneFields.DescriptionFr, "audit numérique")));
        Assert.That(Terms(LuceneFields.DescriptionFr, "la formation des bénévoles"), Has.Length.EqualTo(2));
    }

    [Test]
    public void The_english_field_stems_english_words()
    {
        Assert.That(Terms(LuceneFields.DescriptionEn, "refurbished computers"), Is.EqualTo(Terms(LuceneFields.DescriptionEn, "refurbish computer")));
    }

    [Test]
    public void A_run_of_typed_words_equal_to_a_thesaurus_alternative_is_read_as_its_group()
    {
        var thesaurus = new Thesaurus([["Loi 25", "renseignements personnels"], ["CRM", "gestion des membres"], ["ordinateur", "computer"]]);
        var tokens = Thesaurus.Keys("formation loi25 gestion des membres ordinateurs");
        Assert.That(thesaurus.LongestAt(tokens, 1), Is.EqualTo(((int, int)?)(0, 2)));
        Assert.That(thesaurus.LongestAt(tokens, 3), Is.EqualTo(((int, int)?)(1, 3)));
        Assert.That(thesaurus.LongestAt(tokens, 0), Is.Null);
        Assert.That(thesaurus.LongestAt(tokens, 6), Is.EqualTo(((int, int)?)(2, 1)), "plural meets singular");
    }

    [TestCase("formaton", "formation", 1)]
    [TestCase("fromation", "formation", 1)]
    [TestCase("cybersecurite", "cybersecurite", 0)]
    public void Spelling_distance_counts_a_transposition_as_one_edit(string a, string b, int expected)
    {
        Assert.That(SpellingSuggestions.Distance(a, b), Is.EqualTo(expected));
    }
}
