using System.ComponentModel.DataAnnotations;
using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Infrastructure.Accounts;
using Marketplace.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Localization;

namespace Marketplace.Web.Features.Account;

/// <summary>Signing in and out, and choosing a password from a one-time link (CLI <c>users add</c>, password reset).</summary>
[EnableRateLimiting(RateLimitPolicy)]
public sealed class AccountController(
    SignInManager<MarketplaceUser> signIn,
    UserManager<MarketplaceUser> users,
    Registration registration,
    SignInThrottle throttle,
    IStringLocalizer<SharedResource> text) : Controller
{
    public const string RateLimitPolicy = "accounts";

    public sealed class LoginForm
    {
        [Required] [EmailAddress] [StringLength(320)] public string Email { get; set; } = "";
        [Required] [StringLength(200)] public string Password { get; set; } = "";
        public string? ReturnUrl { get; set; }
    }

    public sealed class SetPasswordForm
    {
        [Required] public string User { get; set; } = "";
        [Required] public string Token { get; set; } = "";
        [Required] [StringLength(200)] public string Password { get; set; } = "";
        [Required] [StringLength(200)] public string Confirmation { get; set; } = "";
    }

    public sealed class RegisterForm
    {
        [Required] [StringLength(MarketplaceUser.DisplayNameMaxLength)] public string DisplayName { get; set; } = "";
        [Required] [EmailAddress] [StringLength(320)] public string Email { get; set; } = "";
        [Required] [StringLength(200)] public string Password { get; set; } = "";
        [Required] [StringLength(200)] public string Confirmation { get; set; } = "";
        [Required] [StringLength(Organization.NameMaxLength)] public string OrganizationName { get; set; } = "";
        public OrganizationKind? Kind { get; set; }
        public bool AcceptTerms { get; set; }
        /// <summary>The version of the terms that binds the person: French unless, on an English page, English was chosen expressly.</summary>
        public string? TermsLanguage { get; set; }
        public bool WantsDigest { get; set; }
    }

    /// <summary>
    /// The terms are a contract of adhesion: French first (Charter of the French language, s. 55). On French pages they
    /// are the French ones; on English pages the French version is offered first and the English one binds only when the
    /// person expressly chooses it. Null when no version was chosen (an error the page shows).
    /// </summary>
    private static string? TermsLanguageOf(string? chosen) =>
        !Infrastructure.Web.Cultures.IsEnglish ? "fr" : chosen is "fr" or "en" ? chosen : null;

    [HttpGet("fr/inscription", Name = "register.fr")]
    [HttpGet("en/sign-up", Name = "register.en")]
    public IActionResult Register() => View(new RegisterForm());

    [HttpPost("fr/inscription")]
    [HttpPost("en/sign-up")]
    public async Task<IActionResult> Register(RegisterForm form, CancellationToken cancellationToken)
    {
        var errors = new List<string>();
        if (!ModelState.IsValid) errors.Add(text["Account.RegisterMissing"]);
        if (form.Kind is null) errors.Add(text["Account.KindRequired"]);
        var termsLanguage = TermsLanguageOf(form.TermsLanguage);
        if (termsLanguage is null) errors.Add(text["Account.TermsLanguageRequired"]);
        if (!form.AcceptTerms) errors.Add(text["Account.TermsRequired"]);
        if (form.Password != form.Confirmation) errors.Add(text["Account.PasswordMismatch"]);
        if (errors.Count == 0)
        {
            var refused = await registration.RegisterAsync(new Registration.Request(form.DisplayName, form.Email.Trim(), form.Password,
                form.OrganizationName, form.Kind!.Value, form.WantsDigest, Infrastructure.Web.Cultures.Current, termsLanguage!), cancellationToken);
            if (refused is null)
            {
                TempData["Notice"] = text["Account.Registered"].Value;
                return RedirectToRoute(LocalizedLinks.RouteName("login"));
            }
            // Only what the person can fix (the password). An address already in use is answered like a new one (ADR 0020);
            // only a race between two sign-ups of one address can still end here.
            errors.AddRange(refused.Select(code => code is "DuplicateEmail" or "DuplicateUserName" ? text["Account.EmailTaken"] : Describe(code)).Distinct());
        }
        Response.StatusCode = StatusCodes.Status400BadRequest;
        ViewData["Errors"] = errors.ToArray();
        form.Password = form.Confirmation = "";
        return View(form);
    }

    [HttpGet("fr/compte/confirmer", Name = "confirm.fr")]
    [HttpGet("en/account/confirm", Name = "confirm.en")]
    public async Task<IActionResult> Confirm(string? user, string? token)
    {
        var account = string.IsNullOrEmpty(user) ? null : await users.FindByIdAsync(user);
        if (account is null || string.IsNullOrEmpty(token)) return NotFound();
        var result = await users.ConfirmEmailAsync(account, token);
        if (!result.Succeeded)
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            ViewData["Errors"] = new[] { text["Account.LinkInvalid"].Value };
            return View("Confirmed");
        }
        TempData["Notice"] = text["Account.EmailConfirmed"].Value;
        return View("Confirmed");
    }

    [HttpGet("fr/connexion", Name = "login.fr")]
    [HttpGet("en/login", Name = "login.en")]
    public IActionResult Login(string? returnUrl) => View(new LoginForm { ReturnUrl = returnUrl });

    [HttpPost("fr/connexion")]
    [HttpPost("en/login")]
    public async Task<IActionResult> Login(LoginForm form)
    {
        if (!ModelState.IsValid) return Invalid(form, text["Account.LoginInvalid"]);
        // One answer for every refusal (unknown address, wrong password, a delay running, a locked account), and the same
        // hashing work whether the address has an account or not (ADR 0020).
        var address = form.Email.Trim();
        var ip = HttpContext.Connection.RemoteIpAddress?.ToString();
        if (throttle.WaitUntil(address, ip) is not null) return Invalid(form, text["Account.LoginFailed"]);
        var user = await users.FindByEmailAsync(address);
        if (user?.PasswordHash is null)
        {
            UnknownAccountPassword.Check(users.PasswordHasher, form.Password);
            throttle.Failed(address, ip);
            return Invalid(form, text["Account.LoginFailed"]);
        }
        var result = await signIn.PasswordSignInAsync(user, form.Password, isPersistent: false, lockoutOnFailure: true);
        if (result.IsLockedOut) UnknownAccountPassword.Check(users.PasswordHasher, form.Password); // Identity skipped the hash
        if (result.RequiresTwoFactor)
        {
            throttle.Succeeded(address);
            return RedirectToRoute(LocalizedLinks.RouteName("login-code"), new { returnUrl = form.ReturnUrl });
        }
        if (!result.Succeeded)
        {
            throttle.Failed(address, ip);
            return Invalid(form, text["Account.LoginFailed"]);
        }
        throttle.Succeeded(address);
        return LocalRedirect(Url.IsLocalUrl(form.ReturnUrl) ? form.ReturnUrl! : Url.RouteUrl(LocalizedLinks.RouteName(LandingRoute(await users.GetRolesAsync(user))))!);
    }

    // ---- Invitations: a signed, expiring link; accepting it creates the account ----

    public sealed class InvitationForm
    {
        [Required] public string T { get; set; } = "";
        [Required] [StringLength(MarketplaceUser.DisplayNameMaxLength)] public string DisplayName { get; set; } = "";
        [Required] [StringLength(200)] public string Password { get; set; } = "";
        [Required] [StringLength(200)] public string Confirmation { get; set; } = "";
        public bool AcceptTerms { get; set; }
        /// <summary>As on sign-up (<see cref="RegisterForm.TermsLanguage"/>).</summary>
        public string? TermsLanguage { get; set; }
        public string Email { get; set; } = "";
    }

    [HttpGet("fr/invitation", Name = "invitation.fr")]
    [HttpGet("en/invitation", Name = "invitation.en")]
    public async Task<IActionResult> Invitation(string? t)
    {
        var invitation = registration.ReadInvitation(t);
        if (invitation is null) return InvitationRefused(new InvitationForm(), [text["Account.LinkInvalid"]], closed: true);
        var form = new InvitationForm { T = t!, DisplayName = invitation.DisplayName, Email = invitation.Email };
        // Whoever holds the link reads the address's mailbox: telling them it already has an account reveals nothing.
        if (await users.FindByEmailAsync(invitation.Email) is not null)
            return InvitationRefused(form, [text["Account.InvitationAccountExists"]], closed: true);
        return View(form);
    }

    [HttpPost("fr/invitation")]
    [HttpPost("en/invitation")]
    public async Task<IActionResult> Invitation(InvitationForm form, CancellationToken cancellationToken)
    {
        var invitation = registration.ReadInvitation(form.T);
        if (invitation is null) return InvitationRefused(form, [text["Account.LinkInvalid"]], closed: true);
        form.Email = invitation.Email;
        var errors = new List<string>();
        if (!ModelState.IsValid) errors.Add(text["Account.RegisterMissing"]);
        var termsLanguage = TermsLanguageOf(form.TermsLanguage);
        if (termsLanguage is null) errors.Add(text["Account.TermsLanguageRequired"]);
        if (!form.AcceptTerms) errors.Add(text["Account.TermsRequired"]);
        if (form.Password != form.Confirmation) errors.Add(text["Account.PasswordMismatch"]);
        if (errors.Count > 0) return InvitationRefused(form, errors);
        var refused = await registration.AcceptInvitationAsync(invitation,
            new Registration.Acceptance(form.DisplayName, form.Password, termsLanguage!, Infrastructure.Web.Cultures.Current), cancellationToken);
        if (refused is not null)
            return InvitationRefused(form, refused.Select(code => code switch
            {
                "InvitationInvalid" => text["Account.LinkInvalid"].Value,
                "DuplicateEmail" or "DuplicateUserName" => text["Account.InvitationAccountExists"].Value,
                _ => Describe(code),
            }).Distinct().ToArray(), closed: refused.Any(code => code is "InvitationInvalid" or "DuplicateEmail" or "DuplicateUserName"));
        TempData["Notice"] = text["Account.InvitationAccepted"].Value;
        return RedirectToRoute(LocalizedLinks.RouteName("login"));
    }

    /// <summary>The page again with its errors; <paramref name="closed"/> when the link cannot be used at all (no form).</summary>
    private ViewResult InvitationRefused(InvitationForm form, IReadOnlyList<string> errors, bool closed = false)
    {
        Response.StatusCode = StatusCodes.Status400BadRequest;
        ViewData["InvitationClosed"] = closed;
        ViewData["Errors"] = errors.ToArray();
        form.Password = form.Confirmation = "";
        return View(nameof(Invitation), form);
    }

    [HttpPost("fr/deconnexion", Name = "logout.fr")]
    [HttpPost("en/logout", Name = "logout.en")]
    public async Task<IActionResult> Logout()
    {
        await signIn.SignOutAsync();
        return RedirectToRoute(LocalizedLinks.RouteName("home"));
    }

    [HttpGet("fr/mot-de-passe-oublie", Name = "forgot-password.fr")]
    [HttpGet("en/forgot-password", Name = "forgot-password.en")]
    public IActionResult ForgotPassword() => View();

    /// <summary>The same answer whether the address has an account or not; the link goes only to the address itself.</summary>
    [HttpPost("fr/mot-de-passe-oublie")]
    [HttpPost("en/forgot-password")]
    public async Task<IActionResult> ForgotPassword(string? email, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(email) || !new EmailAddressAttribute().IsValid(email))
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            ViewData["Errors"] = new[] { text["Account.LoginInvalid"].Value };
            return View();
        }
        await registration.EnqueuePasswordResetAsync(email.Trim(), cancellationToken);
        TempData["Notice"] = text["Account.ResetSent"].Value;
        return RedirectToRoute(LocalizedLinks.RouteName("login"));
    }

    // ---- « Renvoyer le courriel de confirmation » ----

    [HttpGet("fr/connexion/renvoyer-confirmation", Name = "resend-confirmation.fr")]
    [HttpGet("en/login/resend-confirmation", Name = "resend-confirmation.en")]
    public IActionResult ResendConfirmation() => View();

    /// <summary>For someone who cannot sign in yet: the same answer whether the address has an account or not.</summary>
    [HttpPost("fr/connexion/renvoyer-confirmation")]
    [HttpPost("en/login/resend-confirmation")]
    public async Task<IActionResult> ResendConfirmation(string? email, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(email) || !new EmailAddressAttribute().IsValid(email))
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            ViewData["Errors"] = new[] { text["Account.LoginInvalid"].Value };
            return View();
        }
        await registration.ResendConfirmationAsync(email.Trim(), cancellationToken);
        TempData["Notice"] = text["Account.ConfirmationResentIfAny"].Value;
        return RedirectToRoute(LocalizedLinks.RouteName("login"));
    }

    /// <summary>The signed-in version (account settings, and every « confirmez d'abord » refusal).</summary>
    [Microsoft.AspNetCore.Authorization.Authorize]
    [HttpPost("fr/compte/confirmation/renvoyer", Name = "resend-own-confirmation.fr")]
    [HttpPost("en/account/confirmation/resend", Name = "resend-own-confirmation.en")]
    public async Task<IActionResult> ResendOwnConfirmation(CancellationToken cancellationToken)
    {
        var user = await users.GetUserAsync(User) ?? throw new InvalidOperationException("Signed in without an account.");
        var outcome = await registration.ResendConfirmationAsync(user, cancellationToken);
        if (outcome == Registration.Resent.Limited)
        {
            Response.StatusCode = StatusCodes.Status429TooManyRequests;
            ViewData["Errors"] = new[] { text["Account.ConfirmationLimited"].Value };
            return View("Confirmed");
        }
        TempData["Notice"] = text[outcome == Registration.Resent.Sent ? "Account.ConfirmationResent" : "Account.EmailConfirmed", user.Email!].Value;
        return RedirectToRoute(LocalizedLinks.RouteName("settings"));
    }

    [HttpGet("fr/compte/definir-mot-de-passe", Name = "set-password.fr")]
    [HttpGet("en/account/set-password", Name = "set-password.en")]
    public IActionResult SetPassword(string? user, string? token) =>
        string.IsNullOrEmpty(user) || string.IsNullOrEmpty(token)
            ? NotFound()
            : View(new SetPasswordForm { User = user, Token = token });

    [HttpPost("fr/compte/definir-mot-de-passe")]
    [HttpPost("en/account/set-password")]
    public async Task<IActionResult> SetPassword(SetPasswordForm form)
    {
        if (!ModelState.IsValid) return InvalidPassword(form, [text["Account.PasswordRequired"]]);
        if (form.Password != form.Confirmation) return InvalidPassword(form, [text["Account.PasswordMismatch"]]);
        var user = await users.FindByIdAsync(form.User);
        if (user is null) return InvalidPassword(form, [text["Account.LinkInvalid"]]);
        var result = await users.ResetPasswordAsync(user, form.Token, form.Password);
        if (!result.Succeeded) return InvalidPassword(form, result.Errors.Select(e => Describe(e.Code)).Distinct().ToArray());
        if (!user.EmailConfirmed)
        {
            // The link came by email: using it proves the address.
            user.EmailConfirmed = true;
            await users.UpdateAsync(user);
        }
        TempData["Notice"] = text["Account.PasswordSet"].Value;
        return RedirectToRoute(LocalizedLinks.RouteName("login"));
    }

    /// <summary>
    /// Where a sign-in without a (safe, local) return address lands: staff on their work (admins on the accounts page,
    /// curators on the queue), everyone else on the home page.
    /// </summary>
    public static string LandingRoute(IEnumerable<string> roles)
    {
        var held = roles.ToHashSet();
        return held.Contains(Roles.Admin) ? "admin-accounts" : held.Contains(Roles.Curator) ? "curation" : "home";
    }

    private string Describe(string code) => code switch
    {
        "PasswordTooShort" => text["Account.PasswordTooShort"],
        "PasswordRequiresUniqueChars" or "CommonPassword" => text["Account.PasswordCommon"],
        "InvalidToken" => text["Account.LinkInvalid"],
        _ => text["Account.PasswordRefused"],
    };

    /// <summary>
    /// The password check an unknown address (or an account without a password, or a locked one) would have cost: one
    /// verification against a hash made with the same hasher, so the answer takes as long as for a real account.
    /// </summary>
    private static class UnknownAccountPassword
    {
        private static string? _hash;

        public static void Check(IPasswordHasher<MarketplaceUser> hasher, string password)
        {
            var nobody = new MarketplaceUser();
            _hash ??= hasher.HashPassword(nobody, Guid.NewGuid().ToString("N"));
            hasher.VerifyHashedPassword(nobody, _hash, password);
        }
    }

    private IActionResult Invalid(LoginForm form, string message)
    {
        Response.StatusCode = StatusCodes.Status400BadRequest;
        ViewData["Errors"] = new[] { message };
        form.Password = "";
        return View(nameof(Login), form);
    }

    private IActionResult InvalidPassword(SetPasswordForm form, string[] messages)
    {
        Response.StatusCode = StatusCodes.Status400BadRequest;
        ViewData["Errors"] = messages;
        form.Password = form.Confirmation = "";
        return View(nameof(SetPassword), form);
    }
}
