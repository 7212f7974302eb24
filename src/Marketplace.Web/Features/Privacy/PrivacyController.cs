using Marketplace.Web.Domain.Accounts;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;

namespace Marketplace.Web.Features.Privacy;

/// <summary>« Mes données »: what the export holds, and its button, which streams the ZIP of the signed-in person's data.</summary>
[Authorize]
public sealed class PrivacyController(UserManager<MarketplaceUser> users, PersonalDataExport export, TimeProvider time) : Controller
{
    [HttpGet("fr/compte/donnees", Name = "my-data.fr")]
    [HttpGet("en/account/data", Name = "my-data.en")]
    public IActionResult MyData() => View();

    /// <summary>A POST (antiforgery checked): the export is audited, so no link or prefetch may start it.</summary>
    [HttpPost("fr/compte/donnees")]
    [HttpPost("en/account/data")]
    [EnableRateLimiting(Account.AccountController.RateLimitPolicy)]
    public async Task<IActionResult> Export(CancellationToken cancellationToken)
    {
        var userId = users.GetUserId(User) ?? throw new InvalidOperationException("Signed in without an account.");
        var day = time.GetUtcNow().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        Response.ContentType = "application/zip";
        Response.Headers.ContentDisposition = $"attachment; filename=\"{(Infrastructure.Web.Cultures.IsEnglish ? "my-data" : "mes-donnees")}-{day}.zip\"";
        Response.Headers.CacheControl = "no-store";
        await export.WriteAsync(userId, Response.Body, userId, cancellationToken);
        return new EmptyResult();
    }
}
