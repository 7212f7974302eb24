using Marketplace.Web.Domain;
using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Features.Claims;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Localization;
using Marketplace.Web.Infrastructure.Search;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Marketplace.Web.Features.ListingCare;

/// <summary>
/// The verification team's care of listings nobody manages yet: claims to decide (with the evidence), the public
/// contact channels of a listing (filled and checked by a person, audited), and the « fiches incomplètes » list
/// (no stated region, no stated pricing, no contact channel).
/// </summary>
[Authorize(Roles = Roles.Curator)]
[TwoFactor.RequireTwoFactor]
public sealed class ListingCareController(
    MarketplaceDbContext db,
    UserManager<MarketplaceUser> users,
    ClaimDecisions decisions,
    ISearchIndexer indexer,
    Privacy.StaffAccessLog accessLog,
    TimeProvider time,
    IStringLocalizer<SharedResource> text) : Controller
{
    public sealed record ClaimRow(int Id, string Listing, string Slug, string Organization, ClaimMethod Method, DateTimeOffset RequestedAt);

    public sealed record ClaimView(int Id, string Listing, string Slug, string? PublicEmail, string Organization, string Person, string? PersonEmail,
        bool PersonConfirmed, ClaimMethod Method, ClaimState State, string? Evidence, DateTimeOffset RequestedAt, string? SentTo, string? Note);

    public sealed record IncompleteRow(int Id, string Slug, string Name, bool NoRegion, bool NoPricing, bool NoContact, bool Managed);

    public sealed record ContactsForm(int Id, string Name, string Slug, string? Email, string? Phone, string? ContactPage, bool Checked,
        DateTimeOffset? CheckedAt);

    // ---- Claims ----

    [HttpGet("fr/conservation/reclamations", Name = "care-claims.fr")]
    [HttpGet("en/curation/claims", Name = "care-claims.en")]
    public async Task<IActionResult> Claims(CancellationToken cancellationToken)
    {
        var rows = await (from c in db.ListingClaims.AsNoTracking()
                          join p in db.Providers on c.ProviderId equals p.Id
                          join o in db.Organizations on c.OrganizationId equals o.Id
                          where c.State == ClaimState.Pending
                          orderby c.RequestedAt, c.Id
                          select new ClaimRow(c.Id, p.Name, p.Slug, o.Name, c.Method, c.RequestedAt)).Take(200).ToListAsync(cancellationToken);
        return View(rows);
    }

    [HttpGet("fr/conservation/reclamations/{id:int}", Name = "care-claim.fr")]
    [HttpGet("en/curation/claims/{id:int}", Name = "care-claim.en")]
    public async Task<IActionResult> Claim(int id, CancellationToken cancellationToken)
    {
        var view = await ClaimViewAsync(id, null, cancellationToken);
        if (view is null) return NotFound();
        var whose = await db.ListingClaims.AsNoTracking().Where(c => c.Id == id)
            .Select(c => new { c.RequestedByUserId, c.OrganizationId }).SingleAsync(cancellationToken);
        await accessLog.RecordAsync(User, StaffAccessKind.ListingClaim, id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            whose.RequestedByUserId, whose.OrganizationId, cancellationToken);
        return View(view);
    }

    [HttpPost("fr/conservation/reclamations/{id:int}")]
    [HttpPost("en/curation/claims/{id:int}")]
    public async Task<IActionResult> Decide(int id, string? decision, string? note, CancellationToken cancellationToken)
    {
        var claim = await db.ListingClaims.SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (claim is null) return NotFound();
        var curator = users.GetUserId(User)!;
        string? problem = null;
        var status = StatusCodes.Status400BadRequest;
        if (claim.State != ClaimState.Pending) (problem, status) = (text["Care.Claim.AlreadyDecided"], StatusCodes.Status409Conflict);
        else if (decision is not ("accept" or "reject")) problem = text["Care.Claim.DecisionRequired"];
        else if (decision == "reject" && string.IsNullOrWhiteSpace(note)) problem = text["Care.Claim.NoteRequired"];
        else if (note?.Trim().Length > ListingClaim.NoteMaxLength) problem = text["Care.Claim.NoteTooLong", ListingClaim.NoteMaxLength];
        if (problem is null && decision == "accept"
            && !await decisions.AcceptAsync(claim, () => claim.Accept(curator, note, time.GetUtcNow()), curator, note, cancellationToken))
            (problem, status) = (text["Claims.AlreadyManaged"], StatusCodes.Status409Conflict);
        if (problem is not null)
        {
            Response.StatusCode = status;
            ViewData["Errors"] = new[] { problem };
            return View(nameof(Claim), await ClaimViewAsync(id, note, cancellationToken));
        }
        if (decision == "reject") await decisions.RejectAsync(claim, curator, note!, cancellationToken);
        TempData["Notice"] = text[decision == "accept" ? "Care.Claim.Accepted" : "Care.Claim.Rejected"].Value;
        return RedirectToRoute(LocalizedLinks.RouteName("care-claims"));
    }

    private async Task<ClaimView?> ClaimViewAsync(int id, string? note, CancellationToken cancellationToken) =>
        await (from c in db.ListingClaims.AsNoTracking()
               join p in db.Providers on c.ProviderId equals p.Id
               join o in db.Organizations on c.OrganizationId equals o.Id
               join u in db.Users on c.RequestedByUserId equals u.Id into people
               from u in people.DefaultIfEmpty()
               where c.Id == id
               select new ClaimView(c.Id, p.Name, p.Slug, p.PublicEmail, o.Name, u == null ? "" : u.DisplayName, u == null ? null : u.Email,
                   u != null && u.EmailConfirmed, c.Method, c.State, c.Evidence, c.RequestedAt, c.SentTo, note))
            .SingleOrDefaultAsync(cancellationToken);

    // ---- Incomplete listings ----

    [HttpGet("fr/conservation/fiches-incompletes", Name = "care-incomplete.fr")]
    [HttpGet("en/curation/incomplete-listings", Name = "care-incomplete.en")]
    public async Task<IActionResult> Incomplete(CancellationToken cancellationToken)
    {
        var rows = await db.Providers.AsNoTracking().Where(p => p.Status == ListingStatus.Published)
            .Select(p => new
            {
                p.Id, p.Slug, p.Name,
                NoRegion = !p.Offerings.Any(o => o.ServesAllQuebec || o.RegionCodes.Count > 0),
                NoPricing = p.Offerings.All(o => o.Pricing == PricingModel.NonPrecise),
                NoContact = p.PublicEmail == null && p.PublicPhone == null && p.ContactPageUrl == null && p.Website == null,
                Managed = db.Organizations.Any(o => o.ProviderId == p.Id),
            })
            .Where(p => p.NoRegion || p.NoPricing || p.NoContact)
            .OrderBy(p => p.Name).ThenBy(p => p.Id).Take(500).ToListAsync(cancellationToken);
        return View(rows.Select(r => new IncompleteRow(r.Id, r.Slug, r.Name, r.NoRegion, r.NoPricing, r.NoContact, r.Managed)).ToList());
    }

    // ---- Public contact channels ----

    [HttpGet("fr/conservation/fiches/{id:int}/coordonnees", Name = "care-contacts.fr")]
    [HttpGet("en/curation/listings/{id:int}/contacts", Name = "care-contacts.en")]
    public async Task<IActionResult> Contacts(int id, CancellationToken cancellationToken)
    {
        var form = await db.Providers.AsNoTracking().Where(p => p.Id == id && p.Status != ListingStatus.Archived)
            .Select(p => new ContactsForm(p.Id, p.Name, p.Slug, p.PublicEmail, p.PublicPhone, p.ContactPageUrl, p.ContactsCheckedAt != null, p.ContactsCheckedAt))
            .SingleOrDefaultAsync(cancellationToken);
        return form is null ? NotFound() : View(form);
    }

    [HttpPost("fr/conservation/fiches/{id:int}/coordonnees")]
    [HttpPost("en/curation/listings/{id:int}/contacts")]
    public async Task<IActionResult> SaveContacts(int id, string? email, string? phone, string? contactPage, bool @checked, string? note,
        CancellationToken cancellationToken)
    {
        var provider = await db.Providers.SingleOrDefaultAsync(p => p.Id == id && p.Status != ListingStatus.Archived, cancellationToken);
        if (provider is null) return NotFound();
        var problems = new List<string>();
        if (!string.IsNullOrWhiteSpace(email) && !Provider.IsValidEmail(email.Trim())) problems.Add(text["Care.Contacts.BadEmail"]);
        if (!string.IsNullOrWhiteSpace(phone) && !Provider.IsValidPhone(phone.Trim())) problems.Add(text["Care.Contacts.BadPhone"]);
        if (!string.IsNullOrWhiteSpace(contactPage) && !Provider.IsValidWebAddress(contactPage.Trim())) problems.Add(text["Care.Contacts.BadPage"]);
        if (note?.Trim().Length > ListingRevision.ReasonMaxLength) problems.Add(text["Care.Contacts.NoteTooLong", ListingRevision.ReasonMaxLength]);
        if (problems.Count > 0)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            ViewData["Errors"] = problems.ToArray();
            return View(nameof(Contacts), new ContactsForm(id, provider.Name, provider.Slug, email, phone, contactPage, @checked, provider.ContactsCheckedAt));
        }
        var now = time.GetUtcNow();
        provider.SetPublicContacts(email, phone, contactPage, @checked ? now : null);
        var owner = await db.Organizations.Where(o => o.ProviderId == id).Select(o => (int?)o.Id).FirstOrDefaultAsync(cancellationToken);
        db.AuditEntries.Add(new AuditEntry(owner ?? 0, id, null, users.GetUserId(User)!, AuditAction.ContactsUpdated,
            string.IsNullOrWhiteSpace(note) ? null : note, now));
        await db.SaveChangesAsync(cancellationToken);
        await indexer.ProviderChangedAsync(id, cancellationToken);
        TempData["Notice"] = text["Care.Contacts.Saved"].Value;
        return RedirectToRoute(LocalizedLinks.RouteName("care-contacts"), new { id });
    }
}
