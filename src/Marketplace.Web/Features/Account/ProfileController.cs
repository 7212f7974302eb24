using System.ComponentModel.DataAnnotations;
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
/// « Profil » (Law 25, s. 28): the signed-in person corrects their own name, language, email address (confirmed by a
/// link to the new one) and the name of their organization. Only ever the signed-in person's own data.
/// </summary>
[EnableRateLimiting(AccountController.RateLimitPolicy)]
public sealed class ProfileController(
    MarketplaceDbContext db,
    UserManager<MarketplaceUser> users,
    EmailChange emailChange,
    IStringLocalizer<SharedResource> text) : Controller
{
    private const string View_ = "~/Features/Account/Profile.cshtml";

    public sealed class ProfileForm
    {
        [Required] [StringLength(MarketplaceUser.DisplayNameMaxLength)] public string DisplayName { get; set; } = "";
        [Required] [EmailAddress] [StringLength(320)] public string Email { get; set; } = "";
        public string Language { get; set; } = "fr";
        [StringLength(Organization.NameMaxLength)] public string? OrganizationName { get; set; }
        /// <summary>Shown, not posted: whether the person acts for an organization (staff do not).</summary>
        public bool HasOrganization { get; set; }
    }

    [Authorize]
    [HttpGet("fr/compte/profil", Name = "profile.fr")]
    [HttpGet("en/account/profile", Name = "profile.en")]
    public async Task<IActionResult> Profile(CancellationToken cancellationToken)
    {
        var user = await users.GetUserAsync(User) ?? throw new InvalidOperationException("Signed in without an account.");
        var organization = await db.Organizations.AsNoTracking().Where(o => o.Id == user.OrganizationId).Select(o => o.Name).SingleOrDefaultAsync(cancellationToken);
        return View(View_, new ProfileForm
        {
            DisplayName = user.DisplayName, Email = user.Email ?? "", Language = user.Language, OrganizationName = organization,
            HasOrganization = organization is not null,
        });
    }

    [Authorize]
    [HttpPost("fr/compte/profil")]
    [HttpPost("en/account/profile")]
    public async Task<IActionResult> Save(ProfileForm form, CancellationToken cancellationToken)
    {
        var user = await users.GetUserAsync(User) ?? throw new InvalidOperationException("Signed in without an account.");
        var organization = user.OrganizationId is { } organizationId
            ? await db.Organizations.SingleOrDefaultAsync(o => o.Id == organizationId, cancellationToken)
            : null;
        form.HasOrganization = organization is not null;
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(form.DisplayName) || form.DisplayName.Trim().Length > MarketplaceUser.DisplayNameMaxLength)
            errors.Add(text["Profile.NameInvalid", MarketplaceUser.DisplayNameMaxLength]);
        if (string.IsNullOrWhiteSpace(form.Email) || form.Email.Trim().Length > 320 || !new EmailAddressAttribute().IsValid(form.Email.Trim()))
            errors.Add(text["Profile.EmailInvalid"]);
        if (form.Language is not ("fr" or "en")) errors.Add(text["Settings.LanguageInvalid"]);
        if (organization is not null && (string.IsNullOrWhiteSpace(form.OrganizationName) || form.OrganizationName.Trim().Length > Organization.NameMaxLength))
            errors.Add(text["Profile.OrganizationInvalid", Organization.NameMaxLength]);
        if (errors.Count > 0)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            ViewData["Errors"] = errors.ToArray();
            return View(View_, form);
        }
        user.DisplayName = form.DisplayName.Trim();
        user.Language = form.Language;
        organization?.Rename(form.OrganizationName!);
        var newAddress = form.Email.Trim();
        var addressChanging = !string.Equals(newAddress, user.Email, StringComparison.OrdinalIgnoreCase);
        // The emails go in the person's (possibly new) language, in the same save as the rest of the profile.
        if (addressChanging) await emailChange.RequestAsync(user, newAddress);
        await db.SaveChangesAsync(cancellationToken);
        TempData["Notice"] = text[addressChanging ? "Profile.SavedEmailPending" : "Profile.Saved", newAddress].Value;
        return RedirectToRoute(LocalizedLinks.RouteName("profile"));
    }

    /// <summary>The link sent to the new address. The address changes here, and the person signs in again with it.</summary>
    [AllowAnonymous]
    [HttpGet("fr/compte/profil/courriel", Name = "profile-email.fr")]
    [HttpGet("en/account/profile/email", Name = "profile-email.en")]
    public async Task<IActionResult> ConfirmEmail(string? user, string? email, string? token, CancellationToken cancellationToken)
    {
        if (!await emailChange.ConfirmAsync(user, email, token, cancellationToken))
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            ViewData["Errors"] = new[] { text["Account.LinkInvalid"].Value };
            return View("~/Features/Account/Confirmed.cshtml");
        }
        TempData["Notice"] = text["Profile.EmailChanged"].Value;
        return View("~/Features/Account/Confirmed.cshtml");
    }
}
