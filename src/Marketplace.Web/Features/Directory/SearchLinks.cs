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
        foreach (var facet in Facets.All.Where(query.IsStrict))
            yield return new(SearchQueryParser.StrictParameter, Facets.ParameterName(facet));
        var s = sort ?? query.Sort;
        if (s is not null) yield return new(SearchQueryParser.SortParameter, s.Value.ToString().ToLowerInvariant());
        if (page > 1) yield return new(SearchQueryParser.PageParameter, page.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (query.PageSize != SearchQuery.DefaultPageSize)
            yield return new(SearchQueryParser.PageSizeParameter, query.PageSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public static string Url(string basePath, SearchQuery query, SearchSort? sort = null, int page = 1) =>
        QueryHelpers.AddQueryString(basePath, Parameters(query, sort, page));

    /// <summary>
    /// The same search with one facet value added or removed, back on page 1. A facet's unknown value (« Région non
    /// précisée », pricing « Non précisé ») toggles whether those providers are kept: with other values of the facet
    /// selected, it turns <c>strict</c> on or off; alone, it selects only them (ADR 0015).
    /// </summary>
    public static string Toggle(string basePath, SearchQuery query, Facet facet, string key)
    {
        var values = query.Selected(facet).ToHashSet(StringComparer.Ordinal);
        var strict = query.Strict.ToHashSet();
        var unknown = Facets.UnknownKeyOf(facet);
        if (key == unknown)
        {
            var known = query.HasKnownSelection(facet);
            if (query.IncludesUnknown(facet))
            {
                values.Remove(key);
                if (known) strict.Add(facet);
            }
            else if (known) strict.Remove(facet);
            else values.Add(key);
        }
        else if (!values.Remove(key)) values.Add(key);
        if (!values.Any(v => v != unknown)) strict.Remove(facet);
        var filters = query.Filters.ToDictionary(p => p.Key, p => p.Value);
        if (values.Count == 0) filters.Remove(facet);
        else filters[facet] = values;
        return Url(basePath, query with { Filters = filters, Strict = strict });
    }

    /// <summary>The name of the provider page's parameter that carries the search it was opened from.</summary>
    public const string BackParameter = "retour";

    private const int BackMaxLength = 2000;

    /// <summary>The state of a search (its query string without « ? »), for a provider page's « retour » parameter.</summary>
    public static string State(SearchQuery query, int page) =>
        QueryHelpers.AddQueryString("", Parameters(query, page: page)).TrimStart('?');

    /// <summary>
    /// The search page again with the state a provider page was given, or the plain search page. Only the search's own
    /// parameter names are kept and the path is always ours, so the parameter cannot send anyone elsewhere.
    /// </summary>
    public static string BackToSearch(string basePath, string? state)
    {
        if (string.IsNullOrEmpty(state) || state.Length > BackMaxLength) return basePath;
        var allowed = Facets.All.Select(Facets.ParameterName)
            .Concat([SearchQueryParser.TextParameter, SearchQueryParser.StrictParameter, SearchQueryParser.SortParameter,
                SearchQueryParser.PageParameter, SearchQueryParser.PageSizeParameter])
            .ToHashSet(StringComparer.Ordinal);
        var kept = QueryHelpers.ParseQuery(state.StartsWith('?') ? state : "?" + state)
            .Where(p => allowed.Contains(p.Key))
            .SelectMany(p => p.Value.Select(v => new KeyValuePair<string, string?>(p.Key, v)));
        return QueryHelpers.AddQueryString(basePath, kept);
    }

    public static string WithoutFilters(string basePath, SearchQuery query) =>
        Url(basePath, query with { Filters = new Dictionary<Facet, IReadOnlySet<string>>(), Strict = new HashSet<Facet>() });
}
