using Marketplace.Web.Domain.Matching;
using Marketplace.Web.Features.Matching;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Web;
using Quartz;

namespace Marketplace.Web.Infrastructure.Jobs;

/// <summary>
/// Quartz.NET with its persistent store in the site's database (clustered on PostgreSQL): the nightly full matching
/// recompute, stored so that it survives a restart. <c>Jobs:Enabled=false</c> keeps the scheduler out of a process.
/// </summary>
public static class Scheduling
{
    public static readonly JobKey Matching = new("matching");
    public static readonly TriggerKey MatchingNightly = new("matching-nightly");
    public static readonly JobKey Digest = new("digest");
    public static readonly TriggerKey DigestWeekly = new("digest-weekly");
    public static readonly JobKey Retention = new("retention");
    public static readonly TriggerKey RetentionDaily = new("retention-daily");

    public const string DefaultMatchingCron = "0 0 2 * * ?";
    /// <summary>Monday 07:00, Quebec time.</summary>
    public const string DefaultDigestCron = "0 0 7 ? * MON";
    /// <summary>Every day at 03:30, Quebec time (after the nightly matching).</summary>
    public const string DefaultRetentionCron = "0 30 3 * * ?";

    /// <summary>The scheduled jobs and their triggers, as the admins' job page lists them.</summary>
    public static IReadOnlyList<(JobKey Job, TriggerKey Trigger, string Cron)> Jobs(IConfiguration configuration) =>
    [
        (Matching, MatchingNightly, configuration["Jobs:MatchingCron"] ?? DefaultMatchingCron),
        (Digest, DigestWeekly, configuration["Jobs:DigestCron"] ?? DefaultDigestCron),
        (Retention, RetentionDaily, configuration["Jobs:RetentionCron"] ?? DefaultRetentionCron),
    ];

    public static void AddMarketplaceJobs(this WebApplicationBuilder builder, DatabaseProvider provider, string connectionString)
    {
        if (!builder.Configuration.GetValue("Jobs:Enabled", true)) return;
        builder.AddQuartz(q =>
        {
            q.UseDefaultTimeZone(Cultures.QuebecTime);
            q.UsePersistentStore(store =>
            {
                if (provider == DatabaseProvider.Postgres)
                {
                    store.UsePostgres(connectionString);
                    store.UseClustering(_ => { });
                }
                else
                {
                    store.UseSqlite(Microsoft.Data.Sqlite.SqliteFactory.Instance, connectionString);
                }
                store.UseSystemTextJsonSerializer(_ => { });
                store.ProvisionSchema();
                store.UseExecutionHistory();
            });
            q.AddJob(typeof(MatchingJob), job => job.WithIdentity(Matching).StoreDurably().DisallowConcurrentExecution());
            q.AddJob(typeof(Features.Digests.DigestJob), job => job.WithIdentity(Digest).StoreDurably().DisallowConcurrentExecution());
            q.AddJob(typeof(RetentionJob), job => job.WithIdentity(Retention).StoreDurably().DisallowConcurrentExecution());
            foreach (var (job, key, cron) in Jobs(builder.Configuration))
                q.AddTrigger(trigger => trigger.ForJob(job).WithIdentity(key)
                    .WithSchedule(CronScheduleBuilder.Create(cron).InTimeZone(Cultures.QuebecTime)));
        });
        builder.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
        if (builder.Configuration.GetValue("Jobs:WarmUpMatching", true))
            builder.Services.AddSingleton<MatchingWarmUp>().AddHostedService(sp => sp.GetRequiredService<MatchingWarmUp>());
    }
}

/// <summary>
/// Queues matching work for what changed, run by the scheduler and never inline in the web request. Without a
/// scheduler in this process (<c>Jobs:Enabled=false</c>), nothing is queued and the nightly run catches up.
/// </summary>
public sealed class MatchingQueue(IServiceProvider services, ILogger<MatchingQueue> logger)
{
    public const string ProviderKey = "providerId";
    public const string RequestKey = "requestId";

    public Task ProviderChangedAsync(int providerId, CancellationToken cancellationToken) => QueueAsync(ProviderKey, providerId, cancellationToken);

    public Task RequestChangedAsync(int requestId, CancellationToken cancellationToken) => QueueAsync(RequestKey, requestId, cancellationToken);

    /// <summary>« Lancer maintenant »: a full recompute through the scheduler. False when this process has no scheduler.</summary>
    public Task<bool> RunAllAsync(CancellationToken cancellationToken) => QueueAsync(null, 0, cancellationToken);

    private async Task<bool> QueueAsync(string? key, int id, CancellationToken cancellationToken)
    {
        var factory = services.GetService<ISchedulerFactory>();
        if (factory is null) return false;
        try
        {
            var scheduler = await factory.GetScheduler(cancellationToken);
            var data = new JobDataMap();
            if (key is not null) data.PutAsString(key, id);
            await scheduler.TriggerJob(Scheduling.Matching, data, cancellationToken);
            return true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The change itself is saved; the nightly recompute repairs a match that could not be queued.
            logger.LogWarning("Matching could not be queued for {Key} {Id}: {Error}", key, id, e.GetType().Name);
            return false;
        }
    }
}

/// <summary>
/// The matching job: for one request, for the requests a changed provider may concern, or a full recompute (the same
/// use case as <c>jobs run matching</c>).
/// </summary>
public sealed class MatchingJob(MatchingRun run, MarketplaceDbContext db, TimeProvider time, IConfiguration configuration,
    ILogger<MatchingJob> logger) : IJob
{
    public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken) =>
        new(JobRuns.RecordAsync(db, time, Scheduling.Matching.Name, context.Trigger.Key.Name, () => RunAsync(context, cancellationToken),
            cancellationToken));

    private async Task<string> RunAsync(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var weights = MatchingRun.Weights(configuration);
        var data = context.MergedJobDataMap;
        var outcome = data.TryGetValue(MatchingQueue.RequestKey, out var request) && int.TryParse(request?.ToString(), out var requestId)
            ? await run.RunAsync(requestId, weights, cancellationToken)
            : data.TryGetValue(MatchingQueue.ProviderKey, out var provider) && int.TryParse(provider?.ToString(), out var providerId)
                ? await run.RunForProviderAsync(providerId, weights, cancellationToken)
                : await run.RunAsync(null, weights, cancellationToken);
        logger.LogInformation("Matching: {Requests} requests, {Scored} scored, +{Added} ~{Changed} -{Removed}",
            outcome.Requests, outcome.CandidatesScored, outcome.Added, outcome.Changed, outcome.Removed);
        return $"{outcome.Requests} / {outcome.CandidatesScored} / +{outcome.Added} ~{outcome.Changed} -{outcome.Removed}";
    }
}
