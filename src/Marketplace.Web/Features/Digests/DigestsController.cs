using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Features.TwoFactor;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Email;
using Marketplace.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Marketplace.Web.Features.Digests;

/// <summary>
/// The weekly digest, three ways in: the account's settings (opt in or out, any signed-in person), the stop link and
/// the RFC 8058 one-click POST (no session: the signed, expiring token is the proof), and the admins' page per period.
/// </summary>
public sealed class DigestsController(
    MarketplaceDbContext db,
    DigestSubscriptions subscriptions,
    UserManager<MarketplaceUser> users,
    Privacy.StaffAccessLog accessLog,
    TimeProvider time,
    IStringLocalizer<SharedResource> text) : Controller
{
    public sealed record SettingsPage(bool Subscribed, string Language, string Email = "", bool EmailConfirmed = true);

    /// <summary>
    /// The stop page: asking (the link was opened, nothing changed yet), stopped, resubscribed, or a resubscription refused
    /// because nobody (or somebody else) is signed in. <paramref name="IsThePerson"/>: the person the link names is signed
    /// in, so the page may offer to undo; anyone else is asked to sign in.
    /// </summary>
    public sealed record Stopped(string Token, StopState State, bool IsThePerson = false);

    public enum StopState { Asking, Stopped, Resubscribed, SignInRequired }

    public sealed record PeriodRow(long Id, string To, int Attempts, DateTimeOffset? SentAt, string? LastError, bool Failed, string? RecipientUserId = null,
        bool Suppressed = false);

    public sealed record PeriodPage(string Period, IReadOnlyList<string> Periods, int Recipients, int Sent, int Pending, int Failed,
        IReadOnlyList<PeriodRow> Problems, int Suppressed = 0);

    // ---- Account settings ----

    [Authorize]
    [HttpGet("fr/compte/parametres", Name = "settings.fr")]
    [HttpGet("en/account/settings", Name = "settings.en")]
    public async Task<IActionResult> Settings(CancellationToken cancellationToken)
    {
        var user = await users.GetUserAsync(User) ?? throw new InvalidOperationException("Signed in without an account.");
        return View(new SettingsPage(await subscriptions.IsSubscribedAsync(user.Id, cancellationToken), user.Language, user.Email ?? "", user.EmailConfirmed));
    }

    [Authorize]
    [HttpPost("fr/compte/parametres")]
    [HttpPost("en/account/settings")]
    public async Task<IActionResult> SaveSettings(bool digest, string? language, CancellationToken cancellationToken)
    {
        var user = await users.GetUserAsync(User) ?? throw new InvalidOperationException("Signed in without an account.");
        if (language is not ("fr" or "en"))
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            ViewData["Errors"] = new[] { text["Settings.LanguageInvalid"].Value };
            return View(nameof(Settings), new SettingsPage(digest, user.Language, user.Email ?? "", user.EmailConfirmed));
        }
        if (digest) await subscriptions.SubscribeAsync(user.Id, cancellationToken);
        else await subscriptions.UnsubscribeAsync(user.Id, cancellationToken);
        user.Language = language;
        await db.SaveChangesAsync(cancellationToken);
        TempData["Notice"] = text["Settings.Saved"].Value;
        return RedirectToRoute(LocalizedLinks.RouteName("settings"));
    }

    // ---- Stop link (GET: asks, changes nothing; its button POSTs), one-click POST (RFC 8058) ----

    /// <summary>
    /// Opening the link changes nothing: mail-security scanners open every link of a message, so a GET that stopped the
    /// digest would unsubscribe people silently. The page asks, with one button (a form with its antiforgery token).
    /// </summary>
    [AllowAnonymous]
    [HttpGet("fr/desabonnement", Name = "unsubscribe.fr")]
    [HttpGet("en/unsubscribe", Name = "unsubscribe.en")]
    public IActionResult Unsubscribe(string? t) =>
        subscriptions.UserIdFrom(t) is null ? InvalidLink() : View("Stopped", new Stopped(t!, StopState.Asking));

    /// <summary>The button of the stop page: a person's choice, so the antiforgery token is checked (global filter).</summary>
    [AllowAnonymous]
    [HttpPost("fr/desabonnement/confirmer", Name = "unsubscribe-confirm.fr")]
    [HttpPost("en/unsubscribe/confirm", Name = "unsubscribe-confirm.en")]
    public Task<IActionResult> ConfirmUnsubscribe(string? t, CancellationToken cancellationToken) => StopAsync(t, cancellationToken);

    /// <summary>
    /// The one-click POST a mail client sends (<c>List-Unsubscribe=One-Click</c>) to the List-Unsubscribe address. It
    /// carries no antiforgery token and no cookie by design (RFC 8058), so this one action is exempted
    /// (<c>[IgnoreAntiforgeryToken]</c>); the signed, expiring token in the address is what authorizes it.
    /// </summary>
    [AllowAnonymous]
    [IgnoreAntiforgeryToken]
    [HttpPost("fr/desabonnement")]
    [HttpPost("en/unsubscribe")]
    public Task<IActionResult> OneClick(string? t, CancellationToken cancellationToken) => StopAsync(t, cancellationToken);

    private async Task<IActionResult> StopAsync(string? token, CancellationToken cancellationToken)
    {
        var userId = subscriptions.UserIdFrom(token);
        if (userId is null) return InvalidLink();
        await subscriptions.UnsubscribeAsync(userId, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return View("Stopped", new Stopped(token!, StopState.Stopped, users.GetUserId(User) == userId));
    }

    /// <summary>
    /// Undo from the stop page: a form with its antiforgery token, the same signed token, and the person signed in. A stop
    /// link gets forwarded with the message; stopping by whoever holds it is harmless, but a consent given again must be
    /// the person's own (issue 12), so anyone else gets a 403 page that offers to sign in and return to the settings.
    /// </summary>
    [AllowAnonymous]
    [HttpPost("fr/desabonnement/reabonner", Name = "resubscribe.fr")]
    [HttpPost("en/unsubscribe/resubscribe", Name = "resubscribe.en")]
    public async Task<IActionResult> Resubscribe(string? t, CancellationToken cancellationToken)
    {
        var userId = subscriptions.UserIdFrom(t);
        if (userId is null) return InvalidLink();
        if (users.GetUserId(User) != userId)
        {
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return View("Stopped", new Stopped(t!, StopState.SignInRequired));
        }
        await subscriptions.SubscribeAsync(userId, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return View("Stopped", new Stopped(t!, StopState.Resubscribed, IsThePerson: true));
    }

    private IActionResult InvalidLink()
    {
        Response.StatusCode = StatusCodes.Status400BadRequest;
        return View("InvalidLink");
    }

    // ---- Admins: one period ----

    [Authorize(Roles = Roles.Admin)]
    [RequireTwoFactor]
    [HttpGet("fr/admin/resumes", Name = "admin-digests.fr")]
    [HttpGet("en/admin/digests", Name = "admin-digests.en")]
    public async Task<IActionResult> Period(string? period, CancellationToken cancellationToken)
    {
        var periods = await db.OutboxEmails.AsNoTracking().Where(e => e.DigestPeriod != null).Select(e => e.DigestPeriod!).Distinct()
            .OrderByDescending(p => p).Take(52).ToListAsync(cancellationToken);
        if (period is not null && !DigestPeriods.IsValid(period))
        {
            Response.StatusCode = StatusCodes.Status400BadRequest;
            ViewData["Errors"] = new[] { text["Digests.PeriodInvalid"].Value };
            period = null;
        }
        var page = await PeriodPageAsync(period ?? periods.FirstOrDefault() ?? DigestPeriods.Of(time.GetUtcNow()), periods, cancellationToken);
        // The problem rows show recipients' addresses: each is an access to that person's data (Law 25, s. 3.5–3.8).
        await accessLog.RecordAsync(User, StaffAccessKind.Email, page.Problems
            .Select(r => new Privacy.StaffAccessLog.Subject(r.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), r.RecipientUserId, null)).ToList(),
            cancellationToken);
        return View("~/Features/Digests/Period.cshtml", page);
    }

    [Authorize(Roles = Roles.Admin)]
    [RequireTwoFactor]
    [HttpPost("fr/admin/resumes/reessayer", Name = "admin-digests-retry.fr")]
    [HttpPost("en/admin/digests/retry", Name = "admin-digests-retry.en")]
    public async Task<IActionResult> RetryFailed(string? period, CancellationToken cancellationToken)
    {
        if (!DigestPeriods.IsValid(period)) return BadRequest();
        var failed = await db.OutboxEmails.Where(e => e.DigestPeriod == period && e.SentAt == null && e.Attempts >= OutboxEmail.MaxAttempts)
            .ToListAsync(cancellationToken);
        foreach (var row in failed) row.Retry(time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        TempData["Notice"] = text.Plural("Digests.Retried", failed.Count).Value;
        return RedirectToRoute(LocalizedLinks.RouteName("admin-digests"), new { period });
    }

    private async Task<PeriodPage> PeriodPageAsync(string period, IReadOnlyList<string> periods, CancellationToken cancellationToken)
    {
        var rows = db.OutboxEmails.AsNoTracking().Where(e => e.DigestPeriod == period);
        var recipients = await rows.CountAsync(cancellationToken);
        var sent = await rows.CountAsync(e => e.SentAt != null, cancellationToken);
        var failed = await rows.CountAsync(e => e.SentAt == null && e.SuppressedAt == null && e.Attempts >= OutboxEmail.MaxAttempts, cancellationToken);
        // Recipients on the suppression list (issue 15): never sent, neither pending nor failed.
        var suppressed = await rows.CountAsync(e => e.SuppressedAt != null, cancellationToken);
        var problems = await rows.Where(e => e.SentAt == null && (e.Attempts > 0 || e.LastError != null)).OrderBy(e => e.Id).Take(200)
            .Select(e => new PeriodRow(e.Id, e.To, e.Attempts, e.SentAt, e.LastError, e.Attempts >= OutboxEmail.MaxAttempts, e.RecipientUserId,
                e.SuppressedAt != null))
            .ToListAsync(cancellationToken);
        return new PeriodPage(period, periods, recipients, sent, recipients - sent - failed - suppressed, failed, problems, suppressed);
    }
}
