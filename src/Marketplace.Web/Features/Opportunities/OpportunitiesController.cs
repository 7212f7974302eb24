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

namespace Marketplace.Web.Features.Opportunities;

/// <summary>
/// A provider's view of the requests matched to its listing, anonymized: region, categories, description, budget and
/// timeline, never the nonprofit's name or title, until the nonprofit chooses to share its details. The provider can
/// say it is interested; the nonprofit is told. Another provider's id, or a request not matched to this provider, is a 404.
/// </summary>
[Authorize(Roles = Roles.Provider)]
public sealed class OpportunitiesController(
    MarketplaceDbContext db,
    UserManager<MarketplaceUser> users,
    Vocabulary vocabulary,
    NeedEmails emails,
    MatchCards cards,
    TimeProvider time,
    IStringLocalizer<SharedResource> text) : Controller
{
    public sealed record ListItem(NeedRequest Request, DateTimeOffset MatchedAt, MatchResponse? Response);

    /// <summary>A review the provider asked for, and the team's answer once given.</summary>
    public sealed record ReviewRow(int Id, int? RequestId, string Question, DateTimeOffset RequestedAt, string? Answer, DateTimeOffset? AnsweredAt);

    /// <param name="Reasons">Why this request was shown to this provider, in plain words (the nonprofit's own match reasons).</param>
    public sealed record Page(NeedRequest Request, DateTimeOffset? MatchedAt, MatchResponse? Response, NeedEmails.Disclosure? Disclosure,
        IReadOnlyDictionary<Infrastructure.Search.Facet, IReadOnlyList<Vocabulary.Term>> Terms, string RegionName,
        int? ConversationId = null, IReadOnlyList<string>? Reasons = null, IReadOnlyList<ReviewRow>? Reviews = null, string? Question = null);

    [HttpGet("fr/compte/demandes", Name = "opportunities.fr")]
    [HttpGet("en/account/requests", Name = "opportunities.en")]
    public async Task<IActionResult> Index(CancellationToken cancellationToken)
    {
        var providerId = await ProviderIdAsync();
        if (providerId is null)
        {
            // A provider organization whose listing is not published yet: say why the list is empty and where to go.
            return await IsProviderMemberAsync() ? View("NotPublished") : NotFound();
        }
        var rows = await (from m in db.Matches.AsNoTracking()
                          join r in db.NeedRequests.AsNoTracking() on m.RequestId equals r.Id
                          where m.ProviderId == providerId && r.Status == RequestStatus.Open
                          orderby m.FirstMatchedAt descending, r.Id descending
                          select new { Request = r, m.FirstMatchedAt }).Take(200).ToListAsync(cancellationToken);
        var ids = rows.Select(r => r.Request.Id).ToArray();
        var responses = await db.MatchResponses.AsNoTracking().Where(x => x.ProviderId == providerId && ids.Contains(x.RequestId))
            .ToDictionaryAsync(x => x.RequestId, cancellationToken);
        ViewData["Terms"] = await vocabulary.TermsAsync(cancellationToken);
        ViewData["Reviews"] = await ReviewsAsync(providerId.Value, null, cancellationToken);
        ViewData["TopCount"] = Matching.MatchingRun.TopCount;
        return View(nameof(Index), rows.Where(r => responses.GetValueOrDefault(r.Request.Id)?.Dismissed != true)
            .Select(r => new ListItem(r.Request, r.FirstMatchedAt, responses.GetValueOrDefault(r.Request.Id))).ToList());
    }

    [HttpGet("fr/compte/demandes/{id:int}", Name = "opportunity.fr")]
    [HttpGet("en/account/requests/{id:int}", Name = "opportunity.en")]
    public async Task<IActionResult> Show(int id, CancellationToken cancellationToken)
    {
        var page = await PageAsync(id, cancellationToken);
        return page is null ? NotFound() : View(page);
    }

    [HttpPost("fr/compte/demandes/{id:int}/interesse", Name = "opportunity-interest.fr")]
    [HttpPost("en/account/requests/{id:int}/interested", Name = "opportunity-interest.en")]
    public async Task<IActionResult> Interested(int id, CancellationToken cancellationToken)
    {
        var providerId = await ProviderIdAsync();
        var request = providerId is null ? null : await VisibleRequestAsync(id, providerId.Value, cancellationToken);
        if (request is null) return NotFound();
        if ((await users.GetUserAsync(User))?.EmailConfirmed != true)
        {
            Account.ConfirmedEmail.Refuse(this, text["Opportunities.ConfirmEmailFirst"]);
            return View(nameof(Show), await PageAsync(id, cancellationToken));
        }
        var response = await db.MatchResponses.SingleOrDefaultAsync(r => r.RequestId == id && r.ProviderId == providerId, cancellationToken);
        if (response is null) db.MatchResponses.Add(response = new MatchResponse(id, providerId!.Value));
        if (response.Dismissed)
        {
            // The nonprofit set this provider aside; say so without naming who or why.
            Response.StatusCode = StatusCodes.Status409Conflict;
            ViewData["Errors"] = new[] { text["Opportunities.NoLongerOpen"].Value };
            return View(nameof(Show), await PageAsync(id, cancellationToken));
        }
        if (response.Interested(time.GetUtcNow()))
        {
            var name = await db.Providers.Where(p => p.Id == providerId).Select(p => p.Name).SingleAsync(cancellationToken);
            await emails.InterestedAsync(request, name, cancellationToken);
        }
        await db.SaveChangesAsync(cancellationToken);
        TempData["Notice"] = text["Opportunities.InterestSent"].Value;
        return RedirectToRoute(LocalizedLinks.RouteName("opportunity"), new { id });
    }

    /// <summary>
    /// « Demander une révision » (s. 12.1, the providers' side): a question to the verification team about the list as a
    /// whole (no <paramref name="id"/>) or about one request shown; it waits in the team's queue, the answer comes by email
    /// and shows here. One open question per subject at a time.
    /// </summary>
    [HttpPost("fr/compte/demandes/revision", Name = "opportunities-review.fr")]
    [HttpPost("en/account/requests/review", Name = "opportunities-review.en")]
    [HttpPost("fr/compte/demandes/{id:int}/revision", Name = "opportunity-review.fr")]
    [HttpPost("en/account/requests/{id:int}/review", Name = "opportunity-review.en")]
    public async Task<IActionResult> AskReview(int? id, string? question, CancellationToken cancellationToken)
    {
        var providerId = await ProviderIdAsync();
        if (providerId is null) return NotFound();
        if (id is { } requestId && await VisibleRequestAsync(requestId, providerId.Value, cancellationToken) is null) return NotFound();
        string? problem = null;
        var status = StatusCodes.Status400BadRequest;
        if (string.IsNullOrWhiteSpace(question)) problem = text["ProviderReviews.QuestionRequired"];
        else if (question.Trim().Length > ProviderReview.TextMaxLength) problem = text["Needs.Problem.TooLong"];
        else if (await db.ProviderReviews.AnyAsync(r => r.ProviderId == providerId && r.RequestId == id && r.AnsweredAt == null, cancellationToken))
            (problem, status) = (text["ProviderReviews.AlreadyAsked"], StatusCodes.Status409Conflict);
        if (problem is not null)
        {
            Response.StatusCode = status;
            ViewData["Errors"] = new[] { problem };
            if (id is { } shown) return View(nameof(Show), (await PageAsync(shown, cancellationToken))! with { Question = question });
            ViewData["Question"] = question;
            return await Index(cancellationToken);
        }
        db.ProviderReviews.Add(new ProviderReview(providerId.Value, id, users.GetUserId(User)!, question!, time.GetUtcNow()));
        await db.SaveChangesAsync(cancellationToken);
        TempData["Notice"] = text["ProviderReviews.Sent"].Value;
        return id is { } back
            ? RedirectToRoute(LocalizedLinks.RouteName("opportunity"), new { id = back })
            : RedirectToRoute(LocalizedLinks.RouteName("opportunities"));
    }

    private Task<List<ReviewRow>> ReviewsAsync(int providerId, int? requestId, CancellationToken cancellationToken) =>
        db.ProviderReviews.AsNoTracking().Where(r => r.ProviderId == providerId && r.RequestId == requestId)
            .OrderByDescending(r => r.RequestedAt).ThenByDescending(r => r.Id)
            .Select(r => new ReviewRow(r.Id, r.RequestId, r.Question, r.RequestedAt, r.Answer, r.AnsweredAt)).ToListAsync(cancellationToken);

    private async Task<bool> IsProviderMemberAsync()
    {
        var user = await users.GetUserAsync(User);
        return user?.OrganizationId is { } organizationId
               && await db.Organizations.AnyAsync(o => o.Id == organizationId && o.Kind == OrganizationKind.Provider);
    }

    private async Task<int?> ProviderIdAsync()
    {
        var user = await users.GetUserAsync(User);
        return user?.OrganizationId is { } organizationId
            ? await db.Organizations.AsNoTracking().Where(o => o.Id == organizationId && o.Kind == OrganizationKind.Provider)
                .Select(o => o.ProviderId).SingleOrDefaultAsync()
            : null;
    }

    /// <summary>
    /// A request this provider may see: it is open (a paused or closed request is hidden from providers), and it is
    /// matched to this provider now, or the nonprofit already wrote to it or it already said it was interested (so a
    /// recompute does not cut a conversation short).
    /// </summary>
    private async Task<NeedRequest?> VisibleRequestAsync(int id, int providerId, CancellationToken cancellationToken) =>
        await db.NeedRequests.AsNoTracking().Where(r => r.Id == id && r.Status == RequestStatus.Open
                && (db.Matches.Any(m => m.RequestId == id && m.ProviderId == providerId)
                    || db.MatchResponses.Any(x => x.RequestId == id && x.ProviderId == providerId && x.DismissedAt == null
                                                  && (x.ContactedAt != null || x.InterestedAt != null || x.DetailsSharedAt != null))))
            .SingleOrDefaultAsync(cancellationToken);

    private async Task<Page?> PageAsync(int id, CancellationToken cancellationToken)
    {
        var providerId = await ProviderIdAsync();
        var request = providerId is null ? null : await VisibleRequestAsync(id, providerId.Value, cancellationToken);
        if (request is null) return null;
        var matchedAt = await db.Matches.Where(m => m.RequestId == id && m.ProviderId == providerId).Select(m => (DateTimeOffset?)m.FirstMatchedAt)
            .SingleOrDefaultAsync(cancellationToken);
        var response = await db.MatchResponses.AsNoTracking().SingleOrDefaultAsync(r => r.RequestId == id && r.ProviderId == providerId, cancellationToken);
        if (response?.Dismissed == true) return null;
        var disclosure = response?.SharedByUserId is { } userId ? await emails.DisclosureAsync(request.OrganizationId, userId, cancellationToken) : null;
        var conversationId = await db.Conversations.Where(c => c.RequestId == id && c.ProviderId == providerId).Select(c => (int?)c.Id)
            .FirstOrDefaultAsync(cancellationToken);
        var regionName = await vocabulary.RegionNameAsync(request.Region, cancellationToken);
        var terms = await vocabulary.TermsAsync(cancellationToken);
        var match = await db.Matches.AsNoTracking().SingleOrDefaultAsync(m => m.RequestId == id && m.ProviderId == providerId, cancellationToken);
        IReadOnlyList<string> reasons = [];
        if (match is not null)
        {
            var provider = await db.Providers.AsNoTracking().Include(p => p.Offerings).SingleAsync(p => p.Id == providerId, cancellationToken);
            reasons = cards.Reasons(request, match, provider, terms, regionName);
        }
        return new Page(request, matchedAt, response, disclosure, terms, regionName, conversationId, reasons,
            await ReviewsAsync(providerId!.Value, id, cancellationToken));
    }
}
