using Microsoft.AspNetCore.Localization;

namespace Marketplace.Web.Infrastructure.Localization;

/// <summary>
/// The language is in the URL: <c>/fr/...</c> or <c>/en/...</c> for pages, <c>?lang=fr|en</c> for the API. French
/// otherwise. No cookie and no Accept-Language: the same URL always shows the same language.
/// </summary>
public sealed class PathOrQueryCultureProvider : RequestCultureProvider
{
    public override Task<ProviderCultureResult?> DetermineProviderCultureResult(HttpContext httpContext)
    {
        var language = LanguageOf(httpContext.Request);
        return Task.FromResult<ProviderCultureResult?>(language == "en" ? new ProviderCultureResult("en-CA") : new ProviderCultureResult("fr-CA"));
    }

    public static string LanguageOf(HttpRequest request)
    {
        var path = request.Path.Value ?? "";
        if (path.StartsWith("/api/", StringComparison.OrdinalIgnoreCase))
            return string.Equals(request.Query["lang"].ToString(), "en", StringComparison.OrdinalIgnoreCase) ? "en" : "fr";
        // Error pages are re-executed under /error/: the original path decides.
        var original = request.HttpContext.Features.Get<Microsoft.AspNetCore.Diagnostics.IStatusCodeReExecuteFeature>()?.OriginalPath;
        if (original is not null) path = original;
        return path.Equals("/en", StringComparison.OrdinalIgnoreCase) || path.StartsWith("/en/", StringComparison.OrdinalIgnoreCase)
            ? "en"
            : "fr";
    }
}
