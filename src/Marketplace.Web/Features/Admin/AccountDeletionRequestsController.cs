using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Features.Privacy;
using Marketplace.Web.Features.TwoFactor;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Marketplace.Web.Features.Admin;

/// <summary>
/// A person asked (by email, by letter) that their account be deleted (Law 25, s. 28): the verification team or an admin,
/// with two-factor authentication, finds the account by its address and confirms with the request's reference, kept in
/// the audit. Only an admin deletes a staff account (curator or admin); nobody deletes their own account here, and the
/// last admin stays. Seeing the confirmation is a staff access to the person's identity: it is recorded.
/// </summary>
[Authorize(Roles = Roles.Curator + "," + Roles.Admin)]
[RequireTwoFactor]
public sealed class AccountDeletionRequestsController(MarketplaceDbContext db, UserManager<MarketplaceUser> users, StaffAccessLog accessLog,
    Account.AccountDeletion deletion, IStringLocalizer<SharedResource> text) : Controller
{
    public sealed record DeletePage(string Id, string Email, string DisplayName, int? OrganizationId, string? Organization, bool LastMember, string? Reason);

    public sealed record FindForm(string? Email, IReadOnlyList<string> Errors);

    // The views live beside the admin pages (view lookup goes by controller name).
    private const string FindView = "~/Features/Admin/Find.cshtml";
    private const string DeleteView = "~/Features/Admin/DeleteAccount.cshtml";

    /// <summary>The team's way in: the address the request came from.</summary>
    [HttpGet("fr/conservation/suppression-de-compte", Name = "delete-on-request.fr")]
    [HttpGet("en/curation/account-deletion", Name = "delete-on-request.en")]
    public IActionResult Find() => View(FindView, new FindForm(null, []));

    [HttpPost("fr/conservation/suppression-de-compte")]
    [HttpPost("en/curation/account-deletion")]
    public async Task<IActionResult> Find(string? email, CancellationToken cancellationToken)
    {
        var address = (email ?? "").Trim();
        var user = address.Length == 0 ? null : await users.FindByEmailAsync(address);
        if (user is null)
        {
            Response.StatusCode = StatusCodes.Status404NotFound;
            return View(FindView, new FindForm(address, [text["Admin.Delete.NoSuchAccount"].Value]));
        }
        return RedirectToRoute(LocalizedLinks.RouteName("admin-delete-account"), new { id = user.Id });
    }

    [HttpGet("fr/admin/comptes/{id}/supprimer", Name = "admin-delete-account.fr")]
    [HttpGet("en/admin/accounts/{id}/delete", Name = "admin-delete-account.en")]
    public async Task<IActionResult> DeleteAccount(string id, CancellationToken cancellationToken)
    {
        var page = await DeletePageAsync(id, null, cancellationToken);
        if (page is null) return NotFound();
        await RecordAccessAsync(page, cancellationToken);
        if (await RefusalAsync(id) is { } refusal) return Refused(page, refusal, StatusCodes.Status403Forbidden);
        return View(DeleteView, page);
    }

    [HttpPost("fr/admin/comptes/{id}/supprimer")]
    [HttpPost("en/admin/accounts/{id}/delete")]
    public async Task<IActionResult> DeleteAccount(string id, string? reason, CancellationToken cancellationToken)
    {
        var page = await DeletePageAsync(id, reason, cancellationToken);
        if (page is null) return NotFound();
        if (await RefusalAsync(id) is { } refusal)
        {
            await RecordAccessAsync(page, cancellationToken);
            return Refused(page, refusal, StatusCodes.Status403Forbidden);
        }
        var why = (reason ?? "").Trim();
        var error = why.Length == 0 ? text["Admin.Delete.ReasonRequired"].Value : why.Length > 500 ? text["Admin.Delete.ReasonTooLong"].Value : null;
        if (error is not null)
        {
            await RecordAccessAsync(page, cancellationToken);
            return Refused(page, error, StatusCodes.Status400BadRequest);
        }
        await deletion.HandleAsync(id, users.GetUserId(User)!, why, cancellationToken);
        TempData["Notice"] = text["Admin.Delete.Done"].Value;
        return User.IsInRole(Roles.Admin)
            ? RedirectToRoute(LocalizedLinks.RouteName("admin-accounts"))
            : RedirectToRoute(LocalizedLinks.RouteName("delete-on-request"));
    }

    /// <summary>Why this staff member may not delete this account, or null.</summary>
    private async Task<string?> RefusalAsync(string id)
    {
        if (id == users.GetUserId(User)) return text["Admin.Delete.NotYourself"].Value;
        var target = await users.FindByIdAsync(id);
        var roles = target is null ? [] : await users.GetRolesAsync(target);
        if (!User.IsInRole(Roles.Admin) && (roles.Contains(Roles.Curator) || roles.Contains(Roles.Admin)))
            return text["Admin.Delete.StaffOnlyByAdmin"].Value;
        if (roles.Contains(Roles.Admin) && (await users.GetUsersInRoleAsync(Roles.Admin)).Count == 1) return text["Account.Delete.LastAdmin"].Value;
        return null;
    }

    private ViewResult Refused(DeletePage page, string error, int status)
    {
        Response.StatusCode = status;
        ViewData["Errors"] = new[] { error };
        return View(DeleteView, page);
    }

    private async Task<DeletePage?> DeletePageAsync(string id, string? reason, CancellationToken cancellationToken)
    {
        var row = await db.Users.AsNoTracking().Where(u => u.Id == id).Select(u => new
        {
            u.Id, u.Email, u.DisplayName, u.OrganizationId,
            Organization = db.Organizations.Where(o => o.Id == u.OrganizationId).Select(o => o.Name).FirstOrDefault(),
            Others = db.Users.Count(o => o.OrganizationId != null && o.OrganizationId == u.OrganizationId && o.Id != u.Id),
        }).SingleOrDefaultAsync(cancellationToken);
        return row is null ? null
            : new DeletePage(row.Id, row.Email ?? "", row.DisplayName, row.OrganizationId, row.Organization, row.Organization is not null && row.Others == 0, reason);
    }

    /// <summary>Showing the page shows the person's identity: a staff access (not when the account is deleted at once).</summary>
    private Task RecordAccessAsync(DeletePage page, CancellationToken cancellationToken) =>
        accessLog.RecordAsync(User, StaffAccessKind.Account, page.Id, page.Id, page.OrganizationId, cancellationToken);
}
