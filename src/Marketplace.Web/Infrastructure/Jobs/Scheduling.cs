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

    public static void AddMarketplaceJobs(this WebApplicationBuilder builder, DatabaseProvider provider, string connectionString)
    {
        if (!builder.Configuration.GetValue("Jobs:Enabled", true)) return;
        var cron = builder.Configuration["Jobs:MatchingCron"] ?? "0 0 2 * * ?";
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
            q.AddTrigger(trigger => trigger.ForJob(Matching).WithIdentity(MatchingNightly)
                .WithSchedule(CronScheduleBuilder.Create(cron).InTimeZone(Cultures.QuebecTime)));
        });
        builder.AddQuartzHostedService(o => o.WaitForJobsToComplete = true);
    }
}

/// <summary>The full matching recompute as a Quartz job (the same use case as <c>jobs run matching</c>).</summary>
public sealed class MatchingJob(MatchingRun run, IConfiguration configuration, ILogger<MatchingJob> logger) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var weights = configuration.GetSection("Matching:Weights").Get<MatchWeights>() ?? new MatchWeights();
        var outcome = await run.RunAsync(null, weights, cancellationToken);
        logger.LogInformation("Matching: {Requests} requests, {Scored} scored, +{Added} ~{Changed} -{Removed}",
            outcome.Requests, outcome.CandidatesScored, outcome.Added, outcome.Changed, outcome.Removed);
    }
}
