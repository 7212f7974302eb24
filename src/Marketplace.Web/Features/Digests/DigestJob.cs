using Hangfire;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Jobs;

namespace Marketplace.Web.Features.Digests;

/// <summary>
/// The weekly digest job (Hangfire recurring job <c>digest</c>, cron <c>Jobs:DigestCron</c>, Monday 07:00 Quebec time by
/// default): builds the digests of the current ISO week, then sends them. Running it again in the same week sends nothing
/// new: the outbox holds one row per recipient and period (unique), and a row is claimed under a lease before it is sent,
/// so Hangfire's retries (five, for a transient failure of the database or the mail server) send only what is still unsent
/// (ADR 0031). The period may be given (« lancer maintenant » for a given week).
/// </summary>
public sealed class DigestJob(DigestRun digests, MarketplaceDbContext db, TimeProvider time, ILogger<DigestJob> logger)
{
    [AutomaticRetry(Attempts = 5)]
    [DisableConcurrentExecution(timeoutInSeconds: 3600)]
    [JobDisplayName("digest ({1})")]
    public Task RunAsync(string? period, string trigger, CancellationToken cancellationToken) =>
        JobRuns.RecordAsync(db, time, Scheduling.Digest, trigger, async () =>
        {
            var week = DigestPeriods.IsValid(period) ? period! : DigestPeriods.Of(time.GetUtcNow());
            var built = await digests.BuildAsync(week, cancellationToken);
            var sent = await digests.SendAsync(week, waitForLeases: false, cancellationToken);
            logger.LogInformation("Digest {Period}: {New} built, {Sent} sent, {Failed} failed, {Pending} pending", week, built.New, sent.Sent,
                sent.Failed, sent.Pending);
            return $"{week}: +{built.New} / {sent.SentTotal} sent / {sent.Pending} pending / {sent.FailedTotal} failed";
        }, cancellationToken);
}
