using System.Text;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Highlight;

namespace Marketplace.Web.Infrastructure.Search;

/// <summary>
/// The passages of a results page's cards, for one text query: for each listing's text (read by the page with its cards,
/// <see cref="TextDocument.FieldOf"/>), a short excerpt where the query matched, in the page's language first: offerings, then
/// description, then categories (and, on English pages, the French offerings and description after them). HTML-encoded;
/// matched words in &lt;mark&gt;. The index keeps no stored text for this: reading it back (decompressing a block of
/// stored fields per card) was a quarter of a text search's CPU (docs/benchmarks.md, issue 13).
/// </summary>
public sealed class CardPassages
{
    private static readonly string[] French = [LuceneFields.OfferingsFr, LuceneFields.DescriptionFr, LuceneFields.CategoriesFr];

    private static readonly string[] English =
        [LuceneFields.OfferingsEn, LuceneFields.DescriptionEn, LuceneFields.CategoriesEn, LuceneFields.OfferingsFr, LuceneFields.DescriptionFr];

    private readonly PassageMarker _marker;
    private readonly string[] _fields;
    private readonly IReadOnlyDictionary<string, CategoryText> _categories;

    /// <summary>
    /// For a query already rewritten by a searcher (a prefix or fuzzy word must already be its terms), and what the index
    /// holds (<paramref name="indexed"/>: whether a word is in a field of any listing).
    /// </summary>
    public CardPassages(Query rewritten, Analyzer analyzer, string language, IReadOnlyDictionary<string, CategoryText> categories, Func<Term, bool> indexed)
    {
        var fields = language == "en" ? English : French;
        _marker = new PassageMarker(rewritten, analyzer, fields, indexed);
        // A field none of whose words the index holds has no passage on any card: its text is neither put together nor read.
        _fields = fields.Where(_marker.Marks).ToArray();
        _categories = categories;
    }

    /// <summary>The passage that matched the most words of the query; on a tie, the first field in the page's order. Null when none did.</summary>
    public string? Of(ListingText listing)
    {
        PassageMarker.Passage? best = null;
        var bestWords = 0;
        foreach (var field in _fields)
        {
            if (_marker.Best(field, TextDocument.FieldOf(field, listing, _categories)) is not { } passage) continue;
            var words = passage.Words;
            if (words <= bestWords) continue;
            (best, bestWords) = (passage, words);
        }
        return best?.ToHtml();
    }
}

/// <summary>
/// The passage of a card's text where a query matched, the way Lucene's highlighter chooses it with a query-term scorer
/// and a simple fragmenter (passages of about <see cref="PassageLength"/> characters cut at words; the passage whose
/// distinct query words weigh most, the first one on a tie), written HTML-encoded with the matched words in &lt;mark&gt;.
/// Lucene's highlighter made an object per word of every text it read and wrote every passage of it: a page of 20
/// cards cost as much as the search itself (docs/search.md, what a search costs). This reads each text's words once,
/// without keeping them, and writes only the passage shown.
/// </summary>
public sealed class PassageMarker
{
    public const int PassageLength = 180;
    private const int MaxCharsRead = 20_000;

    private readonly Analyzer _analyzer;
    private readonly Dictionary<string, Dictionary<string, float>.AlternateLookup<ReadOnlySpan<char>>> _terms = new(StringComparer.Ordinal);

    /// <summary>
    /// For a query (rewritten: a prefix or fuzzy word must already be its terms) and the fields whose text may be shown.
    /// With <paramref name="indexed"/>, only the query's words the index holds in a field are looked for in it: a word no
    /// listing has in that field cannot be in a result's text (but for an edit the index has not applied yet, under a second).
    /// </summary>
    public PassageMarker(Query rewritten, Analyzer analyzer, IEnumerable<string> fields, Func<Term, bool>? indexed = null)
    {
        _analyzer = analyzer;
        foreach (var field in fields)
        {
            var weights = new Dictionary<string, float>(StringComparer.Ordinal);
            foreach (var term in QueryTermExtractor.GetTerms(rewritten, false, field))
                if ((!weights.TryGetValue(term.Term, out var weight) || weight < term.Weight) && (indexed is null || indexed(new Term(field, term.Term))))
                    weights[term.Term] = term.Weight;
            _terms[field] = weights.GetAlternateLookup<ReadOnlySpan<char>>();
        }
    }

    /// <summary>Whether the query has a word to look for in <paramref name="field"/>.</summary>
    public bool Marks(string field) => _terms.TryGetValue(field, out var terms) && terms.Dictionary.Count > 0;

    /// <summary>The best passage of a field's text: where it lies, its matched words (offsets), and how many distinct words it marks.</summary>
    public Passage? Best(string field, string text)
    {
        if (text.Length == 0 || !_terms.TryGetValue(field, out var terms) || terms.Dictionary.Count == 0) return null;
        using var stream = _analyzer.GetTokenStream(field, text);
        var term = stream.AddAttribute<ICharTermAttribute>();
        var offset = stream.AddAttribute<IOffsetAttribute>();
        stream.Reset();

        // One passage at a time: its start, the words matched in it and its score; the best one so far is kept.
        var passageStart = 0;
        var fragments = 1;
        var score = 0f;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var seenWord = seen.GetAlternateLookup<ReadOnlySpan<char>>();
        var marks = new List<(int Start, int End)>();
        Passage? best = null;
        var bestScore = 0f;
        var bestWords = 0;
        var groupStart = -1;
        var groupEnd = -1;
        var groupMatched = false;
        var lastEnd = 0;
        var any = false;

        while (stream.IncrementToken())
        {
            if (offset.StartOffset >= MaxCharsRead) break;
            var (start, end) = (offset.StartOffset, offset.EndOffset);
            if (any && start >= groupEnd)
            {
                // The word before is complete: it closes its group; this word may begin the next passage.
                Close();
                if (end >= PassageLength * fragments)
                {
                    fragments++;
                    Keep(lastEnd);
                    // A passage with every word of the query is as good as any later one can be, and comes first.
                    if (bestWords == terms.Dictionary.Count)
                    {
                        stream.End();
                        return best;
                    }
                    passageStart = lastEnd;
                    score = 0f;
                    seen.Clear();
                    marks = [];
                }
            }
            if (!any || start >= groupEnd) (groupStart, groupEnd, groupMatched) = (start, end, false);
            else groupEnd = Math.Max(groupEnd, end);
            any = true;
            var word = term.Buffer.AsSpan(0, term.Length);
            if (terms.TryGetValue(word, out var weight))
            {
                groupMatched = true;
                if (seenWord.Add(word)) score += weight;
            }
        }
        stream.End();
        if (any) Close();
        Keep(text.Length <= MaxCharsRead ? text.Length : lastEnd);
        return best;

        void Close()
        {
            if (groupMatched) marks.Add((groupStart, groupEnd));
            lastEnd = Math.Max(lastEnd, groupEnd);
        }

        void Keep(int passageEnd)
        {
            if (score > bestScore && marks.Count > 0)
            {
                (best, bestScore, bestWords) = (new Passage(text, passageStart, passageEnd, marks), score, seen.Count);
            }
        }
    }

    /// <summary>A passage of a text and its marked words.</summary>
    public sealed record Passage(string Text, int Start, int End, IReadOnlyList<(int Start, int End)> Marks)
    {
        /// <summary>How many different words it marks (letter case aside). A passage marks a few words: each is compared with those before it.</summary>
        public int Words
        {
            get
            {
                var words = 0;
                for (var i = 0; i < Marks.Count; i++)
                {
                    var word = Mark(i);
                    var before = false;
                    for (var j = 0; j < i && !before; j++) before = SameWord(word, Mark(j));
                    if (!before) words++;
                }
                return words;
            }
        }

        private ReadOnlySpan<char> Mark(int i) => Text.AsSpan(Marks[i].Start, Marks[i].End - Marks[i].Start);

        private static bool SameWord(ReadOnlySpan<char> a, ReadOnlySpan<char> b)
        {
            if (a.Length != b.Length) return false;
            for (var i = 0; i < a.Length; i++)
                if (char.ToLowerInvariant(a[i]) != char.ToLowerInvariant(b[i])) return false;
            return true;
        }

        /// <summary>The passage encoded, matched words in &lt;mark&gt;, with « … » where the text goes on before or after.</summary>
        public string ToHtml()
        {
            var (start, end) = (Start, End);
            while (start < end && char.IsWhiteSpace(Text[start])) start++;
            while (end > start && char.IsWhiteSpace(Text[end - 1])) end--;
            // Room for the passage, its marks, « … » each side and a few encoded characters: written without growing.
            const int Ellipses = 4, Encoded = 16;
            var html = new StringBuilder(end - start + Marks.Count * "<mark></mark>".Length + Ellipses + Encoded);
            if (!Text.AsSpan(0, start).IsWhiteSpace()) html.Append("… ");
            var at = start;
            foreach (var (markStart, markEnd) in Marks)
            {
                Encode(html, Text.AsSpan(at, markStart - at));
                html.Append("<mark>");
                Encode(html, Text.AsSpan(markStart, markEnd - markStart));
                html.Append("</mark>");
                at = markEnd;
            }
            Encode(html, Text.AsSpan(at, end - at));
            if (!Text.AsSpan(end).IsWhiteSpace()) html.Append(" …");
            return html.ToString();
        }

        /// <summary>Encodes the characters that make markup (&amp; &lt; &gt; " '), and only those: accents stay as they are.</summary>
        private static void Encode(StringBuilder html, ReadOnlySpan<char> text)
        {
            foreach (var c in text)
                _ = c switch
                {
                    '&' => html.Append("&amp;"),
                    '<' => html.Append("&lt;"),
                    '>' => html.Append("&gt;"),
                    '"' => html.Append("&quot;"),
                    '\'' => html.Append("&#39;"),
                    _ => html.Append(c),
                };
        }
    }
}
