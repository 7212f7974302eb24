using Marketplace.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Mvc;

namespace Marketplace.Web.Features.Directory;

/// <summary>The public directory, the same pages under /fr and /en (path words localized). No account needed.</summary>
public sealed class DirectoryController(SearchQueryParser parser, SearchProviders search, ProviderPage providerPage) : Controller
{
    [HttpGet("fr", Name = "home.fr")]
    [HttpGet("en", Name = "home.en")]
    public async Task<IActionResult> Home(CancellationToken cancellationToken)
    {
        var result = await search.OverviewAsync(cancellationToken);
        return View(result);
    }

    [HttpGet("fr/recherche", Name = "search.fr")]
    [HttpGet("en/search", Name = "search.en")]
    public async Task<IActionResult> Search(CancellationToken cancellationToken)
    {
        var parsed = await parser.ParseAsync(Request.Query, strict: false, cancellationToken);
        var result = await search.HandleAsync(parsed.Query, cancellationToken);
        if (parsed.IsValid && parsed.Query.Page > result.PageCount)
        {
            // Past the last page (an old bookmark, a hand-typed ?page=999): the last page of the same search (ADR 0017).
            var basePath = Url.RouteUrl(LocalizedLinks.RouteName("search"))!;
            return Redirect(SearchLinks.Url(basePath, parsed.Query, page: result.PageCount));
        }
        if (!parsed.IsValid)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            ViewData["Errors"] = parsed.Errors.SelectMany(e => e.Value).ToArray();
        }
        return View(result);
    }

    [HttpGet("fr/fournisseurs/{slug}", Name = "provider.fr")]
    [HttpGet("en/providers/{slug}", Name = "provider.en")]
    public async Task<IActionResult> Provider(string slug, [FromQuery(Name = SearchLinks.BackParameter)] string? back, CancellationToken cancellationToken)
    {
        if (!Domain.Providers.Provider.IsValidSlug(slug)) return NotFound();
        var view = await providerPage.HandleAsync(slug, cancellationToken);
        ViewData["BackToSearch"] = SearchLinks.BackToSearch(Url.RouteUrl(LocalizedLinks.RouteName("search"))!, back);
        if (view is not null) return View(view);
        // A withdrawn (archived) listing is gone for good, not missing: 410, and search engines drop it (s. 28.1).
        if (await providerPage.ArchivedNameAsync(slug, cancellationToken) is not { } name) return NotFound();
        Response.StatusCode = StatusCodes.Status410Gone;
        Response.Headers["X-Robots-Tag"] = "noindex";
        return View("Withdrawn", name);
    }

    [HttpGet("fr/a-propos", Name = "about.fr")]
    [HttpGet("en/about", Name = "about.en")]
    public IActionResult About() => View();
}
