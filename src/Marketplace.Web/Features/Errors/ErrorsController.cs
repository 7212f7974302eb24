using Marketplace.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Localization;

namespace Marketplace.Web.Features.Errors;

/// <summary>Error pages in the language of the page that failed; problem+json for the API.</summary>
public sealed class ErrorsController(IStringLocalizer<SharedResource> text) : Controller
{
    [Route("error/{code:int}")]
    [ApiExplorerSettings(IgnoreApi = true)]
    [IgnoreAntiforgeryToken]
    public IActionResult Show(int code)
    {
        var originalPath = HttpContext.Features.Get<IStatusCodeReExecuteFeature>()?.OriginalPath
                           ?? HttpContext.Features.Get<IExceptionHandlerPathFeature>()?.Path
                           ?? "";
        if (code is < 400 or > 599) code = 404;
        if (originalPath.StartsWith("/api/", StringComparison.OrdinalIgnoreCase))
            return code == StatusCodes.Status429TooManyRequests
                ? Problem(statusCode: code, title: text["Error.TooManyRequestsTitle"], detail: text["Error.TooManyRequestsText"])
                : Problem(statusCode: code, title: text[code == 404 ? "Error.NotFoundTitle" : "Error.GenericTitle"]);

        Response.StatusCode = code;
        ViewData["Language"] = PathOrQueryCultureProvider.LanguageOf(Request);
        return View(code == 404 ? "NotFound" : "Error", code);
    }
}
