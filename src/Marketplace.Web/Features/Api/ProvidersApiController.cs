using Marketplace.Web.Features.Directory;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;

namespace Marketplace.Web.Features.Api;

/// <summary>
/// The open directory API: the same search as the pages, as JSON. Read-only, no account, rate-limited per address.
/// </summary>
[ApiController]
[Route("api/v1/providers")]
[EnableRateLimiting(RateLimitPolicy)]
public sealed class ProvidersApiController(SearchQueryParser parser, SearchProviders search, IStringLocalizer<SharedResource> text,
    Microsoft.Extensions.Options.IOptions<Infrastructure.MarketplaceOptions> site)
    : ControllerBase
{
    public const string RateLimitPolicy = "api";

    public sealed record ProviderItem(
        string Slug, string Name, string Url, string Summary, string LegalForm, bool SocialEconomy, string Origin,
        DateTimeOffset? VerifiedAt, IReadOnlyList<string> Categories, IReadOnlyList<string> Regions, bool ServesAllQuebec,
        bool RegionNotStated, bool PricingNotStated, string? Highlight);

    public sealed record FacetCount(string Key, string Label, int Count);


    [HttpGet]
    [Produces("application/json")]
    public async Task<IActionResult> Search(CancellationToken cancellationToken)
    {
        var parsed = await parser.ParseAsync(Request.Query, strict: true, cancellationToken);
        if (!parsed.IsValid)
        {
            var problem = new ValidationProblemDetails(parsed.Errors.ToDictionary(e => e.Key, e => e.Value))
            {
                Status = StatusCodes.Status400BadRequest,
                Title = text["Error.InvalidSearch"],
                Detail = string.Join(" ", parsed.Errors.SelectMany(e => e.Value)),
            };
            // JsonResult, not ObjectResult: [Produces] would otherwise turn the problem into plain application/json.
            return new JsonResult(problem) { StatusCode = 400, ContentType = "application/problem+json" };
        }

        var result = await search.HandleAsync(parsed.Query, cancellationToken);
        var language = Infrastructure.Web.Cultures.Current;
        var items = result.Items.Select(i => new ProviderItem(
            i.Slug, i.Name,
            // From Marketplace:PublicBaseUrl, never from the request's Host header (ADR 0019).
            site.Value.PublicOrigin + Url.RouteUrl($"provider.{language}", new { slug = i.Slug })!,
            i.Summary, i.LegalForm, i.SocialEconomy, Domain.Providers.EnumKeys<Domain.Providers.DataOrigin>.Key(i.Origin),
            i.VerifiedAt,
            i.Categories.Select(c => c.Key).ToArray(),
            i.ServesAllQuebec ? Domain.Providers.RegionCodes.All : i.Regions.Select(r => r.Key).ToArray(),
            i.ServesAllQuebec, i.RegionNotStated, i.PricingNotStated, i.Highlight)).ToArray();

        return Ok(new Dictionary<string, object>
        {
            ["total"] = result.Total,
            ["page"] = result.Query.Page,
            ["pageSize"] = result.Query.PageSize,
            ["sort"] = result.Sort.ToString().ToLowerInvariant(),
            ["strict"] = Infrastructure.Search.Facets.All.Where(result.Query.IsStrict).Select(Infrastructure.Search.Facets.ParameterName).ToArray(),
            ["lang"] = language,
            ["items"] = items,
            // A spelling the index knows for what was typed, or null; approximate: results of the closest spellings.
            ["suggestion"] = result.Suggestion!,
            ["approximate"] = result.Approximate,
            ["facets"] = result.Facets.ToDictionary(
                f => f.Parameter,
                f => (IReadOnlyList<FacetCount>)f.Values.Select(v => new FacetCount(v.Key, v.Label, v.Count)).ToArray()),
        });
    }
}
