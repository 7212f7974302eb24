using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Features.TwoFactor;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Email;
using Marketplace.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Marketplace.Web.Features.Admin;

/// <summary>
/// The admins' email page (issue 15, ADR 0032): emails that did not leave (suppressed, refused for good, waiting for a
/// new attempt) with their last error, and the suppression list, where an admin adds an address or lifts one (audited,
/// without the address). Every address shown is an access to that person's data (Law 25, s. 3.5–3.8).
/// </summary>
[Authorize(Roles = Roles.Admin)]
[RequireTwoFactor]
public sealed class EmailsController(MarketplaceDbContext db, UserManager<MarketplaceUser> users, Privacy.StaffAccessLog accessLog,
    TimeProvider time, IStringLocalizer<SharedResource> text) : Controller
{
    public const int PageRows = 200;

    public enum EmailState { Suppressed, Failed, Retrying }

    public sealed record EmailRow(long Id, string To, string Kind, DateTimeOffset CreatedAt, int Attempts, EmailState State, string? LastError,
        string? RecipientUserId);

    public sealed record SuppressionRow(long Id, string Address, SuppressionReason Reason, string Source, DateTimeOffset CreatedAt,
        DateTimeOffset LastEventAt);

    public sealed record Page(IReadOnlyList<EmailRow> Problems, IReadOnlyList<SuppressionRow> Suppressions, int SuppressionCount, string? Query);

    [HttpGet("fr/admin/courriels", Name = "admin-emails.fr")]
    [HttpGet("en/admin/emails", Name = "admin-emails.en")]
    public async Task<IActionResult> Index(string? q, CancellationToken cancellationToken)
    {
        var page = await PageAsync(q, cancellationToken);
        await RecordAccessAsync(page, cancellationToken);
        return View("~/Features/Admin/Emails.cshtml", page);
    }

    [HttpPost("fr/admin/courriels/blocages", Name = "admin-emails-suppress.fr")]
    [HttpPost("en/admin/emails/suppressions", Name = "admin-emails-suppress.en")]
    public async Task<IActionResult> Suppress(string? address, CancellationToken cancellationToken)
    {
        var normalized = EmailSuppression.Normalize(address);
        if (normalized is null || !new System.ComponentModel.DataAnnotations.EmailAddressAttribute().IsValid(normalized))
            return await InvalidAsync(text["Admin.Emails.AddressInvalid"], address, cancellationToken);
        if (await db.EmailSuppressions.AnyAsync(s => s.Address == normalized, cancellationToken))
        {
            TempData["Notice"] = text["Admin.Emails.AlreadySuppressed", normalized].Value;
            return RedirectToRoute(LocalizedLinks.RouteName("admin-emails"));
        }
        var now = time.GetUtcNow();
        // The audit names the listing by its id: one transaction for the row and its audit entry.
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var suppression = db.EmailSuppressions.Add(new EmailSuppression(normalized, SuppressionReason.Admin, EmailSuppression.AdminSource, now)).Entity;
        await db.SaveChangesAsync(cancellationToken);
        db.AuditEntries.Add(new AuditEntry(0, null, null, users.GetUserId(User)!, AuditAction.SuppressionAdded,
            $"suppression:{suppression.Id} ({SuppressionReason.Admin})", now));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        TempData["Notice"] = text["Admin.Emails.Suppressed", normalized].Value;
        return RedirectToRoute(LocalizedLinks.RouteName("admin-emails"));
    }

    /// <summary>The address may receive email again; emails already marked suppressed stay so (they are history).</summary>
    [HttpPost("fr/admin/courriels/blocages/{id:long}/lever", Name = "admin-emails-lift.fr")]
    [HttpPost("en/admin/emails/suppressions/{id:long}/lift", Name = "admin-emails-lift.en")]
    public async Task<IActionResult> Lift(long id, CancellationToken cancellationToken)
    {
        var suppression = await db.EmailSuppressions.SingleOrDefaultAsync(s => s.Id == id, cancellationToken);
        if (suppression is null) return NotFound();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        db.EmailSuppressions.Remove(suppression);
        // The audit keeps who lifted which listing and why it was there, never the address (kept for years).
        db.AuditEntries.Add(new AuditEntry(0, null, null, users.GetUserId(User)!, AuditAction.SuppressionLifted,
            $"suppression:{suppression.Id} ({suppression.Reason}, {suppression.Source})", time.GetUtcNow()));
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        TempData["Notice"] = text["Admin.Emails.Lifted", suppression.Address].Value;
        return RedirectToRoute(LocalizedLinks.RouteName("admin-emails"));
    }

    private async Task<IActionResult> InvalidAsync(string error, string? address, CancellationToken cancellationToken)
    {
        Response.StatusCode = StatusCodes.Status400BadRequest;
        ViewData["Errors"] = new[] { error };
        ViewData["Address"] = address;
        var page = await PageAsync(null, cancellationToken);
        await RecordAccessAsync(page, cancellationToken);
        return View("~/Features/Admin/Emails.cshtml", page);
    }

    private async Task<Page> PageAsync(string? q, CancellationToken cancellationToken)
    {
        var problems = await db.OutboxEmails.AsNoTracking()
            .Where(e => e.SentAt == null && (e.SuppressedAt != null || e.Attempts > 0 || e.LastError != null))
            .OrderByDescending(e => e.Id).Take(PageRows)
            .Select(e => new EmailRow(e.Id, e.To, e.Kind, e.CreatedAt, e.Attempts,
                e.SuppressedAt != null ? EmailState.Suppressed : e.Attempts >= OutboxEmail.MaxAttempts ? EmailState.Failed : EmailState.Retrying,
                e.LastError, e.RecipientUserId))
            .ToListAsync(cancellationToken);
        var query = string.IsNullOrWhiteSpace(q) ? null : q.Trim();
        var filter = query?.ToLowerInvariant();
        var suppressions = db.EmailSuppressions.AsNoTracking();
        if (filter is not null) suppressions = suppressions.Where(s => s.Address.Contains(filter));
        var rows = await suppressions.OrderByDescending(s => s.LastEventAt).ThenByDescending(s => s.Id).Take(PageRows)
            .Select(s => new SuppressionRow(s.Id, s.Address, s.Reason, s.Source, s.CreatedAt, s.LastEventAt)).ToListAsync(cancellationToken);
        return new Page(problems, rows, await suppressions.CountAsync(cancellationToken), query);
    }

    private async Task RecordAccessAsync(Page page, CancellationToken cancellationToken)
    {
        await accessLog.RecordAsync(User, StaffAccessKind.Email, page.Problems
            .Select(r => new Privacy.StaffAccessLog.Subject(r.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), r.RecipientUserId, null))
            .ToList(), cancellationToken);
        // A listed address belongs to an account, or to nobody the site knows (a public address, a deleted account).
        var normalized = page.Suppressions.Select(s => s.Address.ToUpperInvariant()).ToArray();
        var byAddress = new Dictionary<string, string>();
        if (normalized.Length > 0)
            foreach (var account in await db.Users.AsNoTracking()
                         .Where(u => u.NormalizedEmail != null && EF.Parameter(normalized).Contains(u.NormalizedEmail))
                         .Select(u => new { u.Id, u.NormalizedEmail }).ToListAsync(cancellationToken))
                byAddress.TryAdd(account.NormalizedEmail!, account.Id);
        await accessLog.RecordAsync(User, StaffAccessKind.EmailSuppression, page.Suppressions
            .Select(s => new Privacy.StaffAccessLog.Subject($"suppression:{s.Id}", byAddress.GetValueOrDefault(s.Address.ToUpperInvariant()), null))
            .ToList(), cancellationToken);
    }
}
