using Hangfire;
using Hangfire.AspNetCore;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Hangfire.Storage.SQLite;
using Marketplace.Web.Domain.Matching;
using Marketplace.Web.Features.Matching;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Web;

namespace Marketplace.Web.Infrastructure.Jobs;

/// <summary>
/// Hangfire with its storage in the site's database (ADR 0031): on PostgreSQL in its own schema <c>hangfire</c>, on
/// SQLite in the site's file. Four recurring jobs (nightly matching, weekly digest, daily retention, daily re-verification
/// reminders) and the one-off matching jobs queued after each change. <c>Jobs:Enabled=false</c> keeps Hangfire out of a
/// process: no server, no storage, nothing queued, no dashboard.
/// </summary>
public static class Scheduling
{
    public const string Matching = "matching";
    public const string Digest = "digest";
    public const string Retention = "retention";
    public const string Reverification = "reverification";

    /// <summary>The PostgreSQL schema of Hangfire's tables (the site's own tables stay in the default schema).</summary>
    public const string PostgresSchema = "hangfire";

    /// <summary>The <c>job_runs.trigger</c> of a run started from the admins' job page.</summary>
    public const string RunNowTrigger = "run-now";

    /// <summary>02:00 every day, Quebec time (Hangfire's 5-field cron: minute hour day month weekday).</summary>
    public const string DefaultMatchingCron = "0 2 * * *";
    /// <summary>Monday 07:00, Quebec time.</summary>
    public const string DefaultDigestCron = "0 7 * * 1";
    /// <summary>Every day at 03:30, Quebec time (after the nightly matching).</summary>
    public const string DefaultRetentionCron = "30 3 * * *";
    /// <summary>Every day at 09:00, Quebec time (the reminders are emails: sent in working hours).</summary>
    public const string DefaultReverificationCron = "0 9 * * *";

    /// <summary>A recurring job: its Hangfire id (also its name in <c>job_runs</c>), the trigger it records, its setting and cron.</summary>
    public sealed record ScheduledJob(string Name, string Trigger, string Setting, string Cron);

    /// <summary>
    /// The recurring jobs, as the admins' job page lists them. A cron left in Quartz's format (6 or 7 fields, seconds
    /// first) stops the start-up with the setting's name: Quartz and Hangfire number the weekdays differently (Quartz's
    /// 2 is Monday, Hangfire's is Tuesday), so no value is guessed (ADR 0031).
    /// </summary>
    public static IReadOnlyList<ScheduledJob> Jobs(IConfiguration configuration) =>
    [
        Job(configuration, Matching, "matching-nightly", "Jobs:MatchingCron", DefaultMatchingCron),
        Job(configuration, Digest, "digest-weekly", "Jobs:DigestCron", DefaultDigestCron),
        Job(configuration, Retention, "retention-daily", "Jobs:RetentionCron", DefaultRetentionCron),
        Job(configuration, Reverification, "reverification-daily", "Jobs:ReverificationCron", DefaultReverificationCron),
    ];

    private static ScheduledJob Job(IConfiguration configuration, string name, string trigger, string setting, string fallback)
    {
        var value = configuration[setting];
        var cron = string.IsNullOrWhiteSpace(value) ? fallback : string.Join(' ', value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        if (cron.Split(' ').Length != 5)
            throw new InvalidOperationException(
                $"{setting} « {cron} » n'est pas une expression cron à 5 champs (minute heure jour mois jour-de-semaine) : les tâches passent par " +
                $"Hangfire depuis l'ADR 0031, et le format de Quartz (secondes d'abord, « ? ») n'est plus lu. Exemple : « {fallback} ». / " +
                $"{setting} \"{cron}\" is not a 5-field cron expression (minute hour day month weekday): jobs run on Hangfire since ADR 0031, " +
                $"and Quartz's format (seconds first, \"?\") is no longer read. Example: \"{fallback}\". See docs/operations.md.");
        return new ScheduledJob(name, trigger, setting, cron);
    }

    public static void AddMarketplaceJobs(this WebApplicationBuilder builder, DatabaseProvider provider, string connectionString)
    {
        var configuration = builder.Configuration;
        if (!configuration.GetValue("Jobs:Enabled", true)) return;
        _ = Jobs(configuration); // a cron in Quartz's format stops the start-up here, before anything runs
        var queuePoll = TimeSpan.FromSeconds(Math.Max(0.1, configuration.GetValue("Jobs:QueuePollSeconds", 1.0)));
        var schedulePoll = TimeSpan.FromSeconds(Math.Max(0.1, configuration.GetValue("Jobs:SchedulePollSeconds", 15.0)));
        var workers = Math.Max(1, configuration.GetValue("Jobs:WorkerCount", 4));
        var services = builder.Services;

        // Hangfire's defaults are process-wide (JobStorage.Current, JobActivator.Current): the last host configured would
        // serve every host of the process, with its database and its services. Each host registers its own storage and
        // activator first; AddHangfire only adds what is missing, and the server, the clients and the dashboard take these.
        services.AddSingleton<JobStorage>(sp =>
        {
            sp.GetRequiredService<IGlobalConfiguration>(); // Hangfire's configuration (serializer, logs) before its storage
            return provider == DatabaseProvider.Postgres ? PostgresStorage(connectionString, queuePoll) : SqliteStorage(connectionString, queuePoll);
        });
        services.AddSingleton<JobActivator>(sp => new AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire((sp, config) => config
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings()
            .UseLogProvider(HangfireLogs.For(sp.GetRequiredService<ILoggerFactory>())));
        services.AddHangfireServer((_, server) =>
        {
            server.WorkerCount = workers;
            server.SchedulePollingInterval = schedulePoll;
            server.ServerTimeout = TimeSpan.FromMinutes(5);
            server.ShutdownTimeout = TimeSpan.FromSeconds(15);
        });
        services.AddHostedService<RecurringJobs>();
        if (configuration.GetValue("Jobs:WarmUpMatching", true))
            services.AddSingleton<MatchingWarmUp>().AddHostedService(sp => sp.GetRequiredService<MatchingWarmUp>());
    }

    /// <summary>Hangfire.PostgreSql in the schema <c>hangfire</c> of the site's database, created at first use.</summary>
    private static PostgreSqlStorage PostgresStorage(string connectionString, TimeSpan queuePoll)
    {
        var options = new PostgreSqlStorageOptions
        {
            SchemaName = PostgresSchema,
            PrepareSchemaIfNecessary = true,
            QueuePollInterval = queuePoll,
            // LISTEN/NOTIFY: a job queued by any instance is picked up at once, not at the next poll.
            EnableLongPolling = true,
        };
        return new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options);
    }

    /// <summary>Hangfire.Storage.SQLite in the site's own file (it takes a path, not a connection string).</summary>
    private static SQLiteStorage SqliteStorage(string connectionString, TimeSpan queuePoll)
    {
        var path = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(connectionString).DataSource;
        return new SQLiteStorage(path, new SQLiteStorageOptions { QueuePollInterval = queuePoll });
    }
}

/// <summary>
/// Writes the recurring jobs into Hangfire's storage at start-up (every instance does; the storage keeps one of each, and
/// Hangfire's scheduler enqueues each occurrence once across instances). With <c>Marketplace:ReverificationReminders=false</c>
/// the reminders' job is removed.
/// </summary>
public sealed class RecurringJobs(IRecurringJobManager manager, IConfiguration configuration) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var options = new RecurringJobOptions { TimeZone = Cultures.QuebecTime };
        foreach (var job in Scheduling.Jobs(configuration))
        {
            try
            {
                switch (job.Name)
                {
                    case Scheduling.Matching:
                        manager.AddOrUpdate<MatchingJob>(job.Name, j => j.RunAsync(null, null, "matching-nightly", CancellationToken.None), job.Cron, options);
                        break;
                    case Scheduling.Digest:
                        manager.AddOrUpdate<Features.Digests.DigestJob>(job.Name, j => j.RunAsync(null, "digest-weekly", CancellationToken.None), job.Cron, options);
                        break;
                    case Scheduling.Retention:
                        manager.AddOrUpdate<RetentionJob>(job.Name, j => j.RunAsync("retention-daily", CancellationToken.None), job.Cron, options);
                        break;
                    case Scheduling.Reverification when configuration.GetValue("Marketplace:ReverificationReminders", true):
                        manager.AddOrUpdate<Features.Curation.ReverificationJob>(job.Name, j => j.RunAsync("reverification-daily", CancellationToken.None),
                            job.Cron, options);
                        break;
                    case Scheduling.Reverification:
                        manager.RemoveIfExists(job.Name);
                        break;
                }
            }
            catch (ArgumentException e)
            {
                throw new InvalidOperationException(
                    $"{job.Setting} « {job.Cron} » : expression cron invalide / invalid cron expression ({e.Message})", e);
            }
        }
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>
/// Queues matching work for what changed, run by a Hangfire worker and never inline in the web request. Without Hangfire
/// in this process (<c>Jobs:Enabled=false</c>), nothing is queued and the nightly run catches up.
/// </summary>
public sealed class MatchingQueue(IServiceProvider services, ILogger<MatchingQueue> logger)
{
    public Task ProviderChangedAsync(int providerId, CancellationToken cancellationToken) =>
        Task.FromResult(Queue(j => j.RunAsync(null, providerId, $"provider-{providerId}", CancellationToken.None), "provider", providerId));

    public Task RequestChangedAsync(int requestId, CancellationToken cancellationToken) =>
        Task.FromResult(Queue(j => j.RunAsync(requestId, null, $"request-{requestId}", CancellationToken.None), "request", requestId));

    /// <summary>« Lancer maintenant »: a full recompute through Hangfire. False when this process has no Hangfire.</summary>
    public Task<bool> RunAllAsync(CancellationToken cancellationToken) =>
        Task.FromResult(Queue(j => j.RunAsync(null, null, Scheduling.RunNowTrigger, CancellationToken.None), "all", 0));

    private bool Queue(System.Linq.Expressions.Expression<Func<MatchingJob, Task>> job, string what, int id)
    {
        if (services.GetService<IBackgroundJobClient>() is not { } client) return false;
        try
        {
            client.Enqueue(job);
            return true;
        }
        catch (Exception e)
        {
            // The change itself is saved; the nightly recompute repairs a match that could not be queued.
            logger.LogWarning("Matching could not be queued for {What} {Id}: {Error}", what, id, e.GetType().Name);
            return false;
        }
    }
}

/// <summary>
/// The matching job: for one request, for the requests a changed provider may concern, or a full recompute (the same
/// use case as <c>jobs run matching</c>). Never two at once (as with Quartz): runs that overlap would compute the same
/// matches twice. Retried twice: a run recomputes from the data as they are, so a retry only repeats the work, and the
/// nightly run repairs what a failed one left.
/// </summary>
public sealed class MatchingJob(MatchingRun run, MarketplaceDbContext db, TimeProvider time, IConfiguration configuration,
    ILogger<MatchingJob> logger)
{
    [AutomaticRetry(Attempts = 2)]
    [DisableConcurrentExecution(timeoutInSeconds: 600)]
    [JobDisplayName("matching ({2})")]
    public Task RunAsync(int? requestId, int? providerId, string trigger, CancellationToken cancellationToken) =>
        JobRuns.RecordAsync(db, time, Scheduling.Matching, trigger, async () =>
        {
            var weights = MatchingRun.Weights(configuration);
            var outcome = requestId is { } request ? await run.RunAsync(request, weights, cancellationToken)
                : providerId is { } provider ? await run.RunForProviderAsync(provider, weights, cancellationToken)
                : await run.RunAsync(null, weights, cancellationToken);
            logger.LogInformation("Matching: {Requests} requests, {Scored} scored, +{Added} ~{Changed} -{Removed}",
                outcome.Requests, outcome.CandidatesScored, outcome.Added, outcome.Changed, outcome.Removed);
            return $"{outcome.Requests} / {outcome.CandidatesScored} / +{outcome.Added} ~{outcome.Changed} -{outcome.Removed}";
        }, cancellationToken);
}

/// <summary>
/// Hangfire's logs into the host's logging. Hangfire keeps one log provider for the whole process; the one it installs
/// holds the first host's logger factory and throws once that host is disposed (tests start several hosts in one process).
/// This one writes through the latest host's factory and drops a line rather than fail when that host is gone.
/// </summary>
internal sealed class HangfireLogs : Hangfire.Logging.ILogProvider
{
    private static readonly HangfireLogs Instance = new();
    private static volatile ILoggerFactory? _factory;

    public static HangfireLogs For(ILoggerFactory factory)
    {
        _factory = factory;
        return Instance;
    }

    public Hangfire.Logging.ILog GetLogger(string name) => new Logger(name);

    private sealed class Logger(string name) : Hangfire.Logging.ILog
    {
        public bool Log(Hangfire.Logging.LogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            try
            {
                if (_factory?.CreateLogger(name) is not { } logger) return false;
                var level = logLevel switch
                {
                    Hangfire.Logging.LogLevel.Trace => LogLevel.Trace,
                    Hangfire.Logging.LogLevel.Debug => LogLevel.Debug,
                    Hangfire.Logging.LogLevel.Info => LogLevel.Information,
                    Hangfire.Logging.LogLevel.Warn => LogLevel.Warning,
                    Hangfire.Logging.LogLevel.Error => LogLevel.Error,
                    _ => LogLevel.Critical,
                };
                if (messageFunc is null) return logger.IsEnabled(level);
                if (!logger.IsEnabled(level)) return false;
                logger.Log(level, default, messageFunc(), exception, static (message, _) => message); // already formatted
                return true;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
    }
}
