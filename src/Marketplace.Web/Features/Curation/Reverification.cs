using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Web.Features.Curation;

/// <summary>
/// Listings whose last human check is over 12 months old (<see cref="Provider.VerificationIsStale"/>): the curators' « à revérifier » list, and a reminder email to
/// the provider organization at most once every 30 days (an audit entry records each reminder).
/// </summary>
public sealed class Reverification(MarketplaceDbContext db, ListingEmails emails, TimeProvider time)
{
    public static readonly TimeSpan ReminderInterval = TimeSpan.FromDays(30);

    public sealed record Due(int ProviderId, string Slug, string Name, DateTimeOffset? VerifiedAt, string? Organization);

    /// <summary>An archived listing, with the last archive's date and reason, that a curator may restore.</summary>
    public sealed record ArchivedListing(int ProviderId, string Name, DateTimeOffset? VerifiedAt, string? Organization,
        DateTimeOffset? ArchivedAt, string? Reason);

    /// <summary>Archived listings, the most recently archived first.</summary>
    public async Task<IReadOnlyList<ArchivedListing>> ArchivedAsync(CancellationToken cancellationToken)
    {
        var rows = await (from p in db.Providers.AsNoTracking()
                          where p.Status == ListingStatus.Archived
                          select new ArchivedListing(p.Id, p.Name, p.VerifiedAt,
                              db.Organizations.Where(o => o.ProviderId == p.Id).Select(o => o.Name).FirstOrDefault(),
                              db.AuditEntries.Where(a => a.ProviderId == p.Id && a.Action == AuditAction.Archived).OrderByDescending(a => a.Id)
                                  .Select(a => (DateTimeOffset?)a.At).FirstOrDefault(),
                              db.AuditEntries.Where(a => a.ProviderId == p.Id && a.Action == AuditAction.Archived).OrderByDescending(a => a.Id)
                                  .Select(a => a.Reason).FirstOrDefault()))
            .ToListAsync(cancellationToken);
        return rows
            .OrderByDescending(r => r.ArchivedAt).ThenBy(r => r.Name, StringComparer.Ordinal).ToList();
    }

    public async Task<IReadOnlyList<Due>> DueAsync(CancellationToken cancellationToken)
    {
        var limit = Provider.VerificationDueBefore(time.GetUtcNow());
        return await (from p in db.Providers.AsNoTracking()
                      where p.Status == ListingStatus.Published && (p.VerifiedAt == null || p.VerifiedAt < limit)
                      orderby p.VerifiedAt, p.Name
                      select new Due(p.Id, p.Slug, p.Name, p.VerifiedAt,
                          db.Organizations.Where(o => o.ProviderId == p.Id).Select(o => o.Name).FirstOrDefault()))
            .ToListAsync(cancellationToken);
    }

    /// <summary>Sends the reminders that are due; returns how many organizations were reminded.</summary>
    public async Task<int> RemindAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var recent = now - ReminderInterval;
        var reminded = 0;
        foreach (var due in await DueAsync(cancellationToken))
        {
            var organization = await db.Organizations.AsNoTracking().SingleOrDefaultAsync(o => o.ProviderId == due.ProviderId, cancellationToken);
            if (organization is null) continue; // demonstration listings have no organization to remind
            var already = await db.AuditEntries.AnyAsync(a => a.ProviderId == due.ProviderId
                && a.Action == AuditAction.ReverificationReminded && a.At > recent, cancellationToken);
            if (already) continue;
            await emails.EnqueueReminderAsync(organization.Id, due.Name, cancellationToken);
            db.AuditEntries.Add(new AuditEntry(organization.Id, due.ProviderId, null, "system", AuditAction.ReverificationReminded, null, now));
            await db.SaveChangesAsync(cancellationToken);
            reminded++;
        }
        return reminded;
    }
}

/// <summary>
/// The re-verification reminders (Hangfire recurring job <c>reverification</c>, daily at 09:00 Quebec time by default;
/// <c>reverify</c> runs the same by hand), recorded for the admins' job page. Before Hangfire each instance ran them from
/// a timer of its own; now one instance runs each occurrence. Retried three times: each reminder's email and its audit
/// entry are saved together, and a provider reminded in the last 30 days is skipped, so a retry sends no reminder twice.
/// </summary>
public sealed class ReverificationJob(Reverification reverification, MarketplaceDbContext db, TimeProvider time, ILogger<ReverificationJob> logger)
{
    [Hangfire.AutomaticRetry(Attempts = 3)]
    [Hangfire.DisableConcurrentExecution(timeoutInSeconds: 600)]
    [Hangfire.JobDisplayName("reverification ({0})")]
    public Task RunAsync(string trigger, CancellationToken cancellationToken) =>
        Infrastructure.Jobs.JobRuns.RecordAsync(db, time, Infrastructure.Jobs.Scheduling.Reverification, trigger, async () =>
        {
            var count = await reverification.RemindAsync(cancellationToken);
            logger.LogInformation("Re-verification reminders sent: {Count}", count);
            return $"rappels envoyés / reminders sent: {count}";
        }, cancellationToken);
}
