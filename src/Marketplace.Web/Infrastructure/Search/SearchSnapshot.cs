using System.Globalization;
using System.Numerics;

namespace Marketplace.Web.Infrastructure.Search;

/// <summary>What the snapshot needs to know of one published provider.</summary>
public sealed record SearchDocument(
    int ProviderId,
    string Name,
    DateTimeOffset? VerifiedAt,
    IReadOnlyDictionary<Facet, IReadOnlyCollection<string>> FacetValues)
{
    private static readonly CompareInfo Collation = CultureInfo.GetCultureInfo("fr-CA").CompareInfo;
    private byte[]? _nameKey;

    /// <summary>
    /// The name's fr-CA collation key (case ignored), computed once per document: a snapshot rebuilt after a change sorts
    /// by comparing bytes instead of collating every pair again.
    /// </summary>
    internal byte[] NameKey => _nameKey ??= Collation.GetSortKey(Name, CompareOptions.IgnoreCase).KeyData;

    private int[][]? _facetNumbers;

    /// <summary>The document's values of each facet (indexed by <see cref="Facet"/>) as <see cref="FacetKeys"/> numbers, computed once.</summary>
    internal int[][] FacetNumbers => _facetNumbers ??= Facets.All
        .Select(facet => FacetValues.TryGetValue(facet, out var values) ? values.Select(key => FacetKeys.Number(facet, key)).ToArray() : [])
        .ToArray();
}

/// <summary>
/// A process-wide number for every facet value ever seen (a small, closed vocabulary: categories, regions, languages…),
/// so that documents keep their values as numbers across snapshot rebuilds.
/// </summary>
internal static class FacetKeys
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, int>[] Numbers = Facets.All.Select(_ => new Dictionary<string, int>(StringComparer.Ordinal)).ToArray();
    private static readonly List<string>[] Keys = Facets.All.Select(_ => new List<string>()).ToArray();

    public static int Number(Facet facet, string key)
    {
        lock (Gate)
        {
            var numbers = Numbers[(int)facet];
            if (numbers.TryGetValue(key, out var number)) return number;
            Keys[(int)facet].Add(key);
            return numbers[key] = numbers.Count;
        }
    }

    public static string Key(Facet facet, int number)
    {
        lock (Gate) return Keys[(int)facet][number];
    }

    public static int Count(Facet facet)
    {
        lock (Gate) return Keys[(int)facet].Count;
    }
}

/// <summary>The providers the text index matched for a search's free text, each with its relevance score (higher first).</summary>
/// <summary>What the text index matched: the first <paramref name="Count"/> providers and their scores.</summary>
public sealed record TextHits(int[] ProviderIds, float[] Scores, int Count);

/// <summary>
/// An immutable, in-memory bitmap index of every published provider's facet values and sort keys. Filtering, exact
/// disjunctive facet counts, sorting and paging happen here (docs/search.md): measured 0.1–0.4 ms at 50,000 providers
/// where Lucene's own facet module took 8.5 ms. Free text is matched and scored by the Lucene index first; the snapshot
/// orders by that score.
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
/// Relevance is the text index's score (BM25, docs/search.md); ties go by name.
/// </para>
/// </summary>
public sealed class SearchSnapshot
{
    private static readonly int FacetCount = Facets.All.Count;

    private readonly int _words;                             // 64-bit words per bitmap
    private readonly int[] _providerIds;                     // [doc] -> provider id
    private readonly int[] _docOfProvider; // by provider id: its document number + 1 (0: not published)
    private readonly int[] _verifiedRank;                    // [doc] -> position in "most recently verified" order
    private readonly string[][] _codeToKey;                  // [facet][code] -> key
    private readonly Dictionary<string, int>[] _keyToCode;   // [facet] key -> code
    private ulong[][][] _valueBits;                          // [facet][code] -> bitmap of the documents with that value (replaced only on a fresh copy: WithEdits)
    private readonly ulong[] _all;                           // bitmap of every document

    public SearchSnapshot(long version, IReadOnlyCollection<SearchDocument> documents)
    {
        Version = version;
        var docs = documents.ToArray();
        Array.Sort(docs, (a, b) =>
        {
            var c = a.NameKey.AsSpan().SequenceCompareTo(b.NameKey);
            return c != 0 ? c : a.ProviderId.CompareTo(b.ProviderId);
        });
        _words = (docs.Length + 63) / 64;
        _providerIds = docs.Select(d => d.ProviderId).ToArray();
        _docOfProvider = new int[docs.Length == 0 ? 0 : docs.Max(d => d.ProviderId) + 1];
        for (var i = 0; i < docs.Length; i++) _docOfProvider[docs[i].ProviderId] = i + 1;
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
            // Each document's values as process-wide numbers (computed once per document), mapped to this snapshot's codes:
            // rebuilding after a change sets bits without hashing a string.
            var local = new int[FacetKeys.Count(facet) + 64];
            for (var doc = 0; doc < docs.Length; doc++)
            {
                foreach (var global in docs[doc].FacetNumbers[f])
                {
                    if (global >= local.Length) Array.Resize(ref local, global * 2 + 1);
                    var code = local[global] - 1;
                    if (code < 0)
                    {
                        var key = FacetKeys.Key(facet, global);
                        codes[key] = code = codes.Count;
                        local[global] = code + 1;
                        bitmaps.Add(new ulong[_words]);
                    }
                    Set(bitmaps[code], doc);
                }
            }
            _keyToCode[f] = codes;
            _codeToKey[f] = codes.OrderBy(p => p.Value).Select(p => p.Key).ToArray();
            _valueBits[f] = bitmaps.ToArray();
        }

    }

    public long Version { get; private set; }

    /// <summary>
    /// This snapshot after edits of listings it holds that keep their name and verification date (so their document numbers
    /// and every order stay): only the bitmaps of the values a document gained or lost are copied, the rest is shared with
    /// this snapshot, which searches may still be reading. Null when an edit needs a rebuild: a provider this snapshot does
    /// not hold, a new name or verification date, a value no document had, or a value left to no document (a rebuild
    /// lists exactly the values documents hold).
    /// </summary>
    public SearchSnapshot? WithEdits(long version, IReadOnlyCollection<(SearchDocument Before, SearchDocument After)> edits)
    {
        foreach (var (before, after) in edits)
            if (before.ProviderId != after.ProviderId || DocOf(after.ProviderId) < 0 || before.Name != after.Name
                || before.VerifiedAt != after.VerifiedAt) return null;

        var valueBits = (ulong[][][])_valueBits.Clone();
        var copied = new HashSet<(int Facet, int Code)>();
        ulong[] Writable(int f, int code)
        {
            if (ReferenceEquals(valueBits[f], _valueBits[f])) valueBits[f] = (ulong[][])_valueBits[f].Clone();
            if (copied.Add((f, code))) valueBits[f][code] = (ulong[])_valueBits[f][code].Clone();
            return valueBits[f][code];
        }
        foreach (var (before, after) in edits)
        {
            var doc = DocOf(after.ProviderId);
            for (var f = 0; f < FacetCount; f++)
            {
                var lost = before.FacetNumbers[f].Except(after.FacetNumbers[f]);
                var gained = after.FacetNumbers[f].Except(before.FacetNumbers[f]);
                foreach (var number in lost)
                {
                    if (!_keyToCode[f].TryGetValue(FacetKeys.Key((Facet)f, number), out var code)) return null;
                    Writable(f, code)[doc >> 6] &= ~(1UL << (doc & 63));
                }
                foreach (var number in gained)
                {
                    if (!_keyToCode[f].TryGetValue(FacetKeys.Key((Facet)f, number), out var code)) return null;
                    Set(Writable(f, code), doc);
                }
            }
        }
        foreach (var (f, code) in copied)
            if (Array.TrueForAll(valueBits[f][code], word => word == 0)) return null;
        var copy = WithVersion(version);
        copy._valueBits = valueBits;
        return copy;
    }

    /// <summary>The same documents under a later version (a change that touched no listing, such as the thesaurus).</summary>
    public SearchSnapshot WithVersion(long version)
    {
        var copy = (SearchSnapshot)MemberwiseClone();
        copy.Version = version;
        return copy;
    }
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
            var pass = passes[f] = Scratch(f, clear: true);
            foreach (var key in keys)
                if (_keyToCode[f].TryGetValue(key, out var code)) Or(pass, _valueBits[f][code]);
            // Unknown is not "no" (ADR 0015): providers whose value is unknown pass unless the facet is strict.
            if (query.IncludesUnknown(facet) && _keyToCode[f].TryGetValue(Facets.UnknownKeyOf(facet)!, out var unknown))
                Or(pass, _valueBits[f][unknown]);
        }

        // Disjunctive counts: facet f counts the candidates that pass every OTHER facet's selection.
        var counts = new Dictionary<Facet, IReadOnlyDictionary<string, int>>();
        var eligible = Scratch(EligibleSlot, clear: false);
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

        var matches = Scratch(MatchesSlot, clear: false);
        candidates.CopyTo(matches, 0);
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
        {
            // Scores by document in a rented buffer: a directory-sized array per search would land on the large object heap.
            var scores = sort == SearchSort.Relevance && text is not null ? System.Buffers.ArrayPool<float>.Shared.Rent(_providerIds.Length) : null;
            try
            {
                page = TopByKey(matches, total, SortKey(sort, text, scores), (int)skip + take).Skip((int)skip).ToArray();
            }
            finally
            {
                if (scores is not null) System.Buffers.ArrayPool<float>.Shared.Return(scores);
            }
        }

        return new SearchResult(total, page.Select(doc => _providerIds[doc]).ToArray(), counts, sort);
    }

    /// <summary>A published provider's document number, or -1.</summary>
    private int DocOf(int providerId) => (uint)providerId < (uint)_docOfProvider.Length ? _docOfProvider[providerId] - 1 : -1;

    private ulong[] TextCandidates(TextHits text)
    {
        var bits = Scratch(TextSlot, clear: true);
        // The text index may briefly hold a provider the snapshot no longer publishes: the snapshot wins.
        for (var i = 0; i < text.Count; i++)
            if (DocOf(text.ProviderIds[i]) is var doc and >= 0) Set(bits, doc);
        return bits;
    }

    /// <summary>
    /// A search's bitmaps (each facet's selection, the text's candidates, the eligible and matching documents), kept by
    /// thread for its next search: they never leave <see cref="Search"/>, which does not wait on anything, and a
    /// directory-sized bitmap per facet per search was a fifth of what the search itself allocated. A snapshot of another
    /// size makes new ones.
    /// </summary>
    [ThreadStatic] private static ulong[][]? t_bitmaps;

    private static readonly int EligibleSlot = FacetCount, MatchesSlot = FacetCount + 1, TextSlot = FacetCount + 2;

    private ulong[] Scratch(int slot, bool clear)
    {
        var bitmaps = t_bitmaps ??= new ulong[FacetCount + 3][];
        var bitmap = bitmaps[slot];
        if (bitmap is null || bitmap.Length != _words) bitmaps[slot] = bitmap = new ulong[_words];
        else if (clear) Array.Clear(bitmap);
        return bitmap;
    }

    /// <summary>A unique sort key per document (smaller first); ties always end in name order.</summary>
    private Func<int, long> SortKey(SearchSort sort, TextHits? text, float[]? scores)
    {
        if (sort == SearchSort.Verified) return doc => _verifiedRank[doc];
        if (sort != SearchSort.Relevance || text is null) return doc => doc;

        var score = scores!;
        Array.Clear(score, 0, _providerIds.Length);
        for (var i = 0; i < text.Count; i++)
            if (DocOf(text.ProviderIds[i]) is var doc and >= 0) score[doc] = text.Scores[i];
        // Scores are positive floats, whose bits order like the floats: higher score first, then name order.
        return doc => ((long)(int.MaxValue - BitConverter.SingleToInt32Bits(score[doc])) << 32) | (uint)doc;
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

}
