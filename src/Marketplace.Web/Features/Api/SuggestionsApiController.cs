using Marketplace.Web.Features.Directory;
using Marketplace.Web.Infrastructure.Search;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;

namespace Marketplace.Web.Features.Api;

/// <summary>
/// What the search box proposes while someone types (issue 13, ADR 0026): categories and provider names whose words
/// start with what was typed, each with the page it leads to. Read-only, no account, under the API's rate limit.
/// </summary>
[ApiController]
[Route("api/v1/suggestions")]
[EnableRateLimiting(ProvidersApiController.RateLimitPolicy)]
public sealed class SuggestionsApiController(IProviderSearch search, IStringLocalizer<SharedResource> text) : ControllerBase
{
    public const int MaxCategories = 5;
    public const int MaxProviders = 6;

    /// <summary>Shorter texts get empty lists: one letter would propose half the directory.</summary>
    public const int MinTextLength = 2;

    /// <summary>Long enough to spare the index a keystroke's repeat, short enough that a new listing shows within a minute.</summary>
    public const int CacheSeconds = 60;

    public sealed record CategoryItem(string Key, string Label, string Url);

    public sealed record ProviderItem(string Slug, string Name, string Url);

    public sealed record SuggestionList(IReadOnlyList<CategoryItem> Categories, IReadOnlyList<ProviderItem> Providers);

    [HttpGet]
    [Produces("application/json")]
    public async Task<IActionResult> Suggest(CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        var query = Request.Query;
        var q = query[SearchQueryParser.TextParameter].ToString().Trim();
        if (query[SearchQueryParser.TextParameter].Count > 1) errors[SearchQueryParser.TextParameter] = [text["Error.Repeated", SearchQueryParser.TextParameter]];
        else if (q.Length > SearchQuery.MaxTextLength) errors[SearchQueryParser.TextParameter] = [text["Error.TextTooLong", SearchQuery.MaxTextLength]];
        var lang = query[SearchQueryParser.LanguageParameter].ToString();
        if (query[SearchQueryParser.LanguageParameter].Count > 1 || (lang.Length > 0 && lang is not ("fr" or "en")))
            errors[SearchQueryParser.LanguageParameter] = [text["Error.Language"]];
        string[] allowed = [SearchQueryParser.TextParameter, SearchQueryParser.LanguageParameter];
        foreach (var key in query.Keys.Where(k => !allowed.Contains(k, StringComparer.Ordinal)))
        {
            var name = key.Length > 40 ? key[..40] + "…" : key;
            errors[name] = [text["Error.UnknownParameter", name, string.Join(", ", allowed)]];
        }
        if (errors.Count > 0)
        {
            var problem = new ValidationProblemDetails(errors)
            {
                Status = StatusCodes.Status400BadRequest,
                Title = text["Error.InvalidSearch"],
                Detail = string.Join(" ", errors.SelectMany(e => e.Value)),
            };
            return new JsonResult(problem) { StatusCode = 400, ContentType = "application/problem+json" };
        }

        // The request's culture already follows ?lang= (PathOrQueryCultureProvider): French unless it says en.
        var language = Infrastructure.Web.Cultures.Current;
        var found = q.Length < MinTextLength
            ? SearchSuggestions.None
            : await search.SuggestAsync(q, language, MaxProviders, cancellationToken);
        var searchPath = Url.RouteUrl($"search.{language}")!;
        // Root-relative links (ADR 0026): the search box follows them on whatever address the page was served from.
        var suggestions = new SuggestionList(
            found.Categories.Take(MaxCategories)
                .Select(c => new CategoryItem(c.Key, c.Label, SearchLinks.Toggle(searchPath, new SearchQuery(), Facet.Category, c.Key)))
                .ToArray(),
            found.Providers.Take(MaxProviders)
                .Select(p => new ProviderItem(p.Slug, p.Name, Url.RouteUrl($"provider.{language}", new { slug = p.Slug })!))
                .ToArray());
        Response.Headers.CacheControl = $"public, max-age={CacheSeconds}";
        return Ok(suggestions);
    }
}
