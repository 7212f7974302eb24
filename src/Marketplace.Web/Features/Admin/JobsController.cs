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
    public sealed record Dashboard(bool SchedulerRunning, string Cron, DateTimeOffset? NextRun, IReadOnlyList<JobRun> Runs);

    [HttpGet("fr/admin/taches", Name = "admin-jobs.fr")]
    [HttpGet("en/admin/jobs", Name = "admin-jobs.en")]
    public async Task<IActionResult> Index(CancellationToken cancellationToken)
    {
        DateTimeOffset? next = null;
        var factory = services.GetService<ISchedulerFactory>();
        if (factory is not null)
        {
            var scheduler = await factory.GetScheduler(cancellationToken);
            var trigger = await scheduler.GetTrigger(Scheduling.MatchingNightly, cancellationToken);
            next = trigger?.GetFireTimeAfter(DateTimeOffset.UtcNow);
        }
        var runs = await db.JobRuns.AsNoTracking().OrderByDescending(r => r.StartedAt).ThenByDescending(r => r.Id).Take(20)
            .ToListAsync(cancellationToken);
        return View("~/Features/Admin/Jobs.cshtml", new Dashboard(factory is not null, configuration["Jobs:MatchingCron"] ?? "0 0 2 * * ?", next, runs));
    }

    [HttpPost("fr/admin/taches/correspondances")]
    [HttpPost("en/admin/jobs/matching")]
    public async Task<IActionResult> RunNow([FromServices] MatchingQueue queue, CancellationToken cancellationToken)
    {
        var queued = await queue.RunAllAsync(cancellationToken);
        TempData["Notice"] = (queued ? text["Jobs.Queued"] : text["Jobs.NoScheduler"]).Value;
        return RedirectToRoute(LocalizedLinks.RouteName("admin-jobs"));
    }
}
