using Marketplace.Web.Infrastructure.Search;
using Microsoft.Extensions.Localization;

namespace Marketplace.Web.Features.Directory;

/// <summary>
/// Reads a search from a query string (the same parameters for the pages and the API) and says, in the current
/// language, what is wrong with it. The URL is the whole state of a search.
/// </summary>
public sealed class SearchQueryParser(Vocabulary vocabulary, IStringLocalizer<SharedResource> text)
{
    public const string TextParameter = "q";
    public const string SortParameter = "sort";
    public const string PageParameter = "page";
    public const string PageSizeParameter = "pageSize";
    public const string LanguageParameter = "lang";
    /// <summary>Facets whose selection keeps only providers stating a selected value (<c>strict=region</c>, ADR 0015).</summary>
    public const string StrictParameter = "strict";

    public sealed record Outcome(SearchQuery Query, IReadOnlyDictionary<string, string[]> Errors)
    {
        public bool IsValid => Errors.Count == 0;
    }

    /// <param name="strict">Unknown parameter names are errors (the API) rather than ignored (the pages).</param>
    public async Task<Outcome> ParseAsync(IQueryCollection query, bool strict, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var terms = await vocabulary.SearchTermsAsync(cancellationToken);

        var q = query[TextParameter].ToString().Trim();
        if (query[TextParameter].Count > 1) errors[TextParameter] = [text["Error.Repeated", TextParameter]];
        if (q.Length > SearchQuery.MaxTextLength) errors[TextParameter] = [text["Error.TextTooLong", SearchQuery.MaxTextLength]];

        var filters = new Dictionary<Facet, IReadOnlySet<string>>();
        foreach (var facet in Facets.All)
        {
            var name = Facets.ParameterName(facet);
            var values = query[name].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                .ToHashSet(StringComparer.Ordinal);
            if (values.Count == 0) continue;
            var known = terms[facet].Select(t => t.Key).ToHashSet(StringComparer.Ordinal);
            var unknown = values.Where(v => !known.Contains(v)).ToArray();
            if (unknown.Length > 0)
                errors[name] = unknown.Select(v => text["Error.UnknownValue", Shorten(v), name, string.Join(", ", known)].Value).ToArray();
            else filters[facet] = values;
        }

        var strictFacets = new HashSet<Facet>();
        foreach (var name in query[StrictParameter].SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            var facet = Facets.All.Where(Facets.HasUnknown).Select(f => (Facet?)f).FirstOrDefault(f => Facets.ParameterName(f!.Value) == name);
            if (facet is { } known) strictFacets.Add(known);
            else errors[StrictParameter] = [text["Error.UnknownValue", Shorten(name), StrictParameter,
                string.Join(", ", Facets.All.Where(Facets.HasUnknown).Select(Facets.ParameterName))].Value];
        }

        SearchSort? sort = null;
        var sortText = query[SortParameter].ToString();
        if (sortText.Length > 0)
        {
            if (Enum.TryParse<SearchSort>(sortText, ignoreCase: true, out var s) && !int.TryParse(sortText, out _)) sort = s;
            else errors[SortParameter] = [text["Error.Sort", Shorten(sortText)]];
        }

        var page = Integer(query, PageParameter, 1, 1, 10_000, errors);
        var pageSize = Integer(query, PageSizeParameter, SearchQuery.DefaultPageSize, 1, SearchQuery.MaxPageSize, errors);

        var lang = query[LanguageParameter].ToString();
        if (lang.Length > 0 && lang is not ("fr" or "en")) errors[LanguageParameter] = [text["Error.Language"]];

        if (strict)
        {
            var allowed = Facets.All.Select(Facets.ParameterName)
                .Concat([TextParameter, SortParameter, PageParameter, PageSizeParameter, LanguageParameter, StrictParameter])
                .ToHashSet(StringComparer.Ordinal);
            foreach (var key in query.Keys.Where(k => !allowed.Contains(k)))
                errors[Shorten(key)] = [text["Error.UnknownParameter", Shorten(key), string.Join(", ", allowed)]];
        }

        return new Outcome(new SearchQuery
        {
            Text = q.Length == 0 ? null : q,
            Filters = filters,
            Strict = strictFacets,
            Sort = sort,
            Page = page,
            PageSize = pageSize,
        }, errors);
    }

    private int Integer(IQueryCollection query, string name, int fallback, int min, int max, Dictionary<string, string[]> errors)
    {
        var raw = query[name].ToString();
        if (raw.Length == 0) return fallback;
        if (int.TryParse(raw, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value)
            && value >= min && value <= max)
            return value;
        errors[name] = [text["Error.Range", name, min, max]];
        return fallback;
    }

    private static string Shorten(string value) => value.Length > 40 ? value[..40] + "…" : value;
}
