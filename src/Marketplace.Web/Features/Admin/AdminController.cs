using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Features.TwoFactor;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Marketplace.Web.Features.Admin;

/// <summary>Admins grant and withdraw the curator and admin roles. The last admin cannot withdraw their own admin role.</summary>
[Authorize(Roles = Roles.Admin)]
[RequireTwoFactor]
public sealed class AdminController(MarketplaceDbContext db, UserManager<MarketplaceUser> users, Privacy.StaffAccessLog accessLog,
    IStringLocalizer<SharedResource> text) : Controller
{
    public sealed record Account(string Id, string Email, string DisplayName, string? Organization, IReadOnlyList<string> Roles, bool TwoFactor);

    private static readonly string[] StaffRoles = [Roles.Curator, Roles.Admin];

    [HttpGet("fr/admin/comptes", Name = "admin-accounts.fr")]
    [HttpGet("en/admin/accounts", Name = "admin-accounts.en")]
    public async Task<IActionResult> Accounts(string? q, CancellationToken cancellationToken)
    {
        var query = db.Users.AsNoTracking();
        if (!string.IsNullOrWhiteSpace(q)) query = query.Where(u => u.NormalizedEmail!.Contains(q.Trim().ToUpperInvariant()));
        var rows = await (from u in query
                          orderby u.Email
                          select new
                          {
                              u.Id, u.Email, u.DisplayName, u.TwoFactorEnabled,
                              Organization = db.Organizations.Where(o => o.Id == u.OrganizationId).Select(o => o.Name).FirstOrDefault(),
                              Roles = (from ur in db.UserRoles join r in db.Roles on ur.RoleId equals r.Id where ur.UserId == u.Id select r.Name!).ToList(),
                          }).Take(200).ToListAsync(cancellationToken);
        // Every identity shown is an access to that person's data (Law 25, s. 3.5–3.8).
        await accessLog.RecordAsync(User, StaffAccessKind.Account, rows.Select(r => new Privacy.StaffAccessLog.Subject(r.Id, r.Id, null)).ToList(),
            cancellationToken);
        ViewData["Query"] = q;
        return View(rows.Select(r => new Account(r.Id, r.Email ?? "", r.DisplayName, r.Organization, r.Roles.Order().ToArray(), r.TwoFactorEnabled)).ToList());
    }

    [HttpPost("fr/admin/comptes/{id}/roles")]
    [HttpPost("en/admin/accounts/{id}/roles")]
    public async Task<IActionResult> SetRole(string id, string role, bool grant)
    {
        if (!StaffRoles.Contains(role)) return BadRequest();
        var user = await users.FindByIdAsync(id);
        if (user is null) return NotFound();
        if (!grant && role == Roles.Admin && user.Id == users.GetUserId(User) && (await users.GetUsersInRoleAsync(Roles.Admin)).Count <= 1)
        {
            TempData["Notice"] = text["Admin.LastAdmin"].Value;
            return RedirectToRoute(LocalizedLinks.RouteName("admin-accounts"));
        }
        var result = grant
            ? await users.IsInRoleAsync(user, role) ? IdentityResult.Success : await users.AddToRoleAsync(user, role)
            : await users.IsInRoleAsync(user, role) ? await users.RemoveFromRoleAsync(user, role) : IdentityResult.Success;
        if (!result.Succeeded) return BadRequest();
        // No sign-out needed: the security stamp validator rebuilds every signed-in request's roles from the account.
        TempData["Notice"] = text[grant ? "Admin.Granted" : "Admin.Withdrawn", role, user.Email ?? ""].Value;
        return RedirectToRoute(LocalizedLinks.RouteName("admin-accounts"));
    }

    /// <summary>
    /// Someone lost their phone and their recovery codes: their two-factor authentication is turned off (audited), their
    /// sessions end, and staff pages ask them to set it up again at the next sign-in.
    /// </summary>
    [HttpPost("fr/admin/comptes/{id}/reinitialiser-2fa", Name = "admin-reset-two-factor.fr")]
    [HttpPost("en/admin/accounts/{id}/reset-2fa", Name = "admin-reset-two-factor.en")]
    public async Task<IActionResult> ResetTwoFactor(string id, [FromServices] TwoFactorReset reset, CancellationToken cancellationToken)
    {
        var user = await users.FindByIdAsync(id);
        if (user is null) return NotFound();
        await reset.HandleAsync(user, users.GetUserId(User)!, cancellationToken);
        TempData["Notice"] = text["Admin.TwoFactorReset", user.Email ?? ""].Value;
        return RedirectToRoute(LocalizedLinks.RouteName("admin-accounts"));
    }
}
