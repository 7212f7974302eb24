using Marketplace.Web.Domain;
using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Email;
using Marketplace.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Marketplace.Web.Features.Claims;

/// <summary>
/// « Vous représentez cet organisme? »: a provider account asks to manage a listing nobody manages. The claim is proven
/// by a link sent to the listing's public email (the link's page asks for one click, so that a mail scanner opening it
/// decides nothing), or decided by the verification team with the evidence given ((ListingCare.ListingCareController)).
/// Once accepted, the organization manages the listing: it edits it through revisions and sees the messages received before.
/// </summary>
public sealed class ClaimsController(
    MarketplaceDbContext db,
    UserManager<MarketplaceUser> users,
    ClaimDecisions decisions,
    PublicAddressEmails publicAddress,
    IStringLocalizer<SharedResource> text,
    TimeProvider time) : Controller
{
    public sealed record ListingInfo(int Id, string Slug, string Name, string? PublicEmail, bool Managed);

    public sealed record ClaimPage(ListingInfo Listing, bool SignedInAsProvider, bool CanClaim, string? Refusal, ListingClaim? Pending,
        string? Evidence, string? Method, bool Unconfirmed = false);

    public sealed record ConfirmPage(int ClaimId, string Token, string Listing, string Organization, bool Valid);

    [HttpGet("fr/fournisseurs/{slug}/reclamer", Name = "claim.fr")]
    [HttpGet("en/providers/{slug}/claim", Name = "claim.en")]
    public async Task<IActionResult> Start(string slug, CancellationToken cancellationToken)
    {
        var page = await PageAsync(slug, null, null, cancellationToken);
        return page is null ? NotFound() : View(page);
    }

    [Authorize(Roles = Roles.Provider)]
    [HttpPost("fr/fournisseurs/{slug}/reclamer")]
    [HttpPost("en/providers/{slug}/claim")]
    public async Task<IActionResult> Create(string slug, string? method, string? evidence, CancellationToken cancellationToken)
    {
        var page = await PageAsync(slug, evidence, method, cancellationToken);
        if (page is null) return NotFound();
        string? problem = page.Refusal;
        var how = method switch { "courriel" => ClaimMethod.PublicEmail, "verification" => ClaimMethod.Review, _ => (ClaimMethod?)null };
        if (problem is null && page.Pending is not null) problem = text["Claims.AlreadyPending"];
        if (problem is null && how is null) problem = text["Claims.MethodRequired"];
        if (problem is null && how == ClaimMethod.PublicEmail && page.Listing.PublicEmail is null) problem = text["Claims.NoPublicEmail"];
        if (problem is null && how == ClaimMethod.Review && string.IsNullOrWhiteSpace(evidence)) problem = text["Claims.EvidenceRequired"];
        if (problem is null && evidence?.Trim().Length > ListingClaim.EvidenceMaxLength) problem = text["Claims.EvidenceTooLong", ListingClaim.EvidenceMaxLength];
        if (problem is not null)
        {
            if (page.Unconfirmed) Account.ConfirmedEmail.Refuse(this, problem);
            else
            {
                Response.StatusCode = page.Refusal is not null || page.Pending is not null ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest;
                ViewData["Errors"] = new[] { problem };
            }
            return View(nameof(Start), page);
        }
        var user = (await users.GetUserAsync(User))!;
        var now = time.GetUtcNow();
        var claim = new ListingClaim(page.Listing.Id, user.OrganizationId!.Value, user.Id, how!.Value, evidence, now);
        db.ListingClaims.Add(claim);
        db.AuditEntries.Add(new AuditEntry(user.OrganizationId.Value, page.Listing.Id, null, user.Id, AuditAction.ClaimRequested,
            how == ClaimMethod.PublicEmail ? $"courriel public : {page.Listing.PublicEmail}" : null, now));
        await db.SaveChangesAsync(cancellationToken); // the link carries the claim's id
        if (how == ClaimMethod.PublicEmail)
        {
            var token = claim.IssueLink(page.Listing.PublicEmail!, now);
            var organization = await db.Organizations.Where(o => o.Id == user.OrganizationId).Select(o => o.Name).SingleAsync(cancellationToken);
            db.OutboxEmails.Add(LinkEmail(page.Listing, organization, user.DisplayName, claim.Id, token));
            await db.SaveChangesAsync(cancellationToken);
            TempData["Notice"] = text["Claims.LinkSent", page.Listing.PublicEmail!].Value;
        }
        else
        {
            TempData["Notice"] = text["Claims.SentToReview"].Value;
        }
        return RedirectToRoute(LocalizedLinks.RouteName("claim"), new { slug });
    }

    /// <summary>The link's page: one button; opening it decides nothing.</summary>
    [HttpGet("fr/reclamation/{id:int}/confirmer", Name = "claim-confirm.fr")]
    [HttpGet("en/claim/{id:int}/confirm", Name = "claim-confirm.en")]
    public async Task<IActionResult> Confirm(int id, string? t, CancellationToken cancellationToken)
    {
        var page = await ConfirmPageAsync(id, t, cancellationToken);
        if (!page.Valid) Response.StatusCode = StatusCodes.Status400BadRequest;
        return View(page);
    }

    [HttpPost("fr/reclamation/{id:int}/confirmer")]
    [HttpPost("en/claim/{id:int}/confirm")]
    public async Task<IActionResult> Confirmed(int id, string? t, CancellationToken cancellationToken)
    {
        var claim = await db.ListingClaims.SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (claim is null || !claim.LinkMatches(t, time.GetUtcNow()))
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            return View(nameof(Confirm), await ConfirmPageAsync(id, t, cancellationToken));
        }
        var accepted = await decisions.AcceptAsync(claim, () => claim.ConfirmByLink(t!, time.GetUtcNow()), claim.RequestedByUserId, "lien", cancellationToken);
        if (!accepted)
        {
            Response.StatusCode = StatusCodes.Status409Conflict;
            ViewData["Errors"] = new[] { text["Claims.AlreadyManaged"].Value };
            return View(nameof(Confirm), await ConfirmPageAsync(id, t, cancellationToken));
        }
        return View("Accepted");
    }

    private async Task<ConfirmPage> ConfirmPageAsync(int id, string? token, CancellationToken cancellationToken)
    {
        var row = await (from c in db.ListingClaims.AsNoTracking()
                         join p in db.Providers on c.ProviderId equals p.Id
                         join o in db.Organizations on c.OrganizationId equals o.Id
                         where c.Id == id
                         select new { Claim = c, Listing = p.Name, Organization = o.Name }).SingleOrDefaultAsync(cancellationToken);
        var valid = row is not null && row.Claim.LinkMatches(token, time.GetUtcNow());
        return new ConfirmPage(id, token ?? "", valid ? row!.Listing : "", valid ? row!.Organization : "", valid);
    }

    private async Task<ClaimPage?> PageAsync(string slug, string? evidence, string? method, CancellationToken cancellationToken)
    {
        var listing = await db.Providers.AsNoTracking().Where(p => p.Slug == slug && p.Status == ListingStatus.Published)
            .Select(p => new ListingInfo(p.Id, p.Slug, p.Name, p.PublicEmail, db.Organizations.Any(o => o.ProviderId == p.Id)))
            .SingleOrDefaultAsync(cancellationToken);
        if (listing is null) return null;
        if (!User.IsInRole(Roles.Provider)) return new ClaimPage(listing, false, false, null, null, evidence, method);
        var user = await users.GetUserAsync(User);
        var organization = user?.OrganizationId is { } organizationId
            ? await db.Organizations.AsNoTracking().SingleOrDefaultAsync(o => o.Id == organizationId, cancellationToken)
            : null;
        string? refusal = null;
        var unconfirmed = false;
        if (listing.Managed) refusal = text["Claims.AlreadyManaged"];
        else if (organization is null || organization.Kind != OrganizationKind.Provider) refusal = text["Claims.ProviderOnly"];
        else if (organization.ProviderId is not null) refusal = text["Claims.YouManageAnother"];
        else if (user is { EmailConfirmed: false }) (refusal, unconfirmed) = (text["Claims.ConfirmEmailFirst"], true);
        else if (await db.ListingRevisions.AnyAsync(r => r.OrganizationId == organization.Id && ListingRevision.OpenStates.Contains(r.State), cancellationToken))
            refusal = text["Claims.DraftInProgress"];
        var pending = organization is null ? null : await db.ListingClaims.AsNoTracking()
            .Where(c => c.ProviderId == listing.Id && c.OrganizationId == organization.Id && c.State == ClaimState.Pending)
            .OrderByDescending(c => c.Id).FirstOrDefaultAsync(cancellationToken);
        return new ClaimPage(listing, true, refusal is null && pending is null, refusal, pending, evidence, method,
            unconfirmed);
    }

    /// <summary>To the listing's public address, French then English: who asks, and the link (valid 7 days).</summary>
    private OutboxEmail LinkEmail(ListingInfo listing, string organization, string person, int claimId, string token) =>
        publicAddress.Compose(listing.PublicEmail!, $"fr/reclamation/{claimId}/confirmer", new Dictionary<string, string?> { ["t"] = token },
            () => new PublicAddressEmails.Part(text["Email.Claim.Link.Subject", listing.Name], text["Email.Claim.Link.Label"],
                [text["Email.Claim.Link.Body", organization, person, listing.Name], text["Email.Claim.Link.IfNotYou"]]),
            secretQuery: true);
}
