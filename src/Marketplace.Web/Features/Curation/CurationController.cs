using System.ComponentModel.DataAnnotations;
using Marketplace.Web.Domain;
using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Marketplace.Web.Features.Curation;

/// <summary>The curators' queue of submissions (oldest first) and the review of one: whole listing or exact changes, history, decision.</summary>
[Authorize(Roles = Roles.Curator)]
[TwoFactor.RequireTwoFactor]
public sealed class CurationController(
    MarketplaceDbContext db,
    UserManager<MarketplaceUser> users,
    ListingWorkflow workflow,
    Directory.Vocabulary vocabulary,
    Privacy.StaffAccessLog accessLog,
    TimeProvider time,
    IStringLocalizer<SharedResource> text) : Controller
{
    public sealed record QueueItem(int RevisionId, string Name, string Organization, bool IsEdit, DateTimeOffset SubmittedAt, TimeSpan Age);

    public sealed record ReviewItem(int ReviewId, string Title, string Organization, DateTimeOffset RequestedAt, TimeSpan Age);

    public sealed record WithdrawalItem(int Id, string Listing, DateTimeOffset RequestedAt, TimeSpan Age);

    public sealed record ProviderReviewItem(int Id, string Provider, DateTimeOffset RequestedAt, TimeSpan Age);

    public sealed record QueuePage(IReadOnlyList<QueueItem> Submissions, IReadOnlyList<ReviewItem> Reviews,
        IReadOnlyList<WithdrawalItem>? Withdrawals = null, IReadOnlyList<ProviderReviewItem>? ProviderReviews = null);

    public sealed record Review(
        ListingRevision Revision,
        string Organization,
        ListingContent? Published,
        IReadOnlyList<string> Changed,
        IReadOnlyList<AuditEntry> History,
        IReadOnlyDictionary<string, string> Actors,
        IReadOnlyDictionary<Infrastructure.Search.Facet, IReadOnlyList<Directory.Vocabulary.Term>> Terms);

    public sealed class DecisionForm
    {
        public int Version { get; set; }
        [Required] public string Decision { get; set; } = "";
        [StringLength(ListingRevision.ReasonMaxLength)] public string? Reason { get; set; }
    }

    [HttpGet("fr/conservation", Name = "curation.fr")]
    [HttpGet("en/curation", Name = "curation.en")]
    public async Task<IActionResult> Queue(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var rows = await (from r in db.ListingRevisions.AsNoTracking()
                          join o in db.Organizations on r.OrganizationId equals o.Id
                          where r.State == RevisionState.Submitted
                          orderby r.SubmittedAt, r.Id
                          select new { r.Id, r.Content, Organization = o.Name, r.ProviderId, r.SubmittedAt })
            .ToListAsync(cancellationToken);
        var reviews = await (from v in db.HumanReviews.AsNoTracking()
                             join r in db.NeedRequests on v.RequestId equals r.Id
                             join o in db.Organizations on r.OrganizationId equals o.Id
                             where v.AnsweredAt == null
                             orderby v.RequestedAt, v.Id
                             select new { v.Id, r.Title, Organization = o.Name, v.RequestedAt })
            .ToListAsync(cancellationToken);
        var withdrawals = await (from w in db.WithdrawalRequests.AsNoTracking()
                                 join p in db.Providers on w.ProviderId equals p.Id
                                 where w.Decision == Domain.Privacy.WithdrawalDecision.Pending
                                 orderby w.RequestedAt, w.Id
                                 select new { w.Id, p.Name, w.RequestedAt }).ToListAsync(cancellationToken);
        var providerReviews = await (from v in db.ProviderReviews.AsNoTracking()
                                     join p in db.Providers on v.ProviderId equals p.Id
                                     where v.AnsweredAt == null
                                     orderby v.RequestedAt, v.Id
                                     select new { v.Id, p.Name, v.RequestedAt }).ToListAsync(cancellationToken);
        return View(new QueuePage(
            rows.Select(r => new QueueItem(r.Id, r.Content.Name, r.Organization, r.ProviderId is not null, r.SubmittedAt!.Value,
                now - r.SubmittedAt.Value)).ToList(),
            reviews.Select(v => new ReviewItem(v.Id, v.Title, v.Organization, v.RequestedAt, now - v.RequestedAt)).ToList(),
            withdrawals.Select(w => new WithdrawalItem(w.Id, w.Name, w.RequestedAt, now - w.RequestedAt)).ToList(),
            providerReviews.Select(v => new ProviderReviewItem(v.Id, v.Name, v.RequestedAt, now - v.RequestedAt)).ToList()));
    }

    [HttpGet("fr/conservation/a-reverifier", Name = "curation-reverify.fr")]
    [HttpGet("en/curation/to-reverify", Name = "curation-reverify.en")]
    public async Task<IActionResult> Reverify([FromServices] Reverification reverification, CancellationToken cancellationToken) =>
        View(await reverification.DueAsync(cancellationToken));

    [HttpGet("fr/conservation/revisions/{id:int}", Name = "curation-review.fr")]
    [HttpGet("en/curation/revisions/{id:int}", Name = "curation-review.en")]
    public async Task<IActionResult> Show(int id, CancellationToken cancellationToken)
    {
        var review = await ReviewAsync(id, cancellationToken);
        if (review is null) return NotFound();
        await accessLog.RecordAsync(User, StaffAccessKind.ListingRevision, id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            review.Revision.AuthorUserId, review.Revision.OrganizationId, cancellationToken);
        return View(review);
    }

    [HttpPost("fr/conservation/revisions/{id:int}")]
    [HttpPost("en/curation/revisions/{id:int}")]
    public async Task<IActionResult> Decide(int id, DecisionForm form, CancellationToken cancellationToken)
    {
        var review = await ReviewAsync(id, cancellationToken);
        if (review is null) return NotFound();
        if (!Enum.TryParse<Decision>(form.Decision, out var decision) || !ModelState.IsValid)
            return Refuse(review, text["Curation.ChooseDecision"], StatusCodes.Status400BadRequest);
        if (decision != Decision.Approve && string.IsNullOrWhiteSpace(form.Reason))
            return Refuse(review, text["Curation.ReasonRequired"], StatusCodes.Status400BadRequest);

        var curator = users.GetUserId(User)!;
        DecisionOutcome outcome;
        try
        {
            outcome = await workflow.DecideAsync(id, form.Version, decision, curator, form.Reason, cancellationToken);
        }
        catch (DomainException)
        {
            return Refuse(review, text["Listing.Invalid"], StatusCodes.Status400BadRequest);
        }
        if (outcome == DecisionOutcome.AlreadyDecided)
        {
            var fresh = await ReviewAsync(id, cancellationToken);
            return Refuse(fresh!, text["Curation.AlreadyDecided"], StatusCodes.Status409Conflict);
        }
        TempData["Notice"] = text[$"Curation.Done.{decision}"].Value;
        return RedirectToRoute(LocalizedLinks.RouteName("curation"));
    }

    /// <summary>
    /// A curator withdraws a published listing (with a reason the provider is told): it leaves search at once. The first
    /// POST shows what will happen; only the confirmed one archives (ADR 0016). Restoring undoes it.
    /// </summary>
    [HttpPost("fr/conservation/fiches/{providerId:int}/archiver", Name = "curation-archive.fr")]
    [HttpPost("en/curation/listings/{providerId:int}/archive", Name = "curation-archive.en")]
    public async Task<IActionResult> Archive(int providerId, string? reason, bool confirm, [FromServices] Reverification reverification,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(reason) || reason.Trim().Length > ListingRevision.ReasonMaxLength)
            return await ReverifyProblemAsync(reverification, text["Curation.ArchiveReasonRequired"], StatusCodes.Status400BadRequest, cancellationToken);
        var listing = await db.Providers.AsNoTracking().Where(p => p.Id == providerId)
            .Select(p => new { p.Name, Owned = db.Organizations.Any(o => o.ProviderId == p.Id) }).SingleOrDefaultAsync(cancellationToken);
        if (listing is null) return NotFound();
        if (!confirm)
            return View("Confirm", new Shared.Confirmation(text["Curation.ArchiveConfirmTitle", listing.Name],
                [
                    text["Curation.ArchiveConfirm.Search"],
                    listing.Owned ? text["Curation.ArchiveConfirm.Email", reason.Trim()] : text["Curation.ArchiveConfirm.NoOwner", reason.Trim()],
                    text["Curation.ArchiveConfirm.Undo"],
                ],
                Url.RouteUrl(LocalizedLinks.RouteName("curation-archive"), new { providerId })!,
                new Dictionary<string, string> { ["reason"] = reason.Trim() }, text["Listing.ArchiveButton"],
                Url.RouteUrl(LocalizedLinks.RouteName("curation-reverify"))!));
        try
        {
            if (!await workflow.ArchiveAsync(providerId, organizationId: null, users.GetUserId(User)!, reason.Trim(), cancellationToken))
                return NotFound();
        }
        catch (DomainException)
        {
            return await ReverifyProblemAsync(reverification, text["Listing.CannotEdit"], StatusCodes.Status409Conflict, cancellationToken);
        }
        TempData["Notice"] = text["Listing.Archived"].Value;
        return RedirectToRoute(LocalizedLinks.RouteName("curation-reverify"));
    }

    /// <summary>
    /// « Renouveler la vérification »: a curator checked a listing again (the note says what and how); its verification
    /// date moves to now, which takes it off the « à revérifier » list and out of « vérification à renouveler ».
    /// </summary>
    [HttpPost("fr/conservation/fiches/{providerId:int}/renouveler", Name = "curation-renew.fr")]
    [HttpPost("en/curation/listings/{providerId:int}/renew", Name = "curation-renew.en")]
    public async Task<IActionResult> RenewVerification(int providerId, string? note, [FromServices] Reverification reverification,
        CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(note) || note.Trim().Length > ListingRevision.ReasonMaxLength)
            return await ReverifyProblemAsync(reverification, text["Curation.RenewNoteRequired"], StatusCodes.Status400BadRequest, cancellationToken);
        var name = await db.Providers.AsNoTracking().Where(p => p.Id == providerId).Select(p => p.Name).SingleOrDefaultAsync(cancellationToken);
        if (name is null) return NotFound();
        try
        {
            if (!await workflow.RenewVerificationAsync(providerId, users.GetUserId(User)!, note.Trim(), cancellationToken)) return NotFound();
        }
        catch (DomainException)
        {
            return await ReverifyProblemAsync(reverification, text["Curation.CannotRenew"], StatusCodes.Status409Conflict, cancellationToken);
        }
        TempData["Notice"] = text["Curation.Renewed", name].Value;
        return RedirectToRoute(LocalizedLinks.RouteName("curation-reverify"));
    }

    [HttpGet("fr/conservation/archivees", Name = "curation-archived.fr")]
    [HttpGet("en/curation/archived", Name = "curation-archived.en")]
    public async Task<IActionResult> Archived([FromServices] Reverification reverification, CancellationToken cancellationToken) =>
        View(await reverification.ArchivedAsync(cancellationToken));

    /// <summary>A curator undoes an archive: the listing is published again as it was (ADR 0016), with an optional note to the provider.</summary>
    [HttpPost("fr/conservation/fiches/{providerId:int}/retablir", Name = "curation-restore.fr")]
    [HttpPost("en/curation/listings/{providerId:int}/restore", Name = "curation-restore.en")]
    public async Task<IActionResult> Restore(int providerId, string? note, [FromServices] Reverification reverification,
        CancellationToken cancellationToken)
    {
        if (note?.Trim().Length > ListingRevision.ReasonMaxLength)
            return await ArchivedProblemAsync(reverification, text["Curation.NoteTooLong"], StatusCodes.Status400BadRequest, cancellationToken);
        var name = await db.Providers.AsNoTracking().Where(p => p.Id == providerId).Select(p => p.Name).SingleOrDefaultAsync(cancellationToken);
        if (name is null) return NotFound();
        try
        {
            if (!await workflow.RestoreAsync(providerId, users.GetUserId(User)!, string.IsNullOrWhiteSpace(note) ? null : note.Trim(), cancellationToken))
                return NotFound();
        }
        catch (DomainException)
        {
            return await ArchivedProblemAsync(reverification, text["Curation.CannotRestore"], StatusCodes.Status409Conflict, cancellationToken);
        }
        TempData["Notice"] = text["Curation.Restored", name].Value;
        return RedirectToRoute(LocalizedLinks.RouteName("curation-archived"));
    }

    /// <summary>A refused action on the « à revérifier » list: the list again, with the message, under a 4xx. Nothing was changed.</summary>
    private async Task<IActionResult> ReverifyProblemAsync(Reverification reverification, string message, int status, CancellationToken cancellationToken)
    {
        Response.StatusCode = status;
        ViewData["Errors"] = new[] { message };
        return View(nameof(Reverify), await reverification.DueAsync(cancellationToken));
    }

    private async Task<IActionResult> ArchivedProblemAsync(Reverification reverification, string message, int status, CancellationToken cancellationToken)
    {
        Response.StatusCode = status;
        ViewData["Errors"] = new[] { message };
        return View(nameof(Archived), await reverification.ArchivedAsync(cancellationToken));
    }

    private IActionResult Refuse(Review review, string message, int status)
    {
        Response.StatusCode = status;
        ViewData["Errors"] = new[] { message };
        return View(nameof(Show), review);
    }

    private async Task<Review?> ReviewAsync(int id, CancellationToken cancellationToken)
    {
        var revision = await db.ListingRevisions.AsNoTracking().SingleOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (revision is null) return null;
        // An approved revision outlives its organization once the last member deleted their account (ADR 0027).
        var organization = await db.Organizations.AsNoTracking().Where(o => o.Id == revision.OrganizationId).Select(o => o.Name)
            .SingleOrDefaultAsync(cancellationToken) ?? text["Account.Delete.DeletedOrganization"].Value;
        ListingContent? published = null;
        if (revision.ProviderId is { } providerId && revision.State != RevisionState.Approved)
        {
            var provider = await db.Providers.AsNoTracking().Include(p => p.Offerings).SingleAsync(p => p.Id == providerId, cancellationToken);
            published = ListingContent.Of(provider);
        }
        var history = await db.AuditEntries.AsNoTracking()
            .Where(a => a.OrganizationId == (revision.OrganizationId ?? -1))
            .OrderByDescending(a => a.At).ThenByDescending(a => a.Id).Take(50).ToListAsync(cancellationToken);
        // Who decided: staff and provider accounts by email, for the curators' eyes only.
        var actorIds = history.Select(a => a.ActorUserId).Distinct().ToArray();
        var actors = await db.Users.AsNoTracking().Where(u => actorIds.Contains(u.Id))
            .ToDictionaryAsync(u => u.Id, u => u.Email ?? u.DisplayName, cancellationToken);
        return new Review(revision, organization, published, published is null ? [] : revision.Content.ChangedFrom(published), history, actors,
            await vocabulary.TermsAsync(cancellationToken));
    }
}
