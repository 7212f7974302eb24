using System.ComponentModel.DataAnnotations;
using Marketplace.Web.Domain.Privacy;
using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Features.Curation;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Localization;
using Marketplace.Web.Infrastructure.Web;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Marketplace.Web.Features.Directory;

/// <summary>
/// « Demander le retrait de cette fiche » (Act, s. 28.1): open to anybody, signed in or not, on every published listing;
/// the request lands in the verification team's queue. Rate-limited like the account forms.
/// </summary>
public sealed class WithdrawalController(MarketplaceDbContext db, WithdrawalRequests requests, IStringLocalizer<SharedResource> text) : Controller
{
    public sealed record Page(string Slug, string Listing, string? Name, string? Email, string? Reason, bool Sent);

    private const string View_ = "~/Features/Directory/Withdrawal.cshtml";

    [HttpGet("fr/fournisseurs/{slug}/retrait", Name = "withdrawal.fr")]
    [HttpGet("en/providers/{slug}/withdrawal", Name = "withdrawal.en")]
    public async Task<IActionResult> Start(string slug, bool sent, CancellationToken cancellationToken)
    {
        var listing = await ListingAsync(slug, cancellationToken);
        return listing is null ? NotFound() : View(View_, new Page(slug, listing.Value.Name, null, null, null, sent));
    }

    [HttpPost("fr/fournisseurs/{slug}/retrait")]
    [HttpPost("en/providers/{slug}/withdrawal")]
    [EnableRateLimiting(Account.AccountController.RateLimitPolicy)]
    public async Task<IActionResult> Ask(string slug, string? name, string? email, string? reason, CancellationToken cancellationToken)
    {
        var listing = await ListingAsync(slug, cancellationToken);
        if (listing is null) return NotFound();
        string? problem = null;
        if (string.IsNullOrWhiteSpace(email) || email.Trim().Length > WithdrawalRequest.EmailMaxLength || !new EmailAddressAttribute().IsValid(email.Trim()))
            problem = text["Withdrawals.Problem.Email"];
        else if (string.IsNullOrWhiteSpace(reason)) problem = text["Withdrawals.Problem.Reason"];
        else if (reason.Trim().Length > WithdrawalRequest.TextMaxLength || name?.Trim().Length > WithdrawalRequest.NameMaxLength)
            problem = text["Withdrawals.Problem.TooLong", WithdrawalRequest.TextMaxLength];
        if (problem is not null)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            ViewData["Errors"] = new[] { problem };
            return View(View_, new Page(slug, listing.Value.Name, name, email, reason, false));
        }
        await requests.AskAsync(listing.Value.Id, name, email!.Trim(), reason!, Cultures.Current, cancellationToken);
        return RedirectToRoute(LocalizedLinks.RouteName("withdrawal"), new { slug, sent = true });
    }

    private async Task<(int Id, string Name)?> ListingAsync(string slug, CancellationToken cancellationToken)
    {
        if (!Provider.IsValidSlug(slug)) return null;
        var listing = await db.Providers.AsNoTracking().Where(p => p.Slug == slug && p.Status == ListingStatus.Published)
            .Select(p => new { p.Id, p.Name }).SingleOrDefaultAsync(cancellationToken);
        return listing is null ? null : (listing.Id, listing.Name);
    }
}
