using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Features.TwoFactor;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Jobs;
using Marketplace.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Hangfire;
using Hangfire.Storage;

namespace Marketplace.Web.Features.Admin;

/// <summary>
/// The job page: each recurring job, its schedule, next run, last runs (duration, outcome, error) and « lancer maintenant »,
/// which queues the job on Hangfire like the schedule does (recorded with the trigger <c>run-now</c>). Hangfire's own
/// dashboard (<see cref="JobsDashboard"/>) is linked for the technical details.
/// </summary>
[Authorize(Roles = Roles.Admin)]
[RequireTwoFactor]
public sealed class JobsController(MarketplaceDbContext db, IServiceProvider services, IConfiguration configuration,
    IStringLocalizer<SharedResource> text) : Controller
{
    public sealed record Job(string Name, string Cron, DateTimeOffset? NextRun, string RunNowRoute);

    public sealed record Dashboard(bool SchedulerRunning, IReadOnlyList<Job> Jobs, IReadOnlyList<JobRun> Runs);

    [HttpGet("fr/admin/taches", Name = "admin-jobs.fr")]
    [HttpGet("en/admin/jobs", Name = "admin-jobs.en")]
    public async Task<IActionResult> Index(CancellationToken cancellationToken)
    {
        var storage = services.GetService<JobStorage>();
        var scheduled = Scheduling.Jobs(configuration);
        Dictionary<string, DateTime?> next = [];
        if (storage is not null)
        {
            using var connection = storage.GetConnection();
            next = connection.GetRecurringJobs(scheduled.Select(j => j.Name)).Where(r => !r.Removed)
                .ToDictionary(r => r.Id, r => r.NextExecution);
        }
        var jobs = scheduled.Select(j => new Job(j.Name, j.Cron,
                next.GetValueOrDefault(j.Name) is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null,
                $"admin-jobs-{j.Name}"))
            .ToList();
        var runs = await db.JobRuns.AsNoTracking().OrderByDescending(r => r.StartedAt).ThenByDescending(r => r.Id).Take(20)
            .ToListAsync(cancellationToken);
        return View("~/Features/Admin/Jobs.cshtml", new Dashboard(storage is not null, jobs, runs));
    }

    [HttpPost("fr/admin/taches/correspondances", Name = "admin-jobs-matching.fr")]
    [HttpPost("en/admin/jobs/matching", Name = "admin-jobs-matching.en")]
    public async Task<IActionResult> RunNow([FromServices] MatchingQueue queue, CancellationToken cancellationToken) =>
        Queued(await queue.RunAllAsync(cancellationToken));

    [HttpPost("fr/admin/taches/resumes", Name = "admin-jobs-digest.fr")]
    [HttpPost("en/admin/jobs/digest", Name = "admin-jobs-digest.en")]
    public IActionResult RunDigestNow() =>
        Queued(Enqueue<Digests.DigestJob>(j => j.RunAsync(null, Scheduling.RunNowTrigger, CancellationToken.None)));

    [HttpPost("fr/admin/taches/conservation", Name = "admin-jobs-retention.fr")]
    [HttpPost("en/admin/jobs/retention", Name = "admin-jobs-retention.en")]
    public IActionResult RunRetentionNow() =>
        Queued(Enqueue<RetentionJob>(j => j.RunAsync(Scheduling.RunNowTrigger, CancellationToken.None)));

    [HttpPost("fr/admin/taches/rappels", Name = "admin-jobs-reverification.fr")]
    [HttpPost("en/admin/jobs/reminders", Name = "admin-jobs-reverification.en")]
    public IActionResult RunReverificationNow() =>
        Queued(Enqueue<Curation.ReverificationJob>(j => j.RunAsync(Scheduling.RunNowTrigger, CancellationToken.None)));

    private bool Enqueue<T>(System.Linq.Expressions.Expression<Func<T, Task>> job)
    {
        if (services.GetService<IBackgroundJobClient>() is not { } client) return false;
        client.Enqueue(job);
        return true;
    }

    private RedirectToRouteResult Queued(bool queued)
    {
        TempData["Notice"] = (queued ? text["Jobs.Queued"] : text["Jobs.NoScheduler"]).Value;
        return RedirectToRoute(LocalizedLinks.RouteName("admin-jobs"));
    }
}
