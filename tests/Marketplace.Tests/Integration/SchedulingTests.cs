using Marketplace.Tests.Support;
using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Matching;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Jobs;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Hangfire;
using Hangfire.Storage;

namespace Marketplace.Tests.Integration;

/// <summary>
/// Hangfire with its storage in the site's database: the recurring jobs are stored with their cron and time zone, run on
/// demand, and survive a restart without being duplicated.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class SchedulingTests(DatabaseProvider provider)
{
    private static readonly Dictionary<string, string> WithScheduler = new()
    {
        ["Jobs:Enabled"] = "true", ["Marketplace:ReverificationReminders"] = "true",
    };

    private static Dictionary<string, RecurringJobDto> Recurring(MarketplaceFactory factory)
    {
        using var connection = factory.Services.GetRequiredService<JobStorage>().GetConnection();
        return connection.GetRecurringJobs().ToDictionary(r => r.Id);
    }

    [Test]
    public async Task The_recurring_jobs_are_stored_run_on_demand_and_survive_a_restart()
    {
        var database = await TestDatabases.CreateAsync(provider);
        int requestId;
        await using (var first = new MarketplaceFactory(database, settings: WithScheduler, ownsDatabase: false))
        {
            _ = first.Server; // starts the host: migrations, seed-data, then Hangfire
            // The matching warm-up ran one of the seed's open requests and kept nothing: a real run of it changes nothing.
            var warmed = await first.Services.GetRequiredService<MatchingWarmUp>().Done.WaitAsync(TimeSpan.FromSeconds(60));
            Assert.That(warmed, Is.Not.Null, "the seed data has open requests");
            var repeat = await first.WithScopeAsync(sp => sp.GetRequiredService<Marketplace.Web.Features.Matching.MatchingRun>()
                .RunAsync(warmed, new MatchWeights(), CancellationToken.None));
            Assert.That((repeat.Added, repeat.Changed, repeat.Removed), Is.EqualTo((0, 0, 0)));
            var recurring = Recurring(first);
            Assert.That(recurring.Keys, Is.EquivalentTo(new[] { "matching", "digest", "retention", "reverification" }));
            Assert.That((recurring["matching"].Cron, recurring["matching"].TimeZoneId), Is.EqualTo(("0 2 * * *", "America/Toronto")));
            Assert.That(recurring["matching"].Job.Type, Is.EqualTo(typeof(MatchingJob)));
            Assert.That((recurring["retention"].Cron, recurring["reverification"].Cron), Is.EqualTo(("30 3 * * *", "0 9 * * *")));

            requestId = await first.WithDbAsync(async db =>
            {
                var organization = new Organization("Centre communautaire (fictif)", OrganizationKind.Nonprofit, DateTimeOffset.UtcNow);
                db.Organizations.Add(organization);
                await db.SaveChangesAsync();
                var request = new NeedRequest(organization.Id, "Former l'équipe", "", ["formation"], "06", DeliveryPreference.Either, "fr",
                    BudgetRange.Unknown, Timeline.Flexible, ValuePreferences.None, DateTimeOffset.UtcNow);
                db.NeedRequests.Add(request);
                await db.SaveChangesAsync();
                return request.Id;
            });

            // The recurring job triggered now (RecurringJob.TriggerJob): it runs on a Hangfire worker and stores matches.
            first.Services.GetRequiredService<IRecurringJobManager>().Trigger(Scheduling.Matching);
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (!await first.WithDbAsync(db => db.Matches.AnyAsync(m => m.RequestId == requestId)) && DateTime.UtcNow < deadline)
                await Task.Delay(200);
            Assert.That(await first.WithDbAsync(db => db.Matches.CountAsync(m => m.RequestId == requestId)), Is.GreaterThan(0));

            // Archiving a matched listing queues an incremental run for that provider: its match goes away.
            var matched = await first.WithDbAsync(db => db.Matches.Where(m => m.RequestId == requestId).Select(m => m.ProviderId).FirstAsync());
            var archived = await first.WithScopeAsync(sp => sp.GetRequiredService<Marketplace.Web.Features.Curation.ListingWorkflow>()
                .ArchiveAsync(matched, organizationId: null, "curator", "Test.", CancellationToken.None));
            Assert.That(archived, Is.True);
            deadline = DateTime.UtcNow.AddSeconds(30);
            while (await first.WithDbAsync(db => db.Matches.AnyAsync(m => m.ProviderId == matched)) && DateTime.UtcNow < deadline)
                await Task.Delay(200);
            Assert.That(await first.WithDbAsync(db => db.Matches.AnyAsync(m => m.ProviderId == matched)), Is.False,
                "the queued job removed the archived listing's match, without anyone running a full recompute");

            // The admins' job page: schedule, next run, last runs, and « lancer maintenant ».
            using var admin = await CurationJourneyTests.CuratorAsync(first, $"admin-jobs-{provider}@exemple.invalid".ToLowerInvariant(), "admin");
            var (_, page) = await admin.GetAsync("/fr/admin/taches");
            Assert.That(page.QuerySelector("time")?.GetAttribute("datetime"), Is.Not.Null, "the next run is shown");
            var runsBefore = await first.WithDbAsync(db => db.JobRuns.CountAsync());
            Assert.That(page.QuerySelectorAll("table.queue")[1].QuerySelectorAll("tbody tr"), Has.Length.EqualTo(runsBefore));
            Assert.That(page.QuerySelectorAll("table.queue")[1].TextContent, Does.Contain("réussie"));
            var (queued, _) = await admin.SubmitAsync(page, "form.inline-form[action$='/correspondances']");
            queued.IsRedirectTo("/fr/admin/taches");
            deadline = DateTime.UtcNow.AddSeconds(30);
            while (await first.WithDbAsync(db => db.JobRuns.CountAsync(r => r.FinishedAt != null)) <= runsBefore && DateTime.UtcNow < deadline)
                await Task.Delay(200);
            Assert.That(await first.WithDbAsync(db => db.JobRuns.CountAsync(r => r.FinishedAt != null && r.Succeeded)), Is.GreaterThan(runsBefore));

            // The weekly digest: a stored recurring job, Monday 07:00 Quebec time, and « lancer maintenant » builds and sends
            // this week's digests (the seed's fictional opted-in accounts get theirs, as .eml files).
            var weekly = Recurring(first)["digest"];
            Assert.That((weekly.Cron, weekly.TimeZoneId), Is.EqualTo(("0 7 * * 1", "America/Toronto")));
            var next = new DateTimeOffset(DateTime.SpecifyKind(weekly.NextExecution!.Value, DateTimeKind.Utc));
            Assert.That(next, Is.GreaterThan(DateTimeOffset.UtcNow).And.LessThanOrEqualTo(DateTimeOffset.UtcNow.AddDays(7)));
            var local = TimeZoneInfo.ConvertTime(next, TimeZoneInfo.FindSystemTimeZoneById("America/Toronto"));
            Assert.That((local.DayOfWeek, local.Hour, local.Minute), Is.EqualTo((DayOfWeek.Monday, 7, 0)));
            Assert.That(page.QuerySelector("a.jobs-dashboard")?.GetAttribute("href"), Is.EqualTo("/admin/hangfire"));
            var (_, jobs) = await admin.GetAsync("/fr/admin/taches");
            var (digestQueued, _) = await admin.SubmitAsync(jobs, "form.inline-form[action$='/resumes']");
            digestQueued.IsRedirectTo("/fr/admin/taches");
            deadline = DateTime.UtcNow.AddSeconds(30);
            while (!await first.WithDbAsync(db => db.JobRuns.AnyAsync(r => r.Job == "digest" && r.FinishedAt != null)) && DateTime.UtcNow < deadline)
                await Task.Delay(200);
            var digestRun = await first.WithDbAsync(db => db.JobRuns.SingleAsync(r => r.Job == "digest"));
            Assert.That(digestRun.Succeeded, Is.True, digestRun.Summary);
            Assert.That(digestRun.Trigger, Is.EqualTo("run-now"));
            Assert.That(await first.WithDbAsync(db => db.OutboxEmails.CountAsync(e => e.DigestPeriod != null && e.SentAt != null)), Is.EqualTo(3),
                "two fictional nonprofits and one fictional provider");
            Assert.That(Directory.GetFiles(Path.Combine(database.DataDirectory, "mail"), "*.eml").Count(f => File.ReadAllText(f).Contains("List-Unsubscribe-Post")),
                Is.EqualTo(3));
        }

        // A new process on the same database finds the stored recurring jobs, without duplicating them.
        await using var second = new MarketplaceFactory(database, settings: WithScheduler);
        _ = second.Server;
        var again = Recurring(second);
        Assert.That(again.Keys, Is.EquivalentTo(new[] { "matching", "digest", "retention", "reverification" }));
        Assert.That(again["digest"].Cron, Is.EqualTo("0 7 * * 1"));
        Assert.That(await second.WithDbAsync(db => db.Matches.CountAsync(m => m.RequestId == requestId)), Is.GreaterThan(0));
    }
}

/// <summary>
/// A cron left in Quartz's format in an operator's settings stops the start-up with the setting's name (ADR 0031): read
/// as Hangfire's cron it would run on another day (Quartz's weekday 2 is Monday, Hangfire's is Tuesday) or not at all.
/// </summary>
public sealed class CronSettingTests
{
    [TestCase("Jobs:DigestCron", "0 0 7 ? * MON")]
    [TestCase("Jobs:MatchingCron", "0 0 2 * * ?")]
    [TestCase("Jobs:RetentionCron", "0 30 3 * * ? 2027")]
    public async Task A_cron_in_Quartz_format_stops_the_start_up_and_names_the_setting(string setting, string quartz)
    {
        await using var database = await TestDatabases.CreateAsync(DatabaseProvider.Sqlite);
        await using var factory = new MarketplaceFactory(database, settings: new Dictionary<string, string>
        {
            ["Jobs:Enabled"] = "true", [setting] = quartz,
        }, ownsDatabase: false);
        var refused = Assert.Throws<InvalidOperationException>(() => _ = factory.Server);
        Assert.That(refused!.Message, Does.Contain(setting).And.Contain("5 champs").And.Contain("5-field"));
    }

    [Test]
    public async Task A_cron_that_Hangfire_cannot_read_stops_the_start_up_and_names_the_setting()
    {
        await using var database = await TestDatabases.CreateAsync(DatabaseProvider.Sqlite);
        await using var factory = new MarketplaceFactory(database, settings: new Dictionary<string, string>
        {
            ["Jobs:Enabled"] = "true", ["Jobs:ReverificationCron"] = "0 25 * * *", ["Marketplace:ReverificationReminders"] = "true",
        }, ownsDatabase: false);
        var refused = Assert.Catch<Exception>(() => _ = factory.Server);
        var messages = string.Join(" | ", Flatten(refused!).Select(e => e.Message));
        Assert.That(messages, Does.Contain("Jobs:ReverificationCron"));
    }

    private static IEnumerable<Exception> Flatten(Exception e)
    {
        for (var current = e; current is not null; current = current.InnerException)
        {
            yield return current;
            if (current is AggregateException aggregate)
                foreach (var inner in aggregate.InnerExceptions.SelectMany(Flatten)) yield return inner;
        }
    }
}
