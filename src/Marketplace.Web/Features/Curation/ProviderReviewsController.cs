using Marketplace.Web.Domain;
using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Matching;
using Marketplace.Web.Features.Directory;
using Marketplace.Web.Features.Needs;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Email;
using Marketplace.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Marketplace.Web.Features.Curation;

/// <summary>
/// « Demander une révision », the providers' side (s. 12.1), as the verification team answers it: the provider's
/// question, the request it is about (anonymized, as the provider sees it) with the reasons it was shown, and the
/// answer, emailed to the provider's members and shown on their « Demandes pour vous ». The first answer stands.
/// </summary>
[Authorize(Roles = Roles.Curator)]
[TwoFactor.RequireTwoFactor]
public sealed class ProviderReviewsController(
    MarketplaceDbContext db,
    UserManager<MarketplaceUser> users,
    MatchCards cards,
    Vocabulary vocabulary,
    MemberEmails members,
    TimeProvider time,
    IStringLocalizer<SharedResource> text) : Controller
{
    private const string View_ = "~/Features/Curation/ProviderReview.cshtml";

    public sealed record Page(ProviderReview Review, string Provider, string ProviderSlug, NeedRequest? Request,
        IReadOnlyDictionary<Infrastructure.Search.Facet, IReadOnlyList<Vocabulary.Term>> Terms, string? RegionName,
        IReadOnlyList<string> Reasons, bool StillMatched, string? Answer);

    [HttpGet("fr/conservation/revisions-fournisseurs/{id:int}", Name = "curation-provider-review.fr")]
    [HttpGet("en/curation/provider-reviews/{id:int}", Name = "curation-provider-review.en")]
    public async Task<IActionResult> Show(int id, CancellationToken cancellationToken)
    {
        var page = await PageAsync(id, null, cancellationToken);
        return page is null ? NotFound() : View(View_, page);
    }

    [HttpPost("fr/conservation/revisions-fournisseurs/{id:int}")]
    [HttpPost("en/curation/provider-reviews/{id:int}")]
    public async Task<IActionResult> Answer(int id, string? answer, CancellationToken cancellationToken)
    {
        var review = await db.ProviderReviews.SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (review is null) return NotFound();
        if (review.Answered) return await RefuseAsync(id, answer, "Curation.AlreadyAnswered", StatusCodes.Status409Conflict, cancellationToken);
        if (string.IsNullOrWhiteSpace(answer)) return await RefuseAsync(id, answer, "Curation.AnswerRequired", StatusCodes.Status400BadRequest, cancellationToken);
        if (answer.Trim().Length > ProviderReview.TextMaxLength) return await RefuseAsync(id, answer, "Needs.Problem.TooLong", StatusCodes.Status400BadRequest, cancellationToken);
        try
        {
            review.Respond(users.GetUserId(User)!, answer, time.GetUtcNow());
            var organizationId = await db.Organizations.Where(o => o.ProviderId == review.ProviderId).Select(o => (int?)o.Id).FirstOrDefaultAsync(cancellationToken);
            if (organizationId is { } owner)
                await members.EnqueueAsync(owner, _ => new MemberEmails.Letter(text["ProviderReviews.Email.Subject"],
                    [text["ProviderReviews.Email.Body"], text["ProviderReviews.Email.Answer", review.Answer!]], text["ProviderReviews.Email.Link"],
                    review.RequestId is { } r ? $"fr/compte/demandes/{r}" : "fr/compte/demandes",
                    review.RequestId is { } e ? $"en/account/requests/{e}" : "en/account/requests"), cancellationToken);
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
        var review = await db.ProviderReviews.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (review is null) return null;
        var provider = await db.Providers.AsNoTracking().Include(p => p.Offerings).SingleAsync(p => p.Id == review.ProviderId, cancellationToken);
        var terms = await vocabulary.TermsAsync(cancellationToken);
        NeedRequest? request = null;
        string? regionName = null;
        IReadOnlyList<string> reasons = [];
        var matched = false;
        if (review.RequestId is { } requestId)
        {
            request = await db.NeedRequests.AsNoTracking().SingleOrDefaultAsync(r => r.Id == requestId, cancellationToken);
            if (request is not null)
            {
                regionName = await vocabulary.RegionNameAsync(request.Region, cancellationToken);
                var match = await db.Matches.AsNoTracking().SingleOrDefaultAsync(m => m.RequestId == requestId && m.ProviderId == provider.Id, cancellationToken);
                if (match is not null) (reasons, matched) = (cards.Reasons(request, match, provider, terms, regionName), true);
            }
        }
        return new Page(review, provider.Name, provider.Slug, request, terms, regionName, reasons, matched, answer);
    }
}
