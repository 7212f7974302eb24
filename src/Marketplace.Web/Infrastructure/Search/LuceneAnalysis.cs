using Lucene.Net.Analysis;
using Lucene.Net.Analysis.En;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.Fr;
using Lucene.Net.Analysis.Miscellaneous;
using Lucene.Net.Analysis.Standard;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Analysis.Util;
using Lucene.Net.Util;

namespace Marketplace.Web.Infrastructure.Search;

/// <summary>
/// The fields of a provider's document in the Lucene index and the analyzer of each (docs/search.md). Three chains:
/// <list type="bullet">
/// <item>French (<c>*_fr</c>): letter-digit split, standard tokenizer, elision (l', d', qu'…), lower case, French stop
/// words, accent folding, light French stemming (measured against the minimal stemmer with the judged set).</item>
/// <item>English (<c>*_en</c>): possessives off, lower case, English stop words, accent folding, Porter stemming.</item>
/// <item>Plain (<c>*_plain</c>): the same words unstemmed and accent-folded, no stop words: prefixes while typing,
/// spelling suggestions and the approximate fallback read this one.</item>
/// </list>
/// </summary>
public static class LuceneFields
{
    public const LuceneVersion Version = LuceneVersion.LUCENE_48;

    /// <summary>Bumped whenever a chain or a field changes: an index written with another schema is rebuilt at start.</summary>
    public const string Schema = "4";

    // Nothing is stored: a card's passage is taken from the text the page reads with its cards (CardPassages).
    public const string Id = "id";             // string: the provider id, to replace or delete a document
    public const string ProviderId = "pid";    // numeric doc values: the provider of every hit
    public const string NameFr = "name_fr";
    public const string NameEn = "name_en";
    public const string NamePlain = "name_plain";
    public const string CategoriesFr = "cat_fr";
    public const string CategoriesEn = "cat_en";
    public const string OfferingsFr = "off_fr";
    public const string OfferingsEn = "off_en";
    public const string DescriptionFr = "desc_fr";
    public const string DescriptionEn = "desc_en";
    public const string CategoryNotesFr = "catnote_fr"; // what the provider's categories mean (taxonomy definitions)
    public const string CategoryNotesEn = "catnote_en";
    public const string AllPlain = "all_plain";    // every word of the document, unstemmed

    /// <summary>The French stemmers one can choose (<see cref="MarketplaceOptions.SearchFrenchStemmer"/>).</summary>
    public const string LightStemmer = "light";
    public const string MinimalStemmer = "minimal";

    /// <summary>The analyzer of every field, for the writer, the query builder and the highlighter alike.</summary>
    public static Analyzer CreateAnalyzer(string frenchStemmer = LightStemmer)
    {
        var light = frenchStemmer switch
        {
            LightStemmer => true,
            MinimalStemmer => false,
            _ => throw new InvalidOperationException($"Marketplace:SearchFrenchStemmer is « {frenchStemmer} »: light or minimal."),
        };
        return new PerFieldAnalyzerWrapper(new PlainAnalyzer(), new Dictionary<string, Analyzer>
        {
            [NameFr] = new FrenchTextAnalyzer(light),
            [CategoriesFr] = new FrenchTextAnalyzer(light),
            [OfferingsFr] = new FrenchTextAnalyzer(light),
            [DescriptionFr] = new FrenchTextAnalyzer(light),
            [CategoryNotesFr] = new FrenchTextAnalyzer(light),
            [NameEn] = new EnglishTextAnalyzer(),
            [CategoriesEn] = new EnglishTextAnalyzer(),
            [OfferingsEn] = new EnglishTextAnalyzer(),
            [DescriptionEn] = new EnglishTextAnalyzer(),
            [CategoryNotesEn] = new EnglishTextAnalyzer(),
        });
    }

    /// <summary>The tokens an analyzer makes of a text, with their positions (stop words leave gaps).</summary>
    public static List<(string Term, int Position)> Tokens(Analyzer analyzer, string field, string text)
    {
        var tokens = new List<(string, int)>();
        using var stream = analyzer.GetTokenStream(field, text);
        var term = stream.AddAttribute<ICharTermAttribute>();
        var increment = stream.AddAttribute<IPositionIncrementAttribute>();
        stream.Reset();
        var position = -1;
        while (stream.IncrementToken())
        {
            position += increment.PositionIncrement;
            tokens.Add((term.ToString(), position));
        }
        stream.End();
        return tokens;
    }

    /// <summary>
    /// « loi25 » is « loi 25 », « 2fa » is « 2 fa »: words split where letters meet digits (and nowhere else: case changes
    /// and the parts of a word the tokenizer kept whole stay as they are).
    /// </summary>
    internal static TokenStream SplitLettersAndDigits(TokenStream stream) =>
        new WordDelimiterFilter(Version, stream,
            WordDelimiterFlags.GENERATE_WORD_PARTS | WordDelimiterFlags.GENERATE_NUMBER_PARTS | WordDelimiterFlags.SPLIT_ON_NUMERICS, null);

    /// <summary>French and English stop words, removed from plain terms of a query (the plain field keeps them).</summary>
    public static CharArraySet QueryStopWords { get; } = BuildStopWords();

    private static CharArraySet BuildStopWords()
    {
        var set = new CharArraySet(Version, 200, ignoreCase: true);
        foreach (var word in FrenchAnalyzer.DefaultStopSet) set.Add(word);
        foreach (var word in EnglishAnalyzer.DefaultStopSet) set.Add(word);
        // Folded forms of the accented French stop words (« à », « été ») and the elided letters.
        foreach (var word in new[] { "a", "ete", "etre", "meme", "l", "d", "j", "m", "n", "s", "t", "c", "qu" }) set.Add(word);
        return set;
    }

    internal static readonly CharArraySet Elisions = new(Version,
        ["l", "m", "t", "qu", "n", "s", "j", "d", "c", "jusqu", "quoiqu", "lorsqu", "puisqu"], ignoreCase: true);
}

/// <summary>French chain: see <see cref="LuceneFields"/>.</summary>
public sealed class FrenchTextAnalyzer(bool lightStemming = true) : Analyzer
{
    protected override TokenStreamComponents CreateComponents(string fieldName, TextReader reader)
    {
        var source = new StandardTokenizer(LuceneFields.Version, reader);
        TokenStream stream = new ElisionFilter(source, LuceneFields.Elisions);
        stream = LuceneFields.SplitLettersAndDigits(stream);
        stream = new InvariantLowerCaseFilter(stream);
        stream = new StopFilter(LuceneFields.Version, stream, FrenchAnalyzer.DefaultStopSet);
        stream = new ASCIIFoldingFilter(stream);
        stream = lightStemming ? new FrenchLightStemFilter(stream) : new FrenchMinimalStemFilter(stream);
        return new TokenStreamComponents(source, stream);
    }
}

/// <summary>English chain: see <see cref="LuceneFields"/>.</summary>
public sealed class EnglishTextAnalyzer : Analyzer
{
    protected override TokenStreamComponents CreateComponents(string fieldName, TextReader reader)
    {
        var source = new StandardTokenizer(LuceneFields.Version, reader);
        TokenStream stream = new EnglishPossessiveFilter(LuceneFields.Version, source);
        stream = LuceneFields.SplitLettersAndDigits(stream);
        stream = new InvariantLowerCaseFilter(stream);
        stream = new StopFilter(LuceneFields.Version, stream, EnglishAnalyzer.DefaultStopSet);
        stream = new ASCIIFoldingFilter(stream);
        stream = new PorterStemFilter(stream);
        return new TokenStreamComponents(source, stream);
    }
}

/// <summary>
/// The thesaurus' matching key: the plain chain with French minimal stemming (plural and feminine endings), so that
/// « ordinateurs reconditionnés » meets the alternatives « ordinateur » and « reconditionné ». Never indexed.
/// </summary>
public sealed class ThesaurusKeyAnalyzer : Analyzer
{
    protected override TokenStreamComponents CreateComponents(string fieldName, TextReader reader)
    {
        var source = new StandardTokenizer(LuceneFields.Version, reader);
        TokenStream stream = new ElisionFilter(source, LuceneFields.Elisions);
        stream = LuceneFields.SplitLettersAndDigits(stream);
        stream = new InvariantLowerCaseFilter(stream);
        stream = new ASCIIFoldingFilter(stream);
        stream = new FrenchMinimalStemFilter(stream);
        return new TokenStreamComponents(source, stream);
    }
}

/// <summary>Plain chain: words as typed, lower case, accents folded, elision off; no stop words, no stemming.</summary>
public sealed class PlainAnalyzer : Analyzer
{
    protected override TokenStreamComponents CreateComponents(string fieldName, TextReader reader)
    {
        var source = new StandardTokenizer(LuceneFields.Version, reader);
        TokenStream stream = new ElisionFilter(source, LuceneFields.Elisions);
        stream = LuceneFields.SplitLettersAndDigits(stream);
        stream = new InvariantLowerCaseFilter(stream);
        stream = new ASCIIFoldingFilter(stream);
        return new TokenStreamComponents(source, stream);
    }
}

/// <summary>
/// Lucene's <see cref="LowerCaseFilter"/>, without its cost: Lucene.Net's lowercases each word by making a string of it and
/// asking the culture for its lower case (two strings and, for a word with an accent, a call into ICU per word). That was
/// 4–5 % of a text search's CPU, spent analyzing the page's texts for their passages (docs/benchmarks.md, issue 13).
/// Here a character of the Basic Multilingual Plane is read from a table built once from the same invariant mapping, so
/// the terms are the very same (tests compare both on every such character); a word with a surrogate pair goes the
/// span way, which maps code points as the string one does.
/// </summary>
public sealed class InvariantLowerCaseFilter : TokenFilter
{
    private static readonly char[] Lower = BuildTable();
    private readonly ICharTermAttribute _term;
    private char[] _scratch = [];

    public InvariantLowerCaseFilter(TokenStream input) : base(input) => _term = AddAttribute<ICharTermAttribute>();

    public override bool IncrementToken()
    {
        if (!m_input.IncrementToken()) return false;
        var buffer = _term.Buffer;
        var length = _term.Length;
        for (var i = 0; i < length; i++)
        {
            var c = buffer[i];
            if (char.IsSurrogate(c))
            {
                LowerBySpan(buffer, i, length);
                return true;
            }
            buffer[i] = Lower[c];
        }
        return true;
    }

    /// <summary>The rest of the word, from <paramref name="start"/>, the way strings are lowercased (by code point).</summary>
    private void LowerBySpan(char[] buffer, int start, int length)
    {
        var rest = length - start;
        if (_scratch.Length < rest) _scratch = new char[Math.Max(rest, 2 * _scratch.Length)];
        buffer.AsSpan(start, rest).ToLowerInvariant(_scratch);
        _scratch.AsSpan(0, rest).CopyTo(buffer.AsSpan(start));
    }

    private static char[] BuildTable()
    {
        var table = new char[char.MaxValue + 1];
        for (var c = 0; c <= char.MaxValue; c++) table[c] = char.IsSurrogate((char)c) ? (char)c : char.ToLowerInvariant((char)c);
        return table;
    }
}
