using Marketplace.Web.Domain;
using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Matching;
using Marketplace.Web.Features.Directory;
using Marketplace.Web.Features.Needs;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Marketplace.Web.Features.Curation;

/// <summary>
/// « Demander une révision par une personne », the curators' side: the request, its automatic suggestions with their
/// reasons, the nonprofit's question, and the answer, which the nonprofit is told by email and sees on its request.
/// When two curators answer at once, the first answer stands and the second gets a 409.
/// </summary>
[Authorize(Roles = Roles.Curator)]
[TwoFactor.RequireTwoFactor]
public sealed class HumanReviewsController(
    MarketplaceDbContext db,
    UserManager<MarketplaceUser> users,
    MatchCards cards,
    Vocabulary vocabulary,
    NeedEmails emails,
    Privacy.StaffAccessLog accessLog,
    TimeProvider time,
    IStringLocalizer<SharedResource> text) : Controller
{
    private const string View_ = "~/Features/Curation/HumanReview.cshtml";

    public sealed record Page(HumanReview Review, NeedRequest Request, string Organization, IReadOnlyList<MatchCards.Card> Matches,
        IReadOnlyDictionary<Infrastructure.Search.Facet, IReadOnlyList<Vocabulary.Term>> Terms, string RegionName, string? Answer);

    [HttpGet("fr/conservation/revisions-humaines/{id:int}", Name = "curation-human-review.fr")]
    [HttpGet("en/curation/human-reviews/{id:int}", Name = "curation-human-review.en")]
    public async Task<IActionResult> Show(int id, CancellationToken cancellationToken)
    {
        var page = await PageAsync(id, null, cancellationToken);
        if (page is null) return NotFound();
        await accessLog.RecordAsync(User, StaffAccessKind.HumanReview, page.Review.Id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            page.Review.RequestedByUserId, page.Request.OrganizationId, cancellationToken);
        return View(View_, page);
    }

    [HttpPost("fr/conservation/revisions-humaines/{id:int}")]
    [HttpPost("en/curation/human-reviews/{id:int}")]
    public async Task<IActionResult> Answer(int id, string? answer, CancellationToken cancellationToken)
    {
        var review = await db.HumanReviews.SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (review is null) return NotFound();
        if (review.Answered) return await RefuseAsync(id, answer, "Curation.AlreadyAnswered", StatusCodes.Status409Conflict, cancellationToken);
        if (string.IsNullOrWhiteSpace(answer)) return await RefuseAsync(id, answer, "Curation.AnswerRequired", StatusCodes.Status400BadRequest, cancellationToken);
        if (answer.Trim().Length > HumanReview.TextMaxLength) return await RefuseAsync(id, answer, "Needs.Problem.TooLong", StatusCodes.Status400BadRequest, cancellationToken);
        try
        {
            review.Respond(users.GetUserId(User)!, answer, time.GetUtcNow());
            var request = await db.NeedRequests.AsNoTracking().SingleAsync(r => r.Id == review.RequestId, cancellationToken);
            await emails.ReviewAnsweredAsync(request, review.Answer!, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (Exception e) when (e is DbUpdateConcurrencyException or DomainException)
        {
            db.ChangeTracker.Clear();
            return await RefuseAsync(id, answer, "Curation.AlreadyAnswered", StatusCodes.Status409Conflict, cancellationToken);
        }
        TempData["Notice"] = text["Curation.Answered"].Value;
        return RedirectToRoute(LocalizedLinks.RouteName("curation"));
    }

    private async Task<IActionResult> RefuseAsync(int id, string? answer, string key, int status, CancellationToken cancellationToken)
    {
        Response.StatusCode = status;
        ViewData["Errors"] = new[] { text[key].Value };
        return View(View_, await PageAsync(id, answer, cancellationToken));
    }

    private async Task<Page?> PageAsync(int id, string? answer, CancellationToken cancellationToken)
    {
        var review = await db.HumanReviews.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (review is null) return null;
        var request = await db.NeedRequests.AsNoTracking().SingleAsync(r => r.Id == review.RequestId, cancellationToken);
        var organization = await db.Organizations.AsNoTracking().Where(o => o.Id == request.OrganizationId).Select(o => o.Name).SingleAsync(cancellationToken);
        return new Page(review, request, organization, await cards.ForAsync(request, cancellationToken), await vocabulary.TermsAsync(cancellationToken),
            await vocabulary.RegionNameAsync(request.Region, cancellationToken), answer);
    }
}
