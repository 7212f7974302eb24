using System.Security.Claims;
using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Identity;

namespace Marketplace.Web.Features.Privacy;

/// <summary>
/// Records that the signed-in member of staff is looking at someone's data (Law 25, s. 3.5–3.8): a row per record
/// shown, saved in the same request as the page. Nothing goes to the logs.
/// </summary>
public sealed class StaffAccessLog(MarketplaceDbContext db, UserManager<MarketplaceUser> users, TimeProvider time)
{
    public sealed record Subject(string RecordId, string? UserId, int? OrganizationId);

    /// <summary>Records one view and saves it.</summary>
    public Task RecordAsync(ClaimsPrincipal staff, StaffAccessKind kind, string recordId, string? subjectUserId, int? subjectOrganizationId,
        CancellationToken cancellationToken) =>
        RecordAsync(staff, kind, [new Subject(recordId, subjectUserId, subjectOrganizationId)], cancellationToken);

    /// <summary>Records a list of records seen on one page (one row each) and saves them.</summary>
    public async Task RecordAsync(ClaimsPrincipal staff, StaffAccessKind kind, IReadOnlyCollection<Subject> subjects, CancellationToken cancellationToken)
    {
        var staffId = users.GetUserId(staff) ?? throw new InvalidOperationException("A staff access needs a signed-in member of staff.");
        var now = time.GetUtcNow();
        var rows = subjects.Where(s => s.UserId is not null || s.OrganizationId is not null)
            .Select(s => new StaffAccess(staffId, kind, s.RecordId, s.UserId, s.OrganizationId, now)).ToList();
        if (rows.Count == 0) return;
        db.StaffAccesses.AddRange(rows);
        await db.SaveChangesAsync(cancellationToken);
    }
}
