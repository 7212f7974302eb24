using System.Collections.Concurrent;
using Lucene.Net.Analysis;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace Marketplace.Web.Infrastructure.Search;

/// <summary>
/// The thesaurus as the query builder reads it: every alternative of every group as its plain tokens, so that a run of
/// typed words equal to an alternative is read as the whole group (docs/search.md, synonyms).
/// </summary>
public sealed class Thesaurus
{
    private readonly Dictionary<string, List<(string[] Tokens, int Group)>> _byFirstToken = new(StringComparer.Ordinal);
    private static readonly Analyzer KeyAnalyzer = new ThesaurusKeyAnalyzer();

    /// <summary>The matching keys of a text's words (one per word of the plain chain, in order).</summary>
    public static IReadOnlyList<string> Keys(string text) =>
        LuceneFields.Tokens(KeyAnalyzer, LuceneFields.AllPlain, text).Select(t => t.Term).ToArray();

    public Thesaurus(IEnumerable<IReadOnlyList<string>> groups)
    {
        var list = groups.ToList();
        Groups = list;
        for (var g = 0; g < list.Count; g++)
            foreach (var alternative in list[g])
            {
                var tokens = Keys(alternative).ToArray();
                if (tokens.Length == 0) continue;
                if (!_byFirstToken.TryGetValue(tokens[0], out var entries)) _byFirstToken[tokens[0]] = entries = [];
                entries.Add((tokens, g));
            }
        foreach (var entries in _byFirstToken.Values) entries.Sort((a, b) => b.Tokens.Length.CompareTo(a.Tokens.Length));
    }

    public IReadOnlyList<IReadOnlyList<string>> Groups { get; }

    /// <summary>The longest alternative starting at <paramref name="start"/> of <paramref name="tokens"/> (matching keys): its group and how many tokens it covers.</summary>
    public (int Group, int Length)? LongestAt(IReadOnlyList<string> tokens, int start)
    {
        if (!_byFirstToken.TryGetValue(tokens[start], out var entries)) return null;
        foreach (var (alternative, group) in entries)
        {
            if (start + alternative.Length > tokens.Count) continue;
            var same = true;
            for (var i = 1; i < alternative.Length && same; i++) same = tokens[start + i] == alternative[i];
            if (same) return (group, alternative.Length);
        }
        return null;
    }
}

/// <summary>What a search's free text becomes: the Lucene query, its approximate twin, and the words typed.</summary>
public sealed record TextQueryPlan(Query Query, Query? Approximate, IReadOnlyList<string> Tokens, IReadOnlyList<string> SpellChecked)
{
    public const int MaxClauses = 8;
}

/// <summary>
/// Builds the query of a free text (docs/search.md). Each typed word, or each run of words that is an alternative of
/// the thesaurus, is one required clause: the best of its fields (name over categories over offerings over
/// description, French and English) and the exact name; for the last word, a prefix (the person may still be typing),
/// unless it is a long word the index holds: its other forms come from the stemmed fields. A phrase clause over the whole text rewards the words found together. The
/// approximate twin also accepts words one or two edits away, for when nothing matches as typed.
/// Every clause a hit matches costs scoring time: the plain field (all the words, unstemmed) is only read for
/// prefixes, fuzzy words and spelling, since the stemmed fields already match every word it holds (docs/search.md,
/// what a search costs).
/// </summary>
public sealed class LuceneQueryBuilder(Analyzer analyzer)
{
    private static readonly (string Field, float Boost)[] TextFields =
    [
        (LuceneFields.NameFr, 6f), (LuceneFields.NameEn, 5f),
        (LuceneFields.CategoriesFr, 3f), (LuceneFields.CategoriesEn, 3f),
        (LuceneFields.OfferingsFr, 1.5f), (LuceneFields.OfferingsEn, 1.5f),
        (LuceneFields.DescriptionFr, 1f), (LuceneFields.DescriptionEn, 1f),
        (LuceneFields.CategoryNotesFr, 0.5f), (LuceneFields.CategoryNotesEn, 0.5f),
    ];

    private const float NamePlainBoost = 6f;
    private const float ProximityBoost = 2f;
    private const int ProximitySlop = 3;
    public const int FinishedWordLength = 6;

    /// <summary>The words of a text as the plain field reads them: what a search's matches are kept under.</summary>
    public IReadOnlyList<string> Words(string? text) =>
        string.IsNullOrWhiteSpace(text) ? [] : LuceneFields.Tokens(analyzer, LuceneFields.AllPlain, text).Select(t => t.Term).ToArray();

    /// <summary>
    /// Null when the text holds no word worth searching (empty, only stop words or punctuation).
    /// <paramref name="indexed"/> says whether the index holds a word as typed: a last word it holds of at least
    /// <see cref="FinishedWordLength"/> letters is taken as finished (« formation » need not also read every word starting
    /// with it); a shorter one (« ordi ») or an unknown one (« quixo ») is also a prefix. Without it, every last word is.
    /// </summary>
    public TextQueryPlan? Build(string? text, Thesaurus thesaurus, Func<string, bool>? indexed = null)
    {
        var all = Words(text).ToList();
        if (all.Count == 0) return null;
        var keys = Thesaurus.Keys(text!);
        if (keys.Count != all.Count) keys = all; // the two chains split words alike; never mismatch positions

        var clauses = new List<(Query Exact, Query Approximate)>();
        var spellChecked = new List<string>();
        var words = new List<string>();
        for (var i = 0; i < all.Count && clauses.Count < TextQueryPlan.MaxClauses;)
        {
            var isLast = i == all.Count - 1;
            if (thesaurus.LongestAt(keys, i) is { } concept)
            {
                var q = ConceptClause(thesaurus.Groups[concept.Group]);
                clauses.Add((q, q));
                words.AddRange(all.Skip(i).Take(concept.Length));
                i += concept.Length;
                continue;
            }
            var token = all[i++];
            if (LuceneFields.QueryStopWords.Contains(token)) continue;
            words.Add(token);
            spellChecked.Add(token);
            var prefix = isLast && !(token.Length >= FinishedWordLength && (indexed?.Invoke(token) ?? false));
            clauses.Add((WordClause(token, prefix, approximate: false), WordClause(token, prefix, approximate: true)));
        }
        if (clauses.Count == 0) return null;

        var exact = new BooleanQuery();
        var fuzzy = new BooleanQuery();
        foreach (var (e, a) in clauses)
        {
            exact.Add(e, Occur.MUST);
            fuzzy.Add(a, Occur.MUST);
        }
        if (words.Count >= 2 && Proximity(string.Join(' ', words)) is { } near)
        {
            exact.Add(near, Occur.SHOULD);
            fuzzy.Add(near, Occur.SHOULD);
        }
        return new TextQueryPlan(exact, spellChecked.Count > 0 ? fuzzy : null, all, spellChecked);
    }

    private Query WordClause(string token, bool prefix, bool approximate)
    {
        var best = new DisjunctionMaxQuery(0.1f);
        foreach (var (field, boost) in TextFields)
            if (FieldQuery(field, token, 0) is { } q)
            {
                q.Boost = boost;
                best.Add(q);
            }
        best.Add(new TermQuery(new Term(LuceneFields.NamePlain, token)) { Boost = NamePlainBoost });
        var letters = token.Any(char.IsLetter);
        if (prefix && letters && token.Length >= 3)
        {
            best.Add(new PrefixQuery(new Term(LuceneFields.NamePlain, token)) { Boost = 2f });
            best.Add(new PrefixQuery(new Term(LuceneFields.AllPlain, token)) { Boost = 0.4f });
        }
        if (approximate && letters && token.Length >= 4)
        {
            var edits = token.Length >= 8 ? 2 : 1;
            best.Add(new SharedAutomataFuzzyQuery(new Term(LuceneFields.NamePlain, token), edits, 1) { Boost = 2f });
            best.Add(new SharedAutomataFuzzyQuery(new Term(LuceneFields.AllPlain, token), edits, 1) { Boost = 0.5f });
        }
        return best;
    }

    /// <summary>Any alternative of a thesaurus group, each as a phrase in every field.</summary>
    private Query ConceptClause(IReadOnlyList<string> alternatives)
    {
        var any = new DisjunctionMaxQuery(0.1f);
        foreach (var alternative in alternatives)
        {
            foreach (var (field, boost) in TextFields)
                if (FieldQuery(field, alternative, 0) is { } q)
                {
                    q.Boost = boost;
                    any.Add(q);
                }
            if (FieldQuery(LuceneFields.NamePlain, alternative, 0) is { } name)
            {
                name.Boost = NamePlainBoost;
                any.Add(name);
            }
        }
        return any;
    }

    private Query? Proximity(string text)
    {
        var near = new DisjunctionMaxQuery(0.1f);
        foreach (var (field, boost) in TextFields)
            if (FieldQuery(field, text, ProximitySlop) is PhraseQuery q)
            {
                q.Boost = boost * ProximityBoost;
                near.Add(q);
            }
        return near.Disjuncts.Count > 0 ? near : null;
    }

    /// <summary>A text as one field reads it: a term, a phrase (stop words leave their gap), or null when nothing is left.</summary>
    private Query? FieldQuery(string field, string text, int slop)
    {
        var tokens = LuceneFields.Tokens(analyzer, field, text);
        if (tokens.Count == 0) return null;
        if (tokens.Count == 1) return new TermQuery(new Term(field, tokens[0].Term));
        var phrase = new PhraseQuery { Slop = slop };
        foreach (var (term, position) in tokens) phrase.Add(new Term(field, term), position);
        return phrase;
    }
}

/// <summary>
/// « Vouliez-vous dire » from the index's own words: for a typed word the index does not hold, the closest word it
/// holds (fewest edits, then the most documents), the way Lucene's DirectSpellChecker does.
/// </summary>
public static class SpellingSuggestions
{
    /// <param name="indexed">Whether the index holds a word of the plain field (a lookup with lent readers).</param>
    public static string? Suggest(IndexReader reader, IReadOnlyList<string> tokens, IReadOnlyCollection<string> checkable, Func<string, bool> indexed)
    {
        Terms? terms = null;
        var changed = false;
        var corrected = tokens.Select(token =>
        {
            if (!checkable.Contains(token) || token.Length < 4 || !token.Any(char.IsLetter)) return token;
            if (indexed(token)) return token;
            // The whole index's words are read only for a word it does not hold.
            terms ??= MultiFields.GetTerms(reader, LuceneFields.AllPlain);
            var best = terms is null ? null : Closest(terms, token);
            if (best is null) return token;
            changed = true;
            return best;
        }).ToArray();
        return changed ? string.Join(' ', corrected) : null;
    }

    private static string? Closest(Terms terms, string token)
    {
        var edits = token.Length >= 8 ? 2 : 1;
        var fuzzy = FuzzyAutomata.Enum(terms, new AttributeSource(), new Term(LuceneFields.AllPlain, token), edits, 1, true);
        string? best = null;
        var bestDistance = int.MaxValue;
        var bestFrequency = 0;
        while (fuzzy.MoveNext())
        {
            var candidate = fuzzy.Term.Utf8ToString();
            var distance = Distance(token, candidate);
            var frequency = fuzzy.DocFreq;
            if (distance < bestDistance || (distance == bestDistance && frequency > bestFrequency))
            {
                (best, bestDistance, bestFrequency) = (candidate, distance, frequency);
            }
        }
        return best;
    }

    /// <summary>Optimal string alignment distance (insertions, deletions, substitutions, adjacent transpositions).</summary>
    internal static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
            }
        return d[a.Length, b.Length];
    }
}

/// <summary>
/// The Levenshtein automata of a typed word, built once and shared by every fuzzy reading of it: the spelling suggestion
/// and each field of the approximate query, then the same word typed again (a page reloaded, the next page). Lucene
/// builds them per field and per query, and for a long word at two edits that is megabytes of short-lived arrays, most of
/// what a search that finds nothing allocated (docs/search.md, memory). The automata depend on the word only, not on the
/// field or the index, and are read-only once built. They are large to keep (about 400 KB for a 14-letter word at up to
/// two edits, measured), so few are: the benchmark's 40 made-up words grew the live heap by 15 MB when 64 were kept
/// (ADR 0038); 16 hold about 6 MB and still serve a word's spelling, its approximate query and its next pages.
/// </summary>
public static class FuzzyAutomata
{
    private const int Capacity = 16;
    private static readonly ConcurrentDictionary<(string Text, int MaxEdits, int Prefix, bool Transpositions), Lucene.Net.Util.Automaton.CompiledAutomaton[]> Kept = new();

    /// <summary>Lucene's fuzzy terms of a word, with its automata taken from, or given to, the kept ones.</summary>
    public static FuzzyTermsEnum Enum(Terms terms, AttributeSource attributes, Term term, int maxEdits, int prefix, bool transpositions)
    {
        var key = (term.Text, maxEdits, prefix, transpositions);
        var automata = attributes.AddAttribute<FuzzyTermsEnum.ILevenshteinAutomataAttribute>().Automata;
        Lucene.Net.Util.Automaton.CompiledAutomaton[]? kept = null;
        var known = automata.Count == 0 && Kept.TryGetValue(key, out kept);
        if (known) foreach (var automaton in kept!) automata.Add(automaton);
        var fuzzy = new FuzzyTermsEnum(terms, attributes, term, maxEdits, prefix, transpositions); // builds what is missing
        if (!known && automata.Count > maxEdits)
        {
            if (Kept.Count >= Capacity) Kept.Clear();
            Kept.TryAdd(key, automata.Take(maxEdits + 1).ToArray());
        }
        return fuzzy;
    }
}

/// <summary>A <see cref="FuzzyQuery"/> whose terms come through <see cref="FuzzyAutomata"/>.</summary>
public sealed class SharedAutomataFuzzyQuery(Term term, int maxEdits, int prefixLength) : FuzzyQuery(term, maxEdits, prefixLength)
{
    protected override TermsEnum GetTermsEnum(Terms terms, AttributeSource atts) =>
        MaxEdits == 0 || PrefixLength >= Term.Text.Length
            ? base.GetTermsEnum(terms, atts) // Lucene's own single-term case
            : FuzzyAutomata.Enum(terms, atts, Term, MaxEdits, PrefixLength, Transpositions);
}
