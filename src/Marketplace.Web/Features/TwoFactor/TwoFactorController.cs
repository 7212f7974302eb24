using System.Text;
using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Filters;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;
using Marketplace.Web.Features.Account;

namespace Marketplace.Web.Features.TwoFactor;

/// <summary>
/// Two-factor authentication with an authenticator app (TOTP): available to everyone, required for curators and admins
/// (<see cref="RequireTwoFactorAttribute"/>), and asked at sign-in once enabled.
/// </summary>
[EnableRateLimiting(AccountController.RateLimitPolicy)]
public sealed class TwoFactorController(
    UserManager<MarketplaceUser> users,
    SignInManager<MarketplaceUser> signIn,
    IStringLocalizer<SharedResource> text) : Controller
{
    public sealed record Enrollment(bool Enabled, string SharedKey, string AuthenticatorUri, IReadOnlyList<string>? RecoveryCodes)
    {
        /// <summary>
        /// The otpauth URI as a QR code, a PNG data URI drawn on the server (QRCoder): the CSP allows data: images and no
        /// inline script. The key stays beside it as text for people who cannot scan.
        /// </summary>
        public string QrCodeDataUri => QrCode.PngDataUri(AuthenticatorUri);
    }

    [Authorize]
    [HttpGet("fr/compte/double-authentification", Name = "two-factor.fr")]
    [HttpGet("en/account/two-factor", Name = "two-factor.en")]
    public async Task<IActionResult> Setup() => View(await EnrollmentAsync(null));

    [Authorize]
    [HttpPost("fr/compte/double-authentification")]
    [HttpPost("en/account/two-factor")]
    public async Task<IActionResult> Setup(string? code)
    {
        var user = await users.GetUserAsync(User);
        if (user is null) return NotFound();
        var clean = (code ?? "").Replace(" ", "").Replace("-", "");
        if (!await users.VerifyTwoFactorTokenAsync(user, users.Options.Tokens.AuthenticatorTokenProvider, clean))
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            ViewData["Errors"] = new[] { text["TwoFactor.WrongCode"].Value };
            return View(await EnrollmentAsync(null));
        }
        await users.SetTwoFactorEnabledAsync(user, true);
        var recovery = await users.GenerateNewTwoFactorRecoveryCodesAsync(user, 8);
        await signIn.RefreshSignInAsync(user);
        TempData["Notice"] = text["TwoFactor.Enabled"].Value;
        return View(await EnrollmentAsync(recovery?.ToArray()));
    }

    [HttpGet("fr/connexion/code", Name = "login-code.fr")]
    [HttpGet("en/login/code", Name = "login-code.en")]
    public async Task<IActionResult> Code(string? returnUrl) =>
        await signIn.GetTwoFactorAuthenticationUserAsync() is null
            ? RedirectToRoute(LocalizedLinks.RouteName("login"))
            : View(model: returnUrl);

    [HttpPost("fr/connexion/code")]
    [HttpPost("en/login/code")]
    public async Task<IActionResult> Code(string? code, string? returnUrl)
    {
        var pending = await signIn.GetTwoFactorAuthenticationUserAsync();
        if (pending is null) return RedirectToRoute(LocalizedLinks.RouteName("login"));
        var clean = new string((code ?? "").Where(c => !char.IsWhiteSpace(c) && c != '-').ToArray()).ToUpperInvariant();
        var result = clean.Length == 6 && clean.All(char.IsAsciiDigit)
            ? await signIn.TwoFactorAuthenticatorSignInAsync(clean, isPersistent: false, rememberClient: false)
            : await signIn.TwoFactorRecoveryCodeSignInAsync(RecoveryCode(clean));
        if (result.Succeeded)
            return LocalRedirect(Url.IsLocalUrl(returnUrl) ? returnUrl! : Url.RouteUrl(LocalizedLinks.RouteName(AccountController.LandingRoute(await users.GetRolesAsync(pending))))!);
        Response.StatusCode = StatusCodes.Status400BadRequest;
        ViewData["Errors"] = new[] { (result.IsLockedOut ? text["Account.LockedOut"] : text["TwoFactor.WrongCode"]).Value };
        return View(model: returnUrl);
    }

    /// <summary>
    /// Identity keeps recovery codes as they are shown, « KTDPW-VDPR4 » (upper case, a dash after five characters), and
    /// compares them as they are typed: whatever the person typed (dash or not, spaces, any case) is put back in that form.
    /// </summary>
    public static string RecoveryCode(string typed)
    {
        var clean = new string(typed.Where(char.IsAsciiLetterOrDigit).ToArray()).ToUpperInvariant();
        return clean.Length == 10 ? $"{clean[..5]}-{clean[5..]}" : clean;
    }

    private async Task<Enrollment> EnrollmentAsync(IReadOnlyList<string>? recoveryCodes)
    {
        var user = await users.GetUserAsync(User) ?? throw new InvalidOperationException("Signed in without an account.");
        var key = await users.GetAuthenticatorKeyAsync(user);
        if (string.IsNullOrEmpty(key))
        {
            await users.ResetAuthenticatorKeyAsync(user);
            key = await users.GetAuthenticatorKeyAsync(user);
            await signIn.RefreshSignInAsync(user); // the reset moved the security stamp, which signs out stale cookies
        }
        var grouped = new StringBuilder();
        for (var i = 0; i < key!.Length; i += 4) grouped.Append(key.AsSpan(i, Math.Min(4, key.Length - i))).Append(' ');
        var label = Uri.EscapeDataString($"Panier de services:{user.Email}");
        var uri = $"otpauth://totp/{label}?secret={key}&issuer={Uri.EscapeDataString("Panier de services")}&digits=6";
        return new Enrollment(user.TwoFactorEnabled, grouped.ToString().TrimEnd().ToLowerInvariant(), uri, recoveryCodes);
    }
}

/// <summary>QR codes for the authenticator set-up: medium error correction, 5 pixels a module, a quiet zone of 4.</summary>
public static class QrCode
{
    public static string PngDataUri(string content)
    {
        using var generator = new QRCoder.QRCodeGenerator();
        using var data = generator.CreateQrCode(content, QRCoder.QRCodeGenerator.ECCLevel.M);
        return "data:image/png;base64," + Convert.ToBase64String(new QRCoder.PngByteQRCode(data).GetGraphic(5));
    }
}

/// <summary>
/// Staff pages need two-factor authentication: a curator or admin without it is sent to set it up first. The one
/// exception is a Development demo account (<see cref="Infrastructure.Seeding.DemoRoleAccounts.TwoFactorExemptClaim"/>),
/// and only while the site runs in Development: the same claim in any other environment changes nothing.
/// </summary>
public sealed class RequireTwoFactorAttribute : Attribute, IAsyncActionFilter
{
    public async Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
    {
        var users = context.HttpContext.RequestServices.GetRequiredService<UserManager<MarketplaceUser>>();
        var user = await users.GetUserAsync(context.HttpContext.User);
        if (user is not null && !await IsMetAsync(context.HttpContext, user))
        {
            context.Result = new RedirectToRouteResult(LocalizedLinks.RouteName("two-factor"), null);
            return;
        }
        await next();
    }

    /// <summary>The rule itself, for staff pages outside MVC too (the Hangfire dashboard, ADR 0031).</summary>
    public static async Task<bool> IsMetAsync(HttpContext http, MarketplaceUser user)
    {
        if (user.TwoFactorEnabled) return true;
        var services = http.RequestServices;
        return services.GetRequiredService<IHostEnvironment>().IsDevelopment()
               && (await services.GetRequiredService<UserManager<MarketplaceUser>>().GetClaimsAsync(user))
                   .Any(c => c.Type == Infrastructure.Seeding.DemoRoleAccounts.TwoFactorExemptClaim);
    }
}
