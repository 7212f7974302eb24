using System.Globalization;
using System.Numerics;

namespace Marketplace.Web.Infrastructure.Search;

/// <summary>What the snapshot needs to know of one published provider.</summary>
public sealed record SearchDocument(
    int ProviderId,
    string Name,
    DateTimeOffset? VerifiedAt,
    IReadOnlyDictionary<Facet, IReadOnlyCollection<string>> FacetValues);

/// <summary>The free text of a search: its normalized terms and the providers the full-text index matched.</summary>
public sealed record TextHits(IReadOnlyList<string> Terms, IReadOnlyCollection<int> ProviderIds);

/// <summary>
/// An immutable, in-memory bitmap index of every published provider's facet values and sort keys. Filtering, exact
/// disjunctive facet counts, relevance, sorting and paging happen here, which is far cheaper than one GROUP BY per
/// facet (docs/decisions/0004-search-port.md). Free text is matched by the database engine first.
/// <para>
/// Documents are numbered in name order (fr-CA collation, then id), so a document's number is its rank by name. Each
/// facet value has a bitmap over the documents; a search ANDs and ORs bitmaps 64 documents at a time and counts with
/// popcount, so its cost hardly depends on how many documents match.
/// </para>
/// <para>
/// The region, language and pricing facets have a value for providers that state none (<see cref="Facets.UnknownKeyOf"/>):
/// a selection of other values of the facet also passes them unless the query is strict on that facet (ADR 0015).
/// Counts stay exact: each value counts the documents holding it among those passing every other facet's selection.
/// </para>
/// <para>
/// Relevance is computed here, the same way for every engine: a term found in the name is worth
/// <see cref="NameWeight"/>, in a category label <see cref="CategoryWeight"/>, and every match starts at 1 (the terms
/// are at least in a description). Ties go by name.
/// </para>
/// </summary>
public sealed class SearchSnapshot
{
    public const int NameWeight = 10;
    public const int CategoryWeight = 4;
    private static readonly int FacetCount = Facets.All.Count;

    private readonly int _words;                             // 64-bit words per bitmap
    private readonly int[] _providerIds;                     // [doc] -> provider id
    private readonly Dictionary<int, int> _docOfProvider;
    private readonly int[] _verifiedRank;                    // [doc] -> position in "most recently verified" order
    private readonly string[][] _codeToKey;                  // [facet][code] -> key
    private readonly Dictionary<string, int>[] _keyToCode;   // [facet] key -> code
    private readonly ulong[][][] _valueBits;                 // [facet][code] -> bitmap of the documents with that value
    private readonly ulong[] _all;                           // bitmap of every document
    private readonly string[] _nameTokens;                   // distinct normalized name words, ordinal order
    private readonly int[] _nameTokenStart;                  // [doc] -> first index into _docNameTokens (CSR)
    private readonly int[] _docNameTokens;                   // indexes into _nameTokens
    private readonly string[][] _categoryTokens;             // [category code] -> normalized label words

    /// <param name="categoryLabels">Label text (French and English) by category key, for relevance.</param>
    public SearchSnapshot(long version, IReadOnlyCollection<SearchDocument> documents,
        IReadOnlyDictionary<string, string>? categoryLabels = null)
    {
        Version = version;
        var collation = CultureInfo.GetCultureInfo("fr-CA").CompareInfo;
        var docs = documents.ToArray();
        Array.Sort(docs, (a, b) =>
        {
            var c = collation.Compare(a.Name, b.Name, CompareOptions.IgnoreCase);
            return c != 0 ? c : a.ProviderId.CompareTo(b.ProviderId);
        });
        _words = (docs.Length + 63) / 64;
        _providerIds = docs.Select(d => d.ProviderId).ToArray();
        _docOfProvider = new Dictionary<int, int>(docs.Length);
        for (var i = 0; i < docs.Length; i++) _docOfProvider[docs[i].ProviderId] = i;
        var verifiedTicks = docs.Select(d => d.VerifiedAt?.UtcTicks ?? long.MinValue).ToArray();
        _verifiedRank = Ranks(Enumerable.Range(0, docs.Length)
            .OrderByDescending(d => verifiedTicks[d]).ThenBy(d => d).ToArray());
        _all = new ulong[_words];
        for (var doc = 0; doc < docs.Length; doc++) Set(_all, doc);

        _codeToKey = new string[FacetCount][];
        _keyToCode = new Dictionary<string, int>[FacetCount];
        _valueBits = new ulong[FacetCount][][];
        foreach (var facet in Facets.All)
        {
            var f = (int)facet;
            var codes = new Dictionary<string, int>(StringComparer.Ordinal);
            var bitmaps = new List<ulong[]>();
            for (var doc = 0; doc < docs.Length; doc++)
            {
                if (!docs[doc].FacetValues.TryGetValue(facet, out var values)) continue;
                foreach (var key in values)
                {
                    if (!codes.TryGetValue(key, out var code))
                    {
                        codes[key] = code = codes.Count;
                        bitmaps.Add(new ulong[_words]);
                    }
                    Set(bitmaps[code], doc);
                }
            }
            _keyToCode[f] = codes;
            _codeToKey[f] = codes.OrderBy(p => p.Value).Select(p => p.Key).ToArray();
            _valueBits[f] = bitmaps.ToArray();
        }

        var docWords = docs.Select(d => Words(d.Name)).ToArray();
        _nameTokens = docWords.SelectMany(w => w).Distinct().Order(StringComparer.Ordinal).ToArray();
        var tokenIndex = new Dictionary<string, int>(_nameTokens.Length, StringComparer.Ordinal);
        for (var i = 0; i < _nameTokens.Length; i++) tokenIndex[_nameTokens[i]] = i;
        _nameTokenStart = new int[docs.Length + 1];
        for (var doc = 0; doc < docs.Length; doc++) _nameTokenStart[doc + 1] = _nameTokenStart[doc] + docWords[doc].Length;
        _docNameTokens = docWords.SelectMany(words => words.Select(w => tokenIndex[w])).ToArray();
        _categoryTokens = _codeToKey[(int)Facet.Category]
            .Select(key => Words(categoryLabels?.GetValueOrDefault(key) ?? key))
            .ToArray();
    }

    public long Version { get; }
    public int Count => _providerIds.Length;

    /// <param name="text">The free text and what the full-text index matched, or null when there is no text.</param>
    public SearchResult Search(SearchQuery query, TextHits? text)
    {
        var candidates = text is null ? _all : TextCandidates(text);

        // The documents passing each facet's own selection (null: no selection): OR of the selected values.
        var passes = new ulong[]?[FacetCount];
        foreach (var facet in Facets.All)
        {
            var keys = query.Selected(facet);
            if (keys.Count == 0) continue;
            var f = (int)facet;
            var pass = passes[f] = new ulong[_words];
            foreach (var key in keys)
                if (_keyToCode[f].TryGetValue(key, out var code)) Or(pass, _valueBits[f][code]);
            // Unknown is not "no" (ADR 0015): providers whose value is unknown pass unless the facet is strict.
            if (query.IncludesUnknown(facet) && _keyToCode[f].TryGetValue(Facets.UnknownKeyOf(facet)!, out var unknown))
                Or(pass, _valueBits[f][unknown]);
        }

        // Disjunctive counts: facet f counts the candidates that pass every OTHER facet's selection.
        var counts = new Dictionary<Facet, IReadOnlyDictionary<string, int>>();
        var eligible = new ulong[_words];
        foreach (var facet in Facets.All)
        {
            var f = (int)facet;
            candidates.CopyTo(eligible, 0);
            for (var g = 0; g < FacetCount; g++)
                if (g != f && passes[g] is { } pass) And(eligible, pass);
            var byKey = new Dictionary<string, int>(_codeToKey[f].Length, StringComparer.Ordinal);
            for (var code = 0; code < _codeToKey[f].Length; code++) byKey[_codeToKey[f][code]] = CountAnd(_valueBits[f][code], eligible);
            counts[facet] = byKey;
        }

        var matches = (ulong[])candidates.Clone();
        foreach (var pass in passes)
            if (pass is not null) And(matches, pass);
        var total = CountAnd(matches, _all);

        var sort = query.EffectiveSort(text is not null);
        var skip = (long)(query.Page - 1) * query.PageSize;
        var take = (int)Math.Max(0, Math.Min(total - skip, query.PageSize));
        int[] page;
        if (take == 0) page = [];
        else if (sort == SearchSort.Name || (sort == SearchSort.Relevance && text is null))
            page = NthSetBits(matches, (int)skip, take); // document numbers are in name order
        else
            page = TopByKey(matches, total, SortKey(sort, text), (int)skip + take).Skip((int)skip).ToArray();

        return new SearchResult(total, page.Select(doc => _providerIds[doc]).ToArray(), counts, sort);
    }

    private ulong[] TextCandidates(TextHits text)
    {
        var bits = new ulong[_words];
        foreach (var providerId in text.ProviderIds)
            // The text index may briefly hold a provider the snapshot no longer publishes: the snapshot wins.
            if (_docOfProvider.TryGetValue(providerId, out var doc)) Set(bits, doc);
        return bits;
    }

    /// <summary>A unique sort key per document (smaller first); ties always end in name order.</summary>
    private Func<int, long> SortKey(SearchSort sort, TextHits? text)
    {
        if (sort == SearchSort.Verified) return doc => _verifiedRank[doc];
        if (sort != SearchSort.Relevance || text is null || text.Terms.Count == 0) return doc => doc;

        var terms = text.Terms.Take(31).ToArray();
        // Which terms each name word matches, as bit masks over the terms.
        var tokenMask = new int[_nameTokens.Length];
        for (var t = 0; t < terms.Length; t++)
            foreach (var prefix in TextQuery.Prefixes(terms[t]))
                foreach (var token in TokensStartingWith(prefix))
                    tokenMask[token] |= 1 << t;
        // Which terms each category label matches, as a bitmap of the documents with a category matching term t.
        var categoryDocs = new ulong[terms.Length][];
        for (var t = 0; t < terms.Length; t++)
        {
            categoryDocs[t] = new ulong[_words];
            var prefixes = TextQuery.Prefixes(terms[t]);
            for (var code = 0; code < _categoryTokens.Length; code++)
                if (prefixes.Any(prefix => _categoryTokens[code].Any(w => w.StartsWith(prefix, StringComparison.Ordinal))))
                    Or(categoryDocs[t], _valueBits[(int)Facet.Category][code]);
        }
        var maxScore = 1 + (NameWeight + CategoryWeight) * terms.Length;
        return doc =>
        {
            var inName = 0;
            for (var i = _nameTokenStart[doc]; i < _nameTokenStart[doc + 1]; i++) inName |= tokenMask[_docNameTokens[i]];
            var inCategory = 0;
            for (var t = 0; t < categoryDocs.Length; t++)
                if (IsSet(categoryDocs[t], doc)) inCategory++;
            var score = 1 + NameWeight * BitOperations.PopCount((uint)inName) + CategoryWeight * inCategory;
            return ((long)(maxScore - score) << 32) | (uint)doc;
        };
    }

    /// <summary>The name words starting with a prefix: a range of the ordinally sorted distinct words.</summary>
    private IEnumerable<int> TokensStartingWith(string prefix)
    {
        var lo = 0;
        var hi = _nameTokens.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (string.CompareOrdinal(_nameTokens[mid], prefix) < 0) lo = mid + 1; else hi = mid;
        }
        for (var i = lo; i < _nameTokens.Length && _nameTokens[i].StartsWith(prefix, StringComparison.Ordinal); i++)
            yield return i;
    }

    /// <summary>The <paramref name="count"/> documents of a bitmap with the smallest keys, in key order.</summary>
    private static int[] TopByKey(ulong[] bitmap, int total, Func<int, long> key, int count)
    {
        if (count * 4L >= total)
        {
            var docs = NthSetBits(bitmap, 0, total);
            var keys = new long[docs.Length];
            for (var i = 0; i < docs.Length; i++) keys[i] = key(docs[i]);
            Array.Sort(keys, docs);
            return docs[..count];
        }
        // A bounded max-heap (priority = -key) keeps the best `count` in O(n log count).
        var heap = new PriorityQueue<int, long>(count + 1);
        for (var w = 0; w < bitmap.Length; w++)
        {
            var set = bitmap[w];
            while (set != 0)
            {
                var doc = (w << 6) + BitOperations.TrailingZeroCount(set);
                set &= set - 1;
                var k = key(doc);
                if (heap.Count < count) heap.Enqueue(doc, -k);
                else if (heap.TryPeek(out _, out var worst) && k < -worst) heap.EnqueueDequeue(doc, -k);
            }
        }
        var best = new int[heap.Count];
        for (var i = best.Length - 1; i >= 0; i--) best[i] = heap.Dequeue();
        return best;
    }

    /// <summary>The documents of a bitmap from the <paramref name="skip"/>-th on, at most <paramref name="take"/>, in order.</summary>
    private static int[] NthSetBits(ulong[] bitmap, int skip, int take)
    {
        var result = new List<int>(take);
        for (var w = 0; w < bitmap.Length && result.Count < take; w++)
        {
            var set = bitmap[w];
            var inWord = BitOperations.PopCount(set);
            if (skip >= inWord)
            {
                skip -= inWord;
                continue;
            }
            while (set != 0 && result.Count < take)
            {
                var doc = (w << 6) + BitOperations.TrailingZeroCount(set);
                set &= set - 1;
                if (skip > 0) skip--;
                else result.Add(doc);
            }
        }
        return result.ToArray();
    }

    private static void Set(ulong[] bitmap, int doc) => bitmap[doc >> 6] |= 1UL << (doc & 63);

    private static bool IsSet(ulong[] bitmap, int doc) => (bitmap[doc >> 6] & (1UL << (doc & 63))) != 0;

    private static void Or(ulong[] target, ulong[] other)
    {
        for (var w = 0; w < target.Length; w++) target[w] |= other[w];
    }

    private static void And(ulong[] target, ulong[] other)
    {
        for (var w = 0; w < target.Length; w++) target[w] &= other[w];
    }

    private static int CountAnd(ulong[] a, ulong[] b)
    {
        var count = 0;
        for (var w = 0; w < a.Length; w++) count += BitOperations.PopCount(a[w] & b[w]);
        return count;
    }

    private static int[] Ranks(int[] order)
    {
        var ranks = new int[order.Length];
        for (var rank = 0; rank < order.Length; rank++) ranks[order[rank]] = rank;
        return ranks;
    }

    private static string[] Words(string text) =>
        TextQuery.Normalize(text).Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
