using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Search.Similarities;
using Lucene.Net.Util;

namespace Marketplace.Web.Infrastructure.Search;

/// <summary>
/// Runs a query of the builder's shape (required best-of-fields clauses, optional best-of-fields proximity clauses)
/// one field at a time instead of one document at a time, with the very scores Lucene gives.
/// A broad word is looked for in about ten fields, most of which hold it for thousands of documents: Lucene's
/// document-at-a-time scorers keep those lists in a heap and pay a heap step per list per document, which measured
/// as much as the reading itself. Here each list is read straight through into per-document arrays (best and sum of
/// the clause), then clause totals are added; a later clause and the proximity phrases only read the documents every
/// earlier required clause matched. A word's list in one field (a term query, most of what the builder makes) is scored
/// here with BM25's own formula and statistics, not through Lucene's scorer, whose layers per document (term scorer,
/// similarity scorer, a new postings reader per list) cost as much again as reading the list. docs/search.md, what a
/// search costs.
/// </summary>
public static class ClauseAtATime
{
    /// <summary>Whether <paramref name="query"/> has the shape this reads: a boolean query (boost 1) of best-of-fields clauses, at least one required.</summary>
    public static bool Reads(Query query) =>
        query is BooleanQuery { Boost: 1f } boolean
        && boolean.Clauses.All(c => c.Query is DisjunctionMaxQuery { Boost: 1f } && c.Occur is Occur.MUST or Occur.SHOULD)
        && boolean.Clauses.Any(c => c.Occur == Occur.MUST)
        && boolean.Clauses.Count(c => c.Occur == Occur.MUST) < byte.MaxValue;

    /// <summary>
    /// Every live document that matches, with its score, in document order, into <paramref name="docs"/> and
    /// <paramref name="scores"/> (as long as the reader's <c>MaxDoc</c>); returns how many.
    /// </summary>
    public static int Collect(IndexSearcher searcher, Query query, int[] docs, float[] scores, TermsEnumPool? pool = null)
    {
        if (!Reads(query)) throw new ArgumentException("Not a query of the builder's shape.", nameof(query));
        var boolean = (BooleanQuery)query;
        var required = boolean.Clauses.Where(c => c.Occur == Occur.MUST).Select(c => (DisjunctionMaxQuery)c.Query).ToArray();
        var optional = boolean.Clauses.Where(c => c.Occur == Occur.SHOULD).Select(c => (DisjunctionMaxQuery)c.Query).ToArray();
        using var terms = new TermLookup(searcher.IndexReader, pool);
        // Scored here only with the similarity whose formula TermList repeats: Lucene's BM25 with its own parameters.
        var bm25 = searcher.Similarity.GetType() == typeof(BM25Similarity) ? (BM25Similarity)searcher.Similarity : null;
        var maxDoc = searcher.IndexReader.MaxDoc;
        var clauses = required.Concat(optional)
            .Select(clause =>
            {
                var lists = clause.Disjuncts
                    .Select(d => d is TermQuery term && bm25 is not null
                        ? (object)TermList.Of(searcher, bm25, term, terms.ContextOf(term))
                        : searcher.CreateNormalizedWeight(terms.WithContext(d)))
                    .ToArray();
                return (Tie: clause.TieBreakerMultiplier, Lists: lists, Dense: Dense(lists, maxDoc));
            })
            .ToArray();

        var total = ArrayPool<float>.Shared.Rent(Math.Max(1, maxDoc));
        var best = ArrayPool<float>.Shared.Rent(Math.Max(1, maxDoc));
        var sum = ArrayPool<float>.Shared.Rent(Math.Max(1, maxDoc));
        var matched = ArrayPool<byte>.Shared.Rent(Math.Max(1, maxDoc));
        var touched = ArrayPool<int>.Shared.Rent(Math.Max(1, maxDoc));
        var inClause = ArrayPool<bool>.Shared.Rent(Math.Max(1, maxDoc));
        try
        {
            Array.Clear(total, 0, maxDoc);
            Array.Clear(best, 0, maxDoc);
            Array.Clear(sum, 0, maxDoc);
            Array.Clear(matched, 0, maxDoc);
            Array.Clear(inClause, 0, maxDoc);
            var count = 0;
            foreach (var leaf in searcher.IndexReader.Leaves)
            {
                var live = leaf.AtomicReader.LiveDocs;
                var docBase = leaf.DocBase;
                var end = docBase + leaf.AtomicReader.MaxDoc;
                for (var c = 0; c < clauses.Length; c++)
                {
                    var isRequired = c < required.Length;
                    // The first clause reads every live document; later ones only those every required clause before matched.
                    var need = (byte)Math.Min(c, required.Length);
                    IBits? accept = c == 0 ? live : new Matched(matched, docBase, leaf.AtomicReader.MaxDoc, need, live);
                    var seen = 0;
                    var denseClause = clauses[c].Dense;
                    foreach (var list in clauses[c].Lists)
                    {
                        int doc;
                        if (list is TermList term)
                        {
                            if (terms.Postings(leaf, term, accept) is not { } postings) continue;
                            var norms = LengthNorms.Of(leaf.AtomicReader, term.Field);
                            if (norms is null || term.SeenOnce is not { } once)
                            {
                                while ((doc = postings.NextDoc()) != DocIdSetIterator.NO_MORE_DOCS)
                                    Add(docBase + doc, term.Score(postings.Freq, norms, doc), denseClause, ref seen);
                                continue;
                            }
                            // A long list (a broad word) is most of a search's time: read with its arrays at hand, and the
                            // score of a word seen once (most words in a field) from a table.
                            var (weight, lengths) = (term.Weight, term.Lengths);
                            while ((doc = postings.NextDoc()) != DocIdSetIterator.NO_MORE_DOCS)
                            {
                                var freq = postings.Freq;
                                var length = norms[doc];
                                var score = freq == 1 ? once[length] : weight * (float)freq / (freq + lengths[length]);
                                var at = docBase + doc;
                                if (!denseClause && !inClause[at])
                                {
                                    inClause[at] = true;
                                    touched[seen++] = at;
                                }
                                if (score > best[at]) best[at] = score;
                                sum[at] += score;
                            }
                            continue;
                        }
                        var scorer = ((Weight)list).GetScorer(leaf, accept);
                        if (scorer is null) continue;
                        while ((doc = scorer.NextDoc()) != DocIdSetIterator.NO_MORE_DOCS)
                            Add(docBase + doc, scorer.GetScore(), denseClause, ref seen);
                    }
                    var tie = clauses[c].Tie;
                    if (denseClause)
                    {
                        for (var at = docBase; at < end; at++)
                            if (sum[at] > 0f) Total(at);
                    }
                    else
                    {
                        for (var i = 0; i < seen; i++)
                        {
                            Total(touched[i]);
                            inClause[touched[i]] = false;
                        }
                    }

                    // The clause's score of a document it matched, added to the document's total; its best and sum cleared for the next clause.
                    void Total(int at)
                    {
                        total[at] += best[at] + (sum[at] - best[at]) * tie;
                        if (isRequired) matched[at]++;
                        best[at] = 0f;
                        sum[at] = 0f;
                    }
                }
                var all = (byte)required.Length;
                for (var at = docBase; at < end; at++)
                    if (matched[at] == all)
                    {
                        docs[count] = at;
                        scores[count++] = total[at];
                    }
            }
            return count;

            // A document's score in one field of the clause: kept as the clause's best and added to its sum (and the
            // document noted as touched, unless the clause is dense).
            void Add(int at, float score, bool dense, ref int seen)
            {
                if (!dense && !inClause[at])
                {
                    inClause[at] = true;
                    touched[seen++] = at;
                }
                if (score > best[at]) best[at] = score;
                sum[at] += score;
            }
        }
        finally
        {
            foreach (var clause in clauses)
                foreach (var list in clause.Lists)
                    if (list is TermList term) term.ReturnTable();
            ArrayPool<float>.Shared.Return(total);
            ArrayPool<float>.Shared.Return(best);
            ArrayPool<float>.Shared.Return(sum);
            ArrayPool<byte>.Shared.Return(matched);
            ArrayPool<int>.Shared.Return(touched);
            ArrayPool<bool>.Shared.Return(inClause);
        }
    }

    /// <summary>
    /// Whether a clause is read without keeping the list of documents it touched: when its lists hold, together, at least
    /// a quarter as many entries as there are documents, a pass over every document is cheaper than noting each one on
    /// the way. A document the clause matched is then one whose sum is above 0, so only a clause of words with a positive
    /// boost (BM25 gives such a word a positive score in every document that holds it) qualifies.
    /// </summary>
    private static bool Dense(object[] lists, int maxDoc) =>
        lists.Length > 0
        && lists.All(l => l is TermList { Boost: > 0f })
        && lists.Sum(l => (long)((TermList)l).Context.DocFreq) * 4 >= maxDoc;

    /// <summary>
    /// Finds a query's words in the term dictionaries with one reader per segment and field, instead of one per word and
    /// segment as a term query alone does: a word looked for in ten fields, or a thesaurus group of several words, made
    /// that lookup the largest allocation of a search.
    /// </summary>
    private sealed class TermLookup(IndexReader reader, TermsEnumPool? pool) : IDisposable
    {
        private readonly Dictionary<(int Leaf, string Field), FieldReaders?> _readers = [];

        /// <summary>
        /// The documents and frequencies of a word in one segment, or null when the segment lacks it. One postings reader
        /// per segment and field serves every word of that field in this search, and the next search's too when lent by
        /// the pool (a new one is several arrays and a clone of the file's input).
        /// </summary>
        public DocsEnum? Postings(AtomicReaderContext leaf, TermList term, IBits? accept)
        {
            if (term.Context.Get(leaf.Ord) is not { } state || _readers[(leaf.Ord, term.Field)] is not { } readers) return null;
            readers.Terms.SeekExact(term.Bytes, state);
            return readers.Docs = readers.Terms.Docs(accept, readers.Docs, DocsFlags.FREQS);
        }

        /// <summary>A term query with its word already looked up (Lucene's weight then skips its own lookup); any other query as it is.</summary>
        public Query WithContext(Query query) =>
            query is TermQuery term ? new TermQuery(term.Term, ContextOf(term)) { Boost = term.Boost } : query;

        /// <summary>Where a word is in each segment (its term states) and in how many documents.</summary>
        public TermContext ContextOf(TermQuery query)
        {
            var term = query.Term;
            var context = new TermContext(reader.Context);
            foreach (var leaf in reader.Leaves)
            {
                if (!_readers.TryGetValue((leaf.Ord, term.Field), out var readers))
                    _readers[(leaf.Ord, term.Field)] = readers = pool is null ? FieldReaders.Of(leaf, term.Field) : pool.Rent(leaf, term.Field);
                if (readers is not null && readers.Terms.SeekExact(term.Bytes))
                    context.Register(readers.Terms.GetTermState(), leaf.Ord, readers.Terms.DocFreq, readers.Terms.TotalTermFreq);
            }
            return context;
        }

        public void Dispose()
        {
            if (pool is null) return;
            foreach (var ((leaf, field), readers) in _readers)
                if (readers is not null) pool.Return(reader.Leaves[leaf], field, readers);
        }
    }

    /// <summary>
    /// A word in one field, scored as Lucene's <see cref="BM25Similarity"/> scores it inside the builder's query (every boost
    /// above the term's is 1): weight = idf × boost × (k1 + 1), score = weight × freq / (freq + k1 × (1 − b + b × length /
    /// average length)), the last part read from a table of the 256 encoded lengths, computed once per reader and field
    /// (Lucene computes it for every word of every search). The same operations in the same order, so the same floats
    /// (<c>ClauseAtATimeTests</c>).
    /// </summary>
    private sealed class TermList
    {
        private static readonly ConditionalWeakTable<IndexReader, ConcurrentDictionary<(string Field, float K1, float B), (CollectionStatistics Statistics, float[] Lengths)>> Fields = new();
        private static readonly Bm25Parts Parts = new();
        private readonly float _weight;
        private readonly float _k1;
        private readonly float[] _lengths;

        private TermList(TermQuery query, TermContext context, float weight, float k1, float[] lengths)
        {
            (Field, Bytes, Boost, Context) = (query.Term.Field, query.Term.Bytes, query.Boost, context);
            (_weight, _k1, _lengths) = (weight, k1, lengths);
        }

        public string Field { get; }
        public BytesRef Bytes { get; }
        public float Boost { get; }
        public TermContext Context { get; }

        public static TermList Of(IndexSearcher searcher, BM25Similarity bm25, TermQuery query, TermContext context)
        {
            var (statistics, lengths) = Fields.GetValue(searcher.IndexReader, _ => new()).GetOrAdd((query.Term.Field, bm25.K1, bm25.B), key =>
            {
                var field = searcher.CollectionStatistics(key.Field);
                return (field, Parts.Lengths(bm25, field));
            });
            var weight = Parts.IdfOf(context.DocFreq, statistics.MaxDoc) * query.Boost * 1f; // × the boosts above it, all 1
            return new TermList(query, context, weight * (bm25.K1 + 1), bm25.K1, lengths);
        }

        public float Weight => _weight;

        /// <summary>BM25's length part by encoded length (k1 × (1 − b + b × length / average length)).</summary>
        public float[] Lengths => _lengths;

        /// <summary>
        /// For a list long enough to repay it (a pooled table per search and word), the score of the word seen once in a field,
        /// by encoded length: the same operations as <see cref="Score"/>, so the same floats. Null for a short list.
        /// </summary>
        public float[]? SeenOnce => Context.DocFreq < SeenOnceFrom ? null : _seenOnce ??= OnceTable();

        private const int SeenOnceFrom = 2048;
        private float[]? _seenOnce;

        private float[] OnceTable()
        {
            var table = ArrayPool<float>.Shared.Rent(256);
            for (var i = 0; i < 256; i++) table[i] = _weight * 1f / (1f + _lengths[i]);
            return table;
        }

        /// <summary>Gives the table back to the pool (the search is over).</summary>
        public void ReturnTable()
        {
            if (_seenOnce is null) return;
            ArrayPool<float>.Shared.Return(_seenOnce);
            _seenOnce = null;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float Score(int freq, byte[]? norms, int doc)
        {
            float f = freq;
            var norm = norms is null ? _k1 : _lengths[norms[doc]];
            return _weight * f / (f + norm);
        }

        /// <summary>BM25's protected parts, for the parameters of the similarity given.</summary>
        private sealed class Bm25Parts : BM25Similarity
        {
            public float IdfOf(long docFreq, long maxDoc) => Idf(docFreq, maxDoc);

            public float[] Lengths(BM25Similarity bm25, CollectionStatistics statistics)
            {
                float k1 = bm25.K1, b = bm25.B;
                var averageLength = AvgFieldLength(statistics);
                var lengths = new float[256];
                for (var i = 0; i < lengths.Length; i++) lengths[i] = k1 * ((1 - b) + b * DecodeNormValue((byte)i) / averageLength);
                return lengths;
            }
        }
    }

    /// <summary>
    /// The encoded length of a field in each document of a segment (BM25's norm, one byte), decoded once per segment and
    /// field: a segment's norms never change (deleting documents leaves them), and reading them through Lucene's doc
    /// values was a virtual call and a packed decode for every entry of every list (« synthetique » on one thread: 2.4 →
    /// 1.9–2.2 ms, docs/search.md). A byte per document and field searched; a segment merged away takes its arrays
    /// with it (weak table).
    /// </summary>
    private static class LengthNorms
    {
        private static readonly ConditionalWeakTable<object, ConcurrentDictionary<string, byte[]?>> BySegment = new();

        /// <summary>Null when the field keeps no norms.</summary>
        public static byte[]? Of(AtomicReader segment, string field) =>
            BySegment.GetValue(segment.CoreCacheKey, _ => new()).GetOrAdd(field, static (field, segment) =>
            {
                if (segment.GetNormValues(field) is not { } values) return null;
                var norms = new byte[segment.MaxDoc];
                for (var doc = 0; doc < norms.Length; doc++) norms[doc] = unchecked((byte)values.Get(doc));
                return norms;
            }, segment);
    }

    /// <summary>The live documents of a leaf that every required clause read so far matched.</summary>
    private sealed class Matched(byte[] matched, int docBase, int length, byte need, IBits? live) : IBits
    {
        public int Length => length;
        public bool Get(int index) => matched[docBase + index] == need && (live is null || live.Get(index));
    }
}

/// <summary>
/// Term dictionary and postings readers lent to one search at a time and kept for the next: a dictionary reader builds
/// its lookup frames as it seeks, and a postings reader is a clone of the file's input and its block buffers; building
/// them anew for every field of every search was most of what a search allocated. Kept by segment (its core, which every
/// reader of that segment shares, whatever its deleted documents), not by searcher: after a change the new searcher
/// finds the readers of the segments that did not change, instead of building them all again while the old ones become
/// garbage (docs/search.md, memory). A segment merged away takes its readers with it (weak table).
/// As many per field and segment as searches ran at once.
/// </summary>
public sealed class TermsEnumPool
{
    private readonly ConditionalWeakTable<object, ConcurrentDictionary<string, ConcurrentBag<FieldReaders>>> _free = new();

    /// <summary>Readers of one field of a segment, or null when no document of the segment has the field.</summary>
    public FieldReaders? Rent(AtomicReaderContext leaf, string field) =>
        _free.TryGetValue(leaf.AtomicReader.CoreCacheKey, out var fields) && fields.TryGetValue(field, out var free) && free.TryTake(out var readers)
            ? readers
            : FieldReaders.Of(leaf, field);

    public void Return(AtomicReaderContext leaf, string field, FieldReaders readers) =>
        _free.GetValue(leaf.AtomicReader.CoreCacheKey, _ => new()).GetOrAdd(field, _ => []).Add(readers);

    /// <summary>Whether any document of <paramref name="reader"/>, deleted or not, holds <paramref name="term"/> (Lucene's <c>DocFreq</c> &gt; 0, with lent readers).</summary>
    public bool Holds(IndexReader reader, Term term)
    {
        foreach (var leaf in reader.Leaves)
        {
            if (Rent(leaf, term.Field) is not { } readers) continue;
            var found = readers.Terms.SeekExact(term.Bytes);
            Return(leaf, term.Field, readers);
            if (found) return true;
        }
        return false;
    }
}

/// <summary>A term dictionary reader of one field of a segment, and the postings reader last used with it.</summary>
public sealed class FieldReaders(TermsEnum terms)
{
    public TermsEnum Terms { get; } = terms;
    public DocsEnum? Docs { get; set; }

    public static FieldReaders? Of(AtomicReaderContext leaf, string field) =>
        leaf.AtomicReader.GetTerms(field)?.GetEnumerator() is { } terms ? new FieldReaders(terms) : null;
}
