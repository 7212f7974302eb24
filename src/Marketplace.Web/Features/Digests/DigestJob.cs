using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Jobs;
using Quartz;

namespace Marketplace.Web.Features.Digests;

/// <summary>
/// The weekly digest job (cron <c>Jobs:DigestCron</c>, Monday 07:00 Quebec time by default): builds the digests of the
/// current ISO week, then sends them. Running it again in the same week sends nothing new. The period may be given in
/// the job data (« lancer maintenant » for a given week).
/// </summary>
public sealed class DigestJob(DigestRun digests, MarketplaceDbContext db, TimeProvider time, ILogger<DigestJob> logger) : IJob
{
    public const string PeriodKey = "period";

    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        new(JobRuns.RecordAsync(db, time, Scheduling.Digest.Name, context.Trigger.Key.Name, async () =>
        {
            var period = context.MergedJobDataMap.TryGetValue(PeriodKey, out var value) && DigestPeriods.IsValid(value?.ToString())
                ? value!.ToString()!
                : DigestPeriods.Of(time.GetUtcNow());
            var built = await digests.BuildAsync(period, cancellationToken);
            var sent = await digests.SendAsync(period, waitForLeases: false, cancellationToken);
            logger.LogInformation("Digest {Period}: {New} built, {Sent} sent, {Failed} failed, {Pending} pending", period, built.New, sent.Sent,
                sent.Failed, sent.Pending);
            return $"{period}: +{built.New} / {sent.SentTotal} sent / {sent.Pending} pending / {sent.FailedTotal} failed";
        }, cancellationToken));
}
