using Marketplace.Web.Infrastructure.Search;
using Microsoft.AspNetCore.Mvc;
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
    /// A page with many facet links builds them with one <see cref="FacetLinks"/> instead.
    /// </summary>
    public static string Toggle(string basePath, SearchQuery query, Facet facet, string key) =>
        new FacetLinks(basePath, query).Toggle(facet, key);

    /// <summary>
    /// The facet links of one search page: what every link shares (the text, the other facets' values, <c>strict</c>,
    /// the sort, the page size) is encoded once, and each link only adds the facet it changes. Same URLs as
    /// <see cref="Url"/> of the toggled query, in the same parameter order.
    /// </summary>
    public sealed class FacetLinks
    {
        private readonly string _basePath;
        private readonly SearchQuery _query;
        private readonly string? _text;
        private readonly string?[] _values;   // by facet: « region=01&region=06 », or null
        private readonly string[][] _sorted;  // by facet: the selected values, in ordinal order
        private readonly bool[] _strict;      // by facet: query.IsStrict
        private readonly string? _tail;       // sort and page size (a toggled search is on page 1)

        public FacetLinks(string basePath, SearchQuery query)
        {
            _basePath = basePath;
            _query = query;
            if (!string.IsNullOrEmpty(query.Text)) _text = Pair(SearchQueryParser.TextParameter, query.Text);
            _values = new string?[Facets.All.Count];
            _strict = new bool[Facets.All.Count];
            _sorted = new string[Facets.All.Count][];
            foreach (var facet in Facets.All)
            {
                var selected = _sorted[(int)facet] = query.Selected(facet).Order(StringComparer.Ordinal).ToArray();
                if (selected.Length > 0)
                    _values[(int)facet] = string.Join('&', selected.Select(v => Pair(Facets.ParameterName(facet), v)));
                _strict[(int)facet] = query.IsStrict(facet);
            }
            var tail = new List<string>(2);
            if (query.Sort is { } sort) tail.Add(Pair(SearchQueryParser.SortParameter, sort.ToString().ToLowerInvariant()));
            if (query.PageSize != SearchQuery.DefaultPageSize)
                tail.Add(Pair(SearchQueryParser.PageSizeParameter, query.PageSize.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            if (tail.Count > 0) _tail = string.Join('&', tail);
        }

        /// <summary>The same search with <paramref name="key"/> of <paramref name="facet"/> added or removed (see <see cref="SearchLinks.Toggle"/>).</summary>
        public string Toggle(Facet facet, string key)
        {
            // A page has a link per facet value: the facet's values are its few selected ones (in order) with the key
            // added or removed, written straight into one builder per thread, with no set, sort or piece per link.
            var selected = _sorted[(int)facet];
            var strict = _query.Strict.Contains(facet);
            var unknown = Facets.UnknownKeyOf(facet);
            var has = Array.IndexOf(selected, key) >= 0;
            bool add = false, remove = false;
            if (key == unknown)
            {
                var known = _query.HasKnownSelection(facet);
                if (_query.IncludesUnknown(facet))
                {
                    remove = has;
                    if (known) strict = true;
                }
                else if (known) strict = false;
                else add = !has;
            }
            else if (has) remove = true;
            else add = true;
            var knownSelected = add && key != unknown;
            foreach (var value in selected) knownSelected |= value != unknown && !(remove && value == key);
            strict = strict && knownSelected;

            var url = t_builder ??= new System.Text.StringBuilder(512);
            url.Clear().Append(_basePath);
            var first = true;
            Append(_text);
            foreach (var f in Facets.All)
            {
                if (f != facet)
                {
                    Append(_values[(int)f]);
                    continue;
                }
                var name = Facets.ParameterName(f);
                var added = !add;
                foreach (var value in selected)
                {
                    if (!added && string.CompareOrdinal(key, value) < 0)
                    {
                        AppendPair(name, key);
                        added = true;
                    }
                    if (!(remove && value == key)) AppendPair(name, value);
                }
                if (!added) AppendPair(name, key);
            }
            foreach (var f in Facets.All)
                if (f == facet ? strict : _strict[(int)f]) AppendPair(SearchQueryParser.StrictParameter, Facets.ParameterName(f));
            Append(_tail);
            return url.ToString();

            void Append(string? part)
            {
                if (part is null) return;
                url.Append(first ? '?' : '&').Append(part);
                first = false;
            }

            void AppendPair(string name, string value)
            {
                url.Append(first ? '?' : '&').Append(Encode(name)).Append('=').Append(Encode(value));
                first = false;
            }
        }

        [ThreadStatic] private static System.Text.StringBuilder? t_builder;

        // The encoder returns the text itself when nothing in it needs encoding (facet keys, parameter names).
        private static string Encode(string text) => System.Text.Encodings.Web.UrlEncoder.Default.Encode(text);

        // As QueryHelpers.AddQueryString writes each parameter.
        private static string Pair(string name, string value) => Encode(name) + "=" + Encode(value);
    }

    /// <summary>
    /// The links of a results page's cards to the provider pages, carrying the search (« retour »): the route is generated
    /// once for the page and each card only puts in its slug, encoded as the route would.
    /// </summary>
    public sealed class ProviderLinks
    {
        private const string Placeholder = "0-slug-0";
        private readonly string _before;
        private readonly string _after;

        /// <param name="state">The search's state (<see cref="State"/>), or null for none.</param>
        public ProviderLinks(IUrlHelper url, string? state)
        {
            // The path comes before the query string, so the first occurrence is the slug's even if the state holds the same text.
            var template = url.RouteUrl(Infrastructure.Localization.LocalizedLinks.RouteName("provider"), new { slug = Placeholder, retour = state })!;
            var at = template.IndexOf(Placeholder, StringComparison.Ordinal);
            _before = template[..at];
            _after = template[(at + Placeholder.Length)..];
        }

        public string For(string slug) => _before + System.Text.Encodings.Web.UrlEncoder.Default.Encode(slug) + _after;
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
