using Marketplace.Web.Infrastructure.Localization;
using Marketplace.Web.Infrastructure.Web;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace Marketplace.Web.Features.Errors;

/// <summary>Error pages in the language of the page that failed; problem+json for the API.</summary>
public sealed class ErrorsController(IStringLocalizer<SharedResource> text) : Controller
{
    public sealed record ErrorPage(int Code, string Title, string Text);

    /// <summary>
    /// No parameter on purpose: with none to bind, MVC creates no value provider, so the error page never reads the
    /// request's form (re-executed for a request whose body could not be read, reading it again would fail again).
    /// </summary>
    [Route("error/{code:int}")]
    [ApiExplorerSettings(IgnoreApi = true)]
    [IgnoreAntiforgeryToken]
    public IActionResult Show()
    {
        var originalPath = HttpContext.Features.Get<IStatusCodeReExecuteFeature>()?.OriginalPath
                           ?? HttpContext.Features.Get<IExceptionHandlerPathFeature>()?.Path;
        // Asked for directly (/error/500 typed in), it is a page that does not exist, not a failure of the site.
        var code = originalPath is not null && int.TryParse(RouteData.Values["code"] as string, out var parsed) && parsed is >= 400 and <= 599
            ? parsed
            : 404;
        originalPath ??= Request.Path.Value ?? "";
        var (title, detail) = code switch
        {
            StatusCodes.Status400BadRequest when HttpContext.Items.ContainsKey(RequestBodyGuardMiddleware.UnreadableFormKey) =>
                (text["Error.UnreadableFormTitle"], text["Error.UnreadableFormText"]),
            StatusCodes.Status400BadRequest when HttpContext.Items.ContainsKey(RequestBodyGuardMiddleware.InvalidQueryKey) =>
                (text["Error.InvalidQueryTitle"], text["Error.InvalidQueryText"]),
            StatusCodes.Status415UnsupportedMediaType => (text["Error.UnsupportedMediaTypeTitle"], text["Error.UnsupportedMediaTypeText"]),
            StatusCodes.Status429TooManyRequests => (text["Error.TooManyRequestsTitle"], text["Error.TooManyRequestsText"]),
            StatusCodes.Status404NotFound => (text["Error.NotFoundTitle"], text["Error.NotFoundText"]),
            _ => (text["Error.GenericTitle"], text["Error.GenericText", code]),
        };
        if (originalPath.StartsWith("/api/", StringComparison.OrdinalIgnoreCase))
            return code is 404 or >= 500 ? Problem(statusCode: code, title: title) : Problem(statusCode: code, title: title, detail: detail);

        Response.StatusCode = code;
        ViewData["Language"] = PathOrQueryCultureProvider.LanguageOf(Request);
        return code == 404 ? View("NotFound", code) : View("Error", new ErrorPage(code, title, detail));
    }
}
