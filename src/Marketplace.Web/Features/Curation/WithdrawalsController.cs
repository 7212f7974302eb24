using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Privacy;
using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Marketplace.Web.Features.Curation;

/// <summary>
/// A request to withdraw a listing, the verification team's side: who asked (name optional, email), why, the listing,
/// and the decision: withdraw (archive) or refuse with a reason. The requester is emailed either way; the first
/// decision stands (409 for the second).
/// </summary>
[Authorize(Roles = Roles.Curator)]
[TwoFactor.RequireTwoFactor]
public sealed class WithdrawalsController(
    MarketplaceDbContext db,
    UserManager<MarketplaceUser> users,
    WithdrawalRequests requests,
    IStringLocalizer<SharedResource> text) : Controller
{
    public sealed record Page(WithdrawalRequest Request, string Listing, string Slug, ListingStatus Status, bool Managed, string? Reason);

    private const string View_ = "~/Features/Curation/Withdrawal.cshtml";

    [HttpGet("fr/conservation/retraits/{id:int}", Name = "curation-withdrawal.fr")]
    [HttpGet("en/curation/withdrawals/{id:int}", Name = "curation-withdrawal.en")]
    public async Task<IActionResult> Show(int id, CancellationToken cancellationToken)
    {
        var page = await PageAsync(id, null, cancellationToken);
        return page is null ? NotFound() : View(View_, page);
    }

    [HttpPost("fr/conservation/retraits/{id:int}")]
    [HttpPost("en/curation/withdrawals/{id:int}")]
    public async Task<IActionResult> Decide(int id, string? decision, string? reason, CancellationToken cancellationToken)
    {
        if (await PageAsync(id, reason, cancellationToken) is null) return NotFound();
        var withdraw = decision == "withdraw";
        if (!withdraw && decision != "refuse") return await RefuseAsync(id, reason, "Withdrawals.Problem.Decision", StatusCodes.Status400BadRequest, cancellationToken);
        if (!withdraw && string.IsNullOrWhiteSpace(reason)) return await RefuseAsync(id, reason, "Withdrawals.Problem.RefusalReason", StatusCodes.Status400BadRequest, cancellationToken);
        if (reason?.Trim().Length > WithdrawalRequest.TextMaxLength) return await RefuseAsync(id, reason, "Needs.Problem.TooLong", StatusCodes.Status400BadRequest, cancellationToken);
        switch (await requests.DecideAsync(id, withdraw, users.GetUserId(User)!, reason, cancellationToken))
        {
            case WithdrawalRequests.Outcome.Gone: return NotFound();
            case WithdrawalRequests.Outcome.AlreadyDecided:
                return await RefuseAsync(id, reason, "Withdrawals.Problem.AlreadyDecided", StatusCodes.Status409Conflict, cancellationToken);
        }
        TempData["Notice"] = text[withdraw ? "Withdrawals.DoneWithdrawn" : "Withdrawals.DoneRefused"].Value;
        return RedirectToRoute(LocalizedLinks.RouteName("curation"));
    }

    private async Task<IActionResult> RefuseAsync(int id, string? reason, string key, int status, CancellationToken cancellationToken)
    {
        Response.StatusCode = status;
        ViewData["Errors"] = new[] { text[key].Value };
        return View(View_, await PageAsync(id, reason, cancellationToken));
    }

    private async Task<Page?> PageAsync(int id, string? reason, CancellationToken cancellationToken)
    {
        var request = await db.WithdrawalRequests.AsNoTracking().SingleOrDefaultAsync(w => w.Id == id, cancellationToken);
        if (request is null) return null;
        var listing = await db.Providers.AsNoTracking().Where(p => p.Id == request.ProviderId)
            .Select(p => new { p.Name, p.Slug, p.Status, Managed = db.Organizations.Any(o => o.ProviderId == p.Id) }).SingleAsync(cancellationToken);
        return new Page(request, listing.Name, listing.Slug, listing.Status, listing.Managed, reason);
    }
}
