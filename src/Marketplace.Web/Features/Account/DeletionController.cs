using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Marketplace.Web.Features.Account;

/// <summary>
/// « Supprimer mon compte » (Law 25, s. 28; ADR 0027): the page says what goes and what stays and why, asks for the
/// password (and the two-factor code when it is on), then <see cref="AccountDeletion"/> deletes in one transaction.
/// </summary>
[Authorize]
[EnableRateLimiting(AccountController.RateLimitPolicy)]
public sealed class DeletionController(
    MarketplaceDbContext db,
    UserManager<MarketplaceUser> users,
    SignInManager<MarketplaceUser> signIn,
    AccountDeletion deletion,
    IStringLocalizer<SharedResource> text) : Controller
{
    private const string View_ = "~/Features/Account/Delete.cshtml";

    /// <param name="LastMember">The organization goes with them (nobody else belongs to it).</param>
    /// <param name="ManagesListing">Their organization manages a published listing, which stays, managed by nobody.</param>
    public sealed record DeletePage(string Email, bool TwoFactor, string? Organization, bool LastMember, bool ManagesListing, bool LastAdmin);

    [HttpGet("fr/compte/supprimer", Name = "delete-account.fr")]
    [HttpGet("en/account/delete", Name = "delete-account.en")]
    public async Task<IActionResult> Delete(CancellationToken cancellationToken)
    {
        var user = await users.GetUserAsync(User);
        if (user is null) return NotFound();
        return View(View_, await PageAsync(user, cancellationToken));
    }

    [HttpPost("fr/compte/supprimer")]
    [HttpPost("en/account/delete")]
    public async Task<IActionResult> Delete(string? password, string? code, CancellationToken cancellationToken)
    {
        var user = await users.GetUserAsync(User);
        if (user is null) return NotFound();
        var page = await PageAsync(user, cancellationToken);
        if (page.LastAdmin) return Refuse(page, text["Account.Delete.LastAdmin"]);
        // Re-authentication: the password (counted toward the lockout like a sign-in), then the code when 2FA is on.
        var check = string.IsNullOrEmpty(password) ? Microsoft.AspNetCore.Identity.SignInResult.Failed : await signIn.CheckPasswordSignInAsync(user, password, lockoutOnFailure: true);
        if (!check.Succeeded)
            return Refuse(page, text[check.IsLockedOut ? "Account.LockedOut" : "Account.Delete.WrongPassword"]);
        if (user.TwoFactorEnabled)
        {
            var clean = new string((code ?? "").Where(char.IsAsciiDigit).ToArray());
            if (clean.Length != 6 || !await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, clean))
                return Refuse(page, text["TwoFactor.WrongCode"]);
        }
        await deletion.HandleAsync(user.Id, user.Id, null, cancellationToken);
        await signIn.SignOutAsync();
        return RedirectToRoute(LocalizedLinks.RouteName("account-deleted"));
    }

    /// <summary>Said once it is done, signed out; the page holds nothing about anyone.</summary>
    [AllowAnonymous]
    [HttpGet("fr/compte/supprime", Name = "account-deleted.fr")]
    [HttpGet("en/account/deleted", Name = "account-deleted.en")]
    public IActionResult Deleted() => View("~/Features/Account/Deleted.cshtml");

    private IActionResult Refuse(DeletePage page, LocalizedString error)
    {
        Response.StatusCode = StatusCodes.Status400BadRequest;
        ViewData["Errors"] = new[] { error.Value };
        return View(View_, page);
    }

    private async Task<DeletePage> PageAsync(MarketplaceUser user, CancellationToken cancellationToken)
    {
        var organization = user.OrganizationId is { } id
            ? await db.Organizations.AsNoTracking().Where(o => o.Id == id)
                .Select(o => new { o.Name, o.ProviderId, Others = db.Users.Count(u => u.OrganizationId == id && u.Id != user.Id) })
                .SingleOrDefaultAsync(cancellationToken)
            : null;
        var lastAdmin = await users.IsInRoleAsync(user, Roles.Admin) && (await users.GetUsersInRoleAsync(Roles.Admin)).Count <= 1;
        return new DeletePage(user.Email ?? "", user.TwoFactorEnabled, organization?.Name, organization is { Others: 0 },
            organization?.ProviderId is not null, lastAdmin);
    }
}
