using System.Globalization;

namespace Marketplace.Web.Infrastructure.Search;

/// <summary>What the snapshot needs to know of one published provider.</summary>
public sealed record SearchDocument(
    int ProviderId,
    string Name,
    DateTimeOffset? VerifiedAt,
    IReadOnlyDictionary<Facet, IReadOnlyCollection<string>> FacetValues);

/// <summary>
/// An immutable, in-memory view of every published provider's facet values and sort keys. Filtering, exact
/// disjunctive facet counts, sorting and paging happen here in one pass over the candidates, which is far cheaper
/// than one GROUP BY per facet (docs/decisions/0004-search-port.md). Free text is matched by the database engine first.
/// </summary>
public sealed class SearchSnapshot
{
    private static readonly int FacetCount = Facets.All.Count;

    private readonly int[] _providerIds;
    private readonly Dictionary<int, int> _docOfProvider;
    private readonly int[] _nameRank;
    private readonly long[] _verifiedTicks;
    private readonly string[][] _codeToKey;                 // [facet][code] -> key
    private readonly Dictionary<string, int>[] _keyToCode;   // [facet] key -> code
    private readonly int[][][] _docCodes;                    // [facet][doc] -> codes

    public SearchSnapshot(long version, IReadOnlyCollection<SearchDocument> documents)
    {
        Version = version;
        var docs = documents.ToArray();
        _providerIds = docs.Select(d => d.ProviderId).ToArray();
        _docOfProvider = new Dictionary<int, int>(docs.Length);
        for (var i = 0; i < docs.Length; i++) _docOfProvider[docs[i].ProviderId] = i;

        var collation = CultureInfo.GetCultureInfo("fr-CA").CompareInfo;
        var byName = Enumerable.Range(0, docs.Length)
            .Order(Comparer<int>.Create((a, b) =>
            {
                var c = collation.Compare(docs[a].Name, docs[b].Name, CompareOptions.IgnoreCase);
                return c != 0 ? c : docs[a].ProviderId.CompareTo(docs[b].ProviderId);
            }))
            .ToArray();
        _nameRank = new int[docs.Length];
        for (var rank = 0; rank < byName.Length; rank++) _nameRank[byName[rank]] = rank;
        _verifiedTicks = docs.Select(d => d.VerifiedAt?.UtcTicks ?? long.MinValue).ToArray();

        _codeToKey = new string[FacetCount][];
        _keyToCode = new Dictionary<string, int>[FacetCount];
        _docCodes = new int[FacetCount][][];
        foreach (var facet in Facets.All)
        {
            var f = (int)facet;
            var codes = new Dictionary<string, int>(StringComparer.Ordinal);
            var perDoc = new int[docs.Length][];
            for (var i = 0; i < docs.Length; i++)
            {
                var values = docs[i].FacetValues.TryGetValue(facet, out var v) ? v : [];
                perDoc[i] = values.Distinct().Select(key =>
                {
                    if (!codes.TryGetValue(key, out var code)) codes[key] = code = codes.Count;
                    return code;
                }).ToArray();
            }
            _keyToCode[f] = codes;
            _codeToKey[f] = codes.OrderBy(p => p.Value).Select(p => p.Key).ToArray();
            _docCodes[f] = perDoc;
        }
    }

    public long Version { get; }
    public int Count => _providerIds.Length;

    /// <param name="textScores">Relevance by provider id for the free text, or null when there is no text to match.</param>
    public SearchResult Search(SearchQuery query, IReadOnlyDictionary<int, double>? textScores)
    {
        // Selected codes per facet; a selected key that no document has can match nothing.
        var selected = new bool[FacetCount][];
        var active = new bool[FacetCount];
        foreach (var facet in Facets.All)
        {
            var keys = query.Selected(facet);
            if (keys.Count == 0) continue;
            var f = (int)facet;
            active[f] = true;
            selected[f] = new bool[_codeToKey[f].Length];
            foreach (var key in keys)
                if (_keyToCode[f].TryGetValue(key, out var code)) selected[f][code] = true;
        }

        var counts = new int[FacetCount][];
        for (var f = 0; f < FacetCount; f++) counts[f] = new int[_codeToKey[f].Length];

        var matches = new List<int>();
        var scores = textScores is null ? null : new Dictionary<int, double>(textScores.Count);
        foreach (var doc in Candidates(textScores, scores))
        {
            // Bit f set = the document fails facet f's selection.
            var failed = 0;
            for (var f = 0; f < FacetCount; f++)
                if (active[f] && !AnySelected(_docCodes[f][doc], selected[f])) failed |= 1 << f;

            if (failed == 0) matches.Add(doc);
            // Disjunctive counts: facet f counts a document that passes every OTHER facet's selection.
            for (var f = 0; f < FacetCount; f++)
            {
                if ((failed & ~(1 << f)) != 0) continue;
                foreach (var code in _docCodes[f][doc]) counts[f][code]++;
            }
        }

        var sort = query.EffectiveSort(textScores is not null);
        matches.Sort(Comparison(sort, scores));
        var page = matches
            .Skip((query.Page - 1) * query.PageSize)
            .Take(query.PageSize)
            .Select(doc => _providerIds[doc])
            .ToArray();

        var facetCounts = new Dictionary<Facet, IReadOnlyDictionary<string, int>>();
        foreach (var facet in Facets.All)
        {
            var f = (int)facet;
            var byKey = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var code = 0; code < counts[f].Length; code++) byKey[_codeToKey[f][code]] = counts[f][code];
            facetCounts[facet] = byKey;
        }
        return new SearchResult(matches.Count, page, facetCounts, sort);
    }

    private IEnumerable<int> Candidates(IReadOnlyDictionary<int, double>? textScores, Dictionary<int, double>? scoresByDoc)
    {
        if (textScores is null)
        {
            for (var doc = 0; doc < _providerIds.Length; doc++) yield return doc;
            yield break;
        }
        foreach (var (providerId, score) in textScores)
        {
            // The text index may briefly hold a provider the snapshot no longer publishes: the snapshot wins.
            if (!_docOfProvider.TryGetValue(providerId, out var doc)) continue;
            scoresByDoc![doc] = score;
            yield return doc;
        }
    }

    private static bool AnySelected(int[] codes, bool[] selected)
    {
        foreach (var code in codes)
            if (selected[code]) return true;
        return false;
    }

    private Comparison<int> Comparison(SearchSort sort, Dictionary<int, double>? scores) => sort switch
    {
        SearchSort.Relevance when scores is not null => (a, b) =>
        {
            var c = scores[b].CompareTo(scores[a]);
            return c != 0 ? c : _nameRank[a].CompareTo(_nameRank[b]);
        },
        SearchSort.Verified => (a, b) =>
        {
            var c = _verifiedTicks[b].CompareTo(_verifiedTicks[a]);
            return c != 0 ? c : _nameRank[a].CompareTo(_nameRank[b]);
        },
        _ => (a, b) => _nameRank[a].CompareTo(_nameRank[b]),
    };
}
