using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Features.TwoFactor;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Jobs;
using Marketplace.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Quartz;

namespace Marketplace.Web.Features.Admin;

/// <summary>The job dashboard: each job, its schedule, next run, last runs (duration, outcome, error) and « lancer maintenant ».</summary>
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
        var factory = services.GetService<ISchedulerFactory>();
        var scheduler = factory is null ? null : await factory.GetScheduler(cancellationToken);
        var jobs = new List<Job>();
        foreach (var (job, key, cron) in Scheduling.Jobs(configuration))
        {
            var trigger = scheduler is null ? null : await scheduler.GetTrigger(key, cancellationToken);
            jobs.Add(new Job(job.Name, cron, trigger?.GetFireTimeAfter(DateTimeOffset.UtcNow), $"admin-jobs-{job.Name}"));
        }
        var runs = await db.JobRuns.AsNoTracking().OrderByDescending(r => r.StartedAt).ThenByDescending(r => r.Id).Take(20)
            .ToListAsync(cancellationToken);
        return View("~/Features/Admin/Jobs.cshtml", new Dashboard(factory is not null, jobs, runs));
    }

    [HttpPost("fr/admin/taches/correspondances", Name = "admin-jobs-matching.fr")]
    [HttpPost("en/admin/jobs/matching", Name = "admin-jobs-matching.en")]
    public async Task<IActionResult> RunNow([FromServices] MatchingQueue queue, CancellationToken cancellationToken)
    {
        var queued = await queue.RunAllAsync(cancellationToken);
        TempData["Notice"] = (queued ? text["Jobs.Queued"] : text["Jobs.NoScheduler"]).Value;
        return RedirectToRoute(LocalizedLinks.RouteName("admin-jobs"));
    }

    [HttpPost("fr/admin/taches/resumes", Name = "admin-jobs-digest.fr")]
    [HttpPost("en/admin/jobs/digest", Name = "admin-jobs-digest.en")]
    public async Task<IActionResult> RunDigestNow(CancellationToken cancellationToken)
    {
        var factory = services.GetService<ISchedulerFactory>();
        if (factory is not null) await (await factory.GetScheduler(cancellationToken)).TriggerJob(Scheduling.Digest, cancellationToken);
        TempData["Notice"] = (factory is not null ? text["Jobs.Queued"] : text["Jobs.NoScheduler"]).Value;
        return RedirectToRoute(LocalizedLinks.RouteName("admin-jobs"));
    }

    [HttpPost("fr/admin/taches/conservation", Name = "admin-jobs-retention.fr")]
    [HttpPost("en/admin/jobs/retention", Name = "admin-jobs-retention.en")]
    public async Task<IActionResult> RunRetentionNow(CancellationToken cancellationToken)
    {
        var factory = services.GetService<ISchedulerFactory>();
        if (factory is not null) await (await factory.GetScheduler(cancellationToken)).TriggerJob(Scheduling.Retention, cancellationToken);
        TempData["Notice"] = (factory is not null ? text["Jobs.Queued"] : text["Jobs.NoScheduler"]).Value;
        return RedirectToRoute(LocalizedLinks.RouteName("admin-jobs"));
    }
}
