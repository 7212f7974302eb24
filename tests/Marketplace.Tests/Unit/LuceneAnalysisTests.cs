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

    /// <summary>The filter the chains lowercase with gives Lucene's own filter's terms, character for character.</summary>
    [Test]
    public void Lowercasing_gives_the_terms_of_lucenes_own_filter_for_every_character()
    {
        // Every character of the Basic Multilingual Plane outside surrogates, in words of 64, and words with surrogate
        // pairs (Deseret, Osage capitals), lone surrogates and accented capitals around them.
        var words = Enumerable.Range(0, char.MaxValue + 1).Where(c => !char.IsSurrogate((char)c)).Select(c => (char)c)
            .Chunk(64).Select(chunk => new string(chunk))
            .Concat(["\U00010400\U00010401ÉCOLE", "ÀB\U000104B0c", "A\uD800B", "É\uDC00", "\U0001D400X", "İSTANBUL ΣΑΣ Ǆ ǅ"])
            .ToArray();
        foreach (var word in words)
        {
            Assert.That(Lowered(word, s => new InvariantLowerCaseFilter(s)),
                Is.EqualTo(Lowered(word, s => new Lucene.Net.Analysis.Core.LowerCaseFilter(LuceneFields.Version, s))),
                $"« {word} »");
        }

        static string Lowered(string word, Func<Lucene.Net.Analysis.TokenStream, Lucene.Net.Analysis.TokenStream> filter)
        {
            using var stream = filter(new Lucene.Net.Analysis.Core.KeywordTokenizer(new StringReader(word)));
            var term = stream.AddAttribute<Lucene.Net.Analysis.TokenAttributes.ICharTermAttribute>();
            stream.Reset();
            Assert.That(stream.IncrementToken(), Is.True);
            var lowered = term.ToString();
            stream.End();
            return lowered;
        }
    }
}
