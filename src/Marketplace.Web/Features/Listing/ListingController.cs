using Marketplace.Web.Domain;
using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Domain.Taxonomy;
using Marketplace.Web.Features.Curation;
using Marketplace.Web.Features.Directory;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Marketplace.Web.Features.Listing;

/// <summary>
/// A provider organization's own listing: where it stands and why, its draft or edit, submission and archiving (after
/// a confirmation page).
/// Everything is looked up through the signed-in user's organization: another organization's revision id is a 404.
/// </summary>
[Authorize(Roles = Roles.Provider)]
public sealed class ListingController(
    MarketplaceDbContext db,
    UserManager<MarketplaceUser> users,
    ListingWorkflow workflow,
    Vocabulary vocabulary,
    IStringLocalizer<SharedResource> text) : Controller
{
    public sealed record Dashboard(
        string OrganizationName,
        Provider? Published,
        ListingRevision? Open,
        IReadOnlyList<AuditEntry> History,
        bool EmailConfirmed);

    public sealed record Editor(int RevisionId, RevisionState State, string? DecisionReason, ListingForm Form,
        IReadOnlyDictionary<Infrastructure.Search.Facet, IReadOnlyList<Vocabulary.Term>> Terms);

    [HttpGet("fr/compte/fiche", Name = "listing.fr")]
    [HttpGet("en/account/listing", Name = "listing.en")]
    public async Task<IActionResult> Index(CancellationToken cancellationToken)
    {
        var (user, organization) = await CallerAsync();
        if (organization is null) return NotFound();
        var published = organization.ProviderId is { } id ? await db.Providers.AsNoTracking().SingleAsync(p => p.Id == id, cancellationToken) : null;
        var open = await db.ListingRevisions.AsNoTracking()
            .Where(r => r.OrganizationId == organization.Id && ListingRevision.OpenStates.Contains(r.State))
            .OrderBy(r => r.Id).FirstOrDefaultAsync(cancellationToken); // two colleagues opening at once may leave two drafts: show the first
        var history = await db.AuditEntries.AsNoTracking().Where(a => a.OrganizationId == organization.Id)
            .OrderByDescending(a => a.At).ThenByDescending(a => a.Id).Take(20).ToListAsync(cancellationToken);
        return View(nameof(Index), new Dashboard(organization.Name, published, open, history, user.EmailConfirmed));
    }

    [HttpPost("fr/compte/fiche/ouvrir", Name = "listing-open.fr")]
    [HttpPost("en/account/listing/open", Name = "listing-open.en")]
    public async Task<IActionResult> Open(CancellationToken cancellationToken)
    {
        var (user, organization) = await CallerAsync();
        if (organization is null) return NotFound();
        try
        {
            var revision = await workflow.OpenAsync(organization.Id, user.Id, cancellationToken);
            return RedirectToRoute(LocalizedLinks.RouteName("listing-edit"), new { id = revision.Id });
        }
        catch (DomainException)
        {
            TempData["Notice"] = text["Listing.CannotEdit"].Value;
            return RedirectToRoute(LocalizedLinks.RouteName("listing"));
        }
    }

    [HttpGet("fr/compte/fiche/revisions/{id:int}", Name = "listing-edit.fr")]
    [HttpGet("en/account/listing/revisions/{id:int}", Name = "listing-edit.en")]
    public async Task<IActionResult> Edit(int id, CancellationToken cancellationToken)
    {
        var (_, organization) = await CallerAsync();
        var revision = organization is null ? null : await workflow.FindAsync(id, organization.Id, cancellationToken);
        if (revision is null) return NotFound();
        return View(new Editor(revision.Id, revision.State, revision.DecisionReason, ListingForm.From(revision.Content, revision.Version),
            await vocabulary.TermsAsync(cancellationToken)));
    }

    [HttpPost("fr/compte/fiche/revisions/{id:int}")]
    [HttpPost("en/account/listing/revisions/{id:int}")]
    public async Task<IActionResult> Edit(int id, ListingForm form, string? submit, CancellationToken cancellationToken)
    {
        var (user, organization) = await CallerAsync();
        var revision = organization is null ? null : await workflow.FindAsync(id, organization.Id, cancellationToken);
        if (revision is null) return NotFound();
        var terms = await vocabulary.TermsAsync(cancellationToken);
        form.Offerings ??= [];
        if (!revision.IsEditable) return Problem(form, revision, terms, [text["Listing.NotEditable"]], StatusCodes.Status409Conflict);
        if (form.Version != revision.Version) return Problem(form, revision, terms, [text["Listing.Stale"]], StatusCodes.Status409Conflict);

        var wantsSubmit = submit is not null;
        var keys = await db.TaxonomyTerms.AsNoTracking().Select(t => new { t.Kind, t.Key }).ToListAsync(cancellationToken);
        IReadOnlySet<string> Of(TaxonomyKind kind) => keys.Where(k => k.Kind == kind).Select(k => k.Key).ToHashSet();
        var (content, problems) = form.ToContent(text, Of(TaxonomyKind.Category), Of(TaxonomyKind.Language), Of(TaxonomyKind.FundingProgram), wantsSubmit);
        if (wantsSubmit && !user.EmailConfirmed) problems.Add(text["Listing.ConfirmEmailFirst"]);
        if (content is null || problems.Count > 0) return Problem(form, revision, terms, problems, StatusCodes.Status400BadRequest);

        try
        {
            await workflow.SaveAsync(revision.Id, organization!.Id, content, cancellationToken);
            if (wantsSubmit) await workflow.SubmitAsync(revision.Id, organization.Id, user.Id, cancellationToken);
        }
        catch (DomainException)
        {
            return Problem(form, revision, terms, [text["Listing.Invalid"]], StatusCodes.Status400BadRequest);
        }
        catch (DbUpdateConcurrencyException)
        {
            return Problem(form, revision, terms, [text["Listing.Stale"]], StatusCodes.Status409Conflict);
        }
        TempData["Notice"] = (wantsSubmit ? text["Listing.Submitted"] : text["Listing.Saved"]).Value;
        return wantsSubmit
            ? RedirectToRoute(LocalizedLinks.RouteName("listing"))
            : RedirectToRoute(LocalizedLinks.RouteName("listing-edit"), new { id = revision.Id });
    }

    [HttpPost("fr/compte/fiche/inviter", Name = "listing-invite.fr")]
    [HttpPost("en/account/listing/invite", Name = "listing-invite.en")]
    public async Task<IActionResult> Invite(string? email, string? name, [FromServices] Account.Registration registration,
        CancellationToken cancellationToken)
    {
        var (user, organization) = await CallerAsync();
        if (organization is null) return NotFound();
        var address = email?.Trim() ?? "";
        if (!new System.ComponentModel.DataAnnotations.EmailAddressAttribute().IsValid(address) || string.IsNullOrWhiteSpace(name)
            || name.Length > MarketplaceUser.DisplayNameMaxLength)
        {
            TempData["Notice"] = text["Listing.InviteInvalid"].Value;
            return RedirectToRoute(LocalizedLinks.RouteName("listing"));
        }
        if (!user.EmailConfirmed)
        {
            // An invitation writes to someone: only from a confirmed address (ADR 0017).
            Account.ConfirmedEmail.Refuse(this, text["Listing.ConfirmEmailFirstInvite"]);
            return await Index(cancellationToken);
        }
        // The same answer whether the address has an account or not (ADR 0020); only the daily limit is said.
        if (await registration.InviteAsync(user, address, name, cancellationToken) == Account.Registration.Invited.Limited)
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            ViewData["Errors"] = new[] { text["Listing.InviteLimited"].Value };
            return await Index(cancellationToken);
        }
        TempData["Notice"] = text["Listing.Invited", address].Value;
        return RedirectToRoute(LocalizedLinks.RouteName("listing"));
    }

    [HttpPost("fr/compte/fiche/archiver", Name = "listing-archive.fr")]
    [HttpPost("en/account/listing/archive", Name = "listing-archive.en")]
    public async Task<IActionResult> Archive(bool confirm, CancellationToken cancellationToken)
    {
        var (user, organization) = await CallerAsync();
        if (organization?.ProviderId is not { } providerId) return NotFound();
        if (!confirm)
        {
            // Nothing changes before the provider has read what archiving does (ADR 0016).
            var name = await db.Providers.AsNoTracking().Where(p => p.Id == providerId && p.Status != ListingStatus.Archived)
                .Select(p => p.Name).SingleOrDefaultAsync(cancellationToken);
            if (name is null) return Conflict();
            var here = Url.RouteUrl(LocalizedLinks.RouteName("listing"))!;
            return View("Confirm", new Shared.Confirmation(text["Listing.ArchiveConfirmTitle", name],
                [text["Listing.ArchiveConfirm.Search"], text["Listing.ArchiveConfirm.Undo"]],
                Url.RouteUrl(LocalizedLinks.RouteName("listing-archive"))!, new Dictionary<string, string>(),
                text["Listing.ArchiveButton"], here));
        }
        try
        {
            if (!await workflow.ArchiveAsync(providerId, organization.Id, user.Id, null, cancellationToken)) return NotFound();
        }
        catch (DomainException)
        {
            return Conflict();
        }
        TempData["Notice"] = text["Listing.Archived"].Value;
        return RedirectToRoute(LocalizedLinks.RouteName("listing"));
    }

    private IActionResult Problem(ListingForm form, ListingRevision revision,
        IReadOnlyDictionary<Infrastructure.Search.Facet, IReadOnlyList<Vocabulary.Term>> terms, IEnumerable<string> problems, int status)
    {
        Response.StatusCode = status;
        ViewData["Errors"] = problems.ToArray();
        form.Version = revision.Version;
        form.PadOfferings();
        return View(nameof(Edit), new Editor(revision.Id, revision.State, revision.DecisionReason, form, terms));
    }

    private async Task<(MarketplaceUser User, Organization? Organization)> CallerAsync()
    {
        var user = await users.GetUserAsync(User) ?? throw new InvalidOperationException("Signed in without an account.");
        var organization = user.OrganizationId is { } id
            ? await db.Organizations.SingleOrDefaultAsync(o => o.Id == id && o.Kind == OrganizationKind.Provider)
            : null;
        return (user, organization);
    }
}
