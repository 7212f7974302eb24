using Marketplace.Web.Infrastructure.Web;
using Microsoft.AspNetCore.Mvc.Rendering;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Routing;
using Microsoft.AspNetCore.Routing;

namespace Marketplace.Web.Infrastructure.Localization;

/// <summary>
/// Pages have one named route per language (<c>search.fr</c>, <c>search.en</c>); the language switch goes to the twin
/// route with the same route values and query string, so a person keeps their page and their search.
/// </summary>
public static class LocalizedLinks
{
    public static string Other => Cultures.Current == "fr" ? "en" : "fr";

    public static string RouteName(string page, string? language = null) => $"{page}.{language ?? Cultures.Current}";

    public static string AlternateUrl(ViewContext context)
    {
        var http = context.HttpContext;
        var current = Cultures.Current;
        var name = http.GetEndpoint()?.Metadata.GetMetadata<IRouteNameMetadata>()?.RouteName;
        if (name is not null && name.EndsWith("." + current, StringComparison.Ordinal) && http.Response.StatusCode < 400)
        {
            var values = new RouteValueDictionary(context.RouteData.Values);
            values.Remove("action");
            values.Remove("controller");
            var url = http.RequestServices.GetRequiredService<IUrlHelperFactory>().GetUrlHelper(context)
                .RouteUrl(name[..^current.Length] + Other, values);
            if (url is not null) return url + http.Request.QueryString;
        }
        return "/" + Other;
    }
}
