using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Util;

namespace Marketplace.Web.Infrastructure.Search;

/// <summary>
/// Runs a query of the builder's shape (required best-of-fields clauses, optional best-of-fields proximity clauses)
/// one field at a time instead of one document at a time, with the very scores Lucene gives.
/// A broad word is looked for in about ten fields, most of which hold it for thousands of documents: Lucene's
/// document-at-a-time scorers keep those lists in a heap and pay a heap step per list per document, which measured
/// as much as the reading itself. Here each list is read straight through into per-document arrays (best and sum of
/// the clause), then clause totals are added; a later clause and the proximity phrases only read the documents every
/// earlier required clause matched. docs/search.md, what a search costs.
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
        var weights = required.Concat(optional)
            .Select(clause => (Tie: clause.TieBreakerMultiplier,
                Weights: clause.Disjuncts.Select(d => searcher.CreateNormalizedWeight(terms.WithContext(d))).ToArray()))
            .ToArray();

        var maxDoc = searcher.IndexReader.MaxDoc;
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
                for (var c = 0; c < weights.Length; c++)
                {
                    var isRequired = c < required.Length;
                    // The first clause reads every live document; later ones only those every required clause before matched.
                    var need = (byte)Math.Min(c, required.Length);
                    IBits? accept = c == 0 ? live : new Matched(matched, docBase, leaf.AtomicReader.MaxDoc, need, live);
                    var seen = 0;
                    foreach (var weight in weights[c].Weights)
                    {
                        var scorer = weight.GetScorer(leaf, accept);
                        if (scorer is null) continue;
                        int doc;
                        while ((doc = scorer.NextDoc()) != DocIdSetIterator.NO_MORE_DOCS)
                        {
                            var at = docBase + doc;
                            var score = scorer.GetScore();
                            if (!inClause[at])
                            {
                                inClause[at] = true;
                                touched[seen++] = at;
                            }
                            if (score > best[at]) best[at] = score;
                            sum[at] += score;
                        }
                    }
                    var tie = weights[c].Tie;
                    for (var i = 0; i < seen; i++)
                    {
                        var at = touched[i];
                        total[at] += best[at] + (sum[at] - best[at]) * tie;
                        if (isRequired) matched[at]++;
                        best[at] = 0f;
                        sum[at] = 0f;
                        inClause[at] = false;
                    }
                }
                var end = docBase + leaf.AtomicReader.MaxDoc;
                var all = (byte)required.Length;
                for (var at = docBase; at < end; at++)
                    if (matched[at] == all)
                    {
                        docs[count] = at;
                        scores[count++] = total[at];
                    }
            }
            return count;
        }
        finally
        {
            ArrayPool<float>.Shared.Return(total);
            ArrayPool<float>.Shared.Return(best);
            ArrayPool<float>.Shared.Return(sum);
            ArrayPool<byte>.Shared.Return(matched);
            ArrayPool<int>.Shared.Return(touched);
            ArrayPool<bool>.Shared.Return(inClause);
        }
    }

    /// <summary>
    /// Finds a query's words in the term dictionaries with one reader per segment and field, instead of one per word and
    /// segment as a term query alone does: a word looked for in ten fields, or a thesaurus group of several words, made
    /// that lookup the largest allocation of a search.
    /// </summary>
    private sealed class TermLookup(IndexReader reader, TermsEnumPool? pool) : IDisposable
    {
        private readonly Dictionary<(int Leaf, string Field), TermsEnum?> _enums = [];

        public Query WithContext(Query query)
        {
            if (query is not TermQuery term) return query;
            var context = new TermContext(reader.Context);
            foreach (var leaf in reader.Leaves)
            {
                if (!_enums.TryGetValue((leaf.Ord, term.Term.Field), out var terms))
                    _enums[(leaf.Ord, term.Term.Field)] = terms = pool is null ? leaf.AtomicReader.GetTerms(term.Term.Field)?.GetEnumerator() : pool.Rent(leaf, term.Term.Field);
                if (terms is not null && terms.SeekExact(term.Term.Bytes))
                    context.Register(terms.GetTermState(), leaf.Ord, terms.DocFreq, terms.TotalTermFreq);
            }
            return new TermQuery(term.Term, context) { Boost = term.Boost };
        }

        public void Dispose()
        {
            if (pool is null) return;
            foreach (var ((leaf, field), terms) in _enums)
                if (terms is not null) pool.Return(reader.Leaves[leaf], field, terms);
        }
    }

    /// <summary>The live documents of a leaf that every required clause read so far matched.</summary>
    private sealed class Matched(byte[] matched, int docBase, int length, byte need, IBits? live) : IBits
    {
        public int Length => length;
        public bool Get(int index) => matched[docBase + index] == need && (live is null || live.Get(index));
    }
}

/// <summary>
/// Term dictionary readers lent to one search at a time and kept for the next: a reader builds its lookup frames as it
/// seeks, and building them anew for every field of every search was most of what a search allocated. Kept by segment
/// (its core, which every reader of that segment shares, whatever its deleted documents), not by searcher: after a change
/// the new searcher finds the readers of the segments that did not change, instead of building them all again while the
/// old ones become garbage (docs/search.md, memory). A segment merged away takes its readers with it (weak table).
/// As many per field and segment as searches ran at once.
/// </summary>
public sealed class TermsEnumPool
{
    private readonly ConditionalWeakTable<object, ConcurrentDictionary<string, ConcurrentBag<TermsEnum>>> _free = new();

    public TermsEnum? Rent(AtomicReaderContext leaf, string field) =>
        _free.TryGetValue(leaf.AtomicReader.CoreCacheKey, out var fields) && fields.TryGetValue(field, out var free) && free.TryTake(out var terms)
            ? terms
            : leaf.AtomicReader.GetTerms(field)?.GetEnumerator();

    public void Return(AtomicReaderContext leaf, string field, TermsEnum terms) =>
        _free.GetValue(leaf.AtomicReader.CoreCacheKey, _ => new()).GetOrAdd(field, _ => []).Add(terms);
}
