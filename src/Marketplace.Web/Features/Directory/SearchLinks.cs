using Marketplace.Web.Infrastructure.Search;
using Microsoft.AspNetCore.WebUtilities;

namespace Marketplace.Web.Features.Directory;

/// <summary>Builds the query strings of the search page: the URL holds the whole search, so every link is a state.</summary>
public static class SearchLinks
{
    public static IEnumerable<KeyValuePair<string, string?>> Parameters(SearchQuery query, SearchSort? sort = null, int page = 1)
    {
        if (!string.IsNullOrEmpty(query.Text)) yield return new(SearchQueryParser.TextParameter, query.Text);
        foreach (var facet in Facets.All)
            foreach (var value in query.Selected(facet).Order(StringComparer.Ordinal))
                yield return new(Facets.ParameterName(facet), value);
        var s = sort ?? query.Sort;
        if (s is not null) yield return new(SearchQueryParser.SortParameter, s.Value.ToString().ToLowerInvariant());
        if (page > 1) yield return new(SearchQueryParser.PageParameter, page.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (query.PageSize != SearchQuery.DefaultPageSize)
            yield return new(SearchQueryParser.PageSizeParameter, query.PageSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public static string Url(string basePath, SearchQuery query, SearchSort? sort = null, int page = 1) =>
        QueryHelpers.AddQueryString(basePath, Parameters(query, sort, page));

    /// <summary>The same search with one facet value added or removed, back on page 1.</summary>
    public static string Toggle(string basePath, SearchQuery query, Facet facet, string key)
    {
        var values = query.Selected(facet).ToHashSet(StringComparer.Ordinal);
        if (!values.Remove(key)) values.Add(key);
        var filters = query.Filters.ToDictionary(p => p.Key, p => p.Value);
        if (values.Count == 0) filters.Remove(facet);
        else filters[facet] = values;
        return Url(basePath, query with { Filters = filters });
    }

    public static string WithoutFilters(string basePath, SearchQuery query) =>
        Url(basePath, query with { Filters = new Dictionary<Facet, IReadOnlySet<string>>() });
}
