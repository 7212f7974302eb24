using Hangfire;
using Marketplace.Tests.Support;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Tests.Integration;

/// <summary>
/// Two instances of the site on one PostgreSQL database, each with its Hangfire server: every recurring job comes due on
/// both at the same minute, and each occurrence runs once, on one of them (Hangfire's scheduler and queue take their locks
/// in the shared database). Both poll their schedule every second, so that both see each job due at once.
/// </summary>
public sealed class TwoInstanceSchedulingTests
{
    private static readonly string[] RecurringJobs = ["matching", "digest", "retention", "reverification"];

    [Test]
    public async Task Two_instances_on_one_database_run_each_recurring_job_once_per_occurrence()
    {
        await using var database = await TestDatabases.CreateAsync(DatabaseProvider.Postgres);
        var settings = new Dictionary<string, string>
        {
            ["Jobs:Enabled"] = "true", ["Jobs:SchedulePollSeconds"] = "1", ["Jobs:WarmUpMatching"] = "false",
            ["Marketplace:ReverificationReminders"] = "true",
            // Hangfire reads the wall clock: every job comes due at the start of every minute.
            ["Jobs:MatchingCron"] = "* * * * *", ["Jobs:DigestCron"] = "* * * * *", ["Jobs:RetentionCron"] = "* * * * *",
            ["Jobs:ReverificationCron"] = "* * * * *",
        };
        await using var first = new MarketplaceFactory(database, settings: settings, ownsDatabase: false);
        _ = first.Server; // migrations, seed-data, then Hangfire
        await using var second = new MarketplaceFactory(database, settings: new Dictionary<string, string>(settings)
        {
            ["Marketplace:DataDirectory"] = Path.Combine(database.DataDirectory, "second"),
            ["Marketplace:InitializeDatabaseOnStartup"] = "false",
        }, ownsDatabase: false);
        _ = second.Server;

        // Both servers are up and registered in the shared storage.
        var monitoring = first.Services.GetRequiredService<JobStorage>().GetMonitoringApi();
        await UntilAsync(() => Task.FromResult(monitoring.Servers().Count == 2), TimeSpan.FromSeconds(30), "two Hangfire servers");

        // The next occurrence after both were up: from the next minute on, and before the one after it.
        var now = DateTimeOffset.UtcNow;
        var occurrence = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddMinutes(1);
        TestContext.Out.WriteLine($"both servers up at {now:HH:mm:ss.fff}; counting the occurrence of {occurrence:HH:mm}");
        async Task<Dictionary<string, int>> RunsAsync() => await first.WithDbAsync(db => db.JobRuns
            .Where(r => r.StartedAt >= occurrence && r.StartedAt < occurrence.AddMinutes(1) && r.Trigger != "run-now")
            .GroupBy(r => r.Job).Select(g => new { g.Key, Count = g.Count() }).ToDictionaryAsync(g => g.Key, g => g.Count));
        await UntilAsync(async () =>
        {
            var finished = await first.WithDbAsync(db => db.JobRuns
                .Where(r => r.StartedAt >= occurrence && r.StartedAt < occurrence.AddMinutes(1) && r.FinishedAt != null)
                .Select(r => r.Job).Distinct().ToListAsync());
            return RecurringJobs.All(finished.Contains);
        }, TimeSpan.FromSeconds(150), "every recurring job ran");
        await Task.Delay(TimeSpan.FromSeconds(5)); // five more polls of both schedulers

        var runs = await RunsAsync();
        Assert.That(runs, Is.EquivalentTo(RecurringJobs.ToDictionary(j => j, _ => 1)), "one run of each job for the occurrence, across both instances");
        var failed = await first.WithDbAsync(db => db.JobRuns.Where(r => !r.Succeeded && r.FinishedAt != null).Select(r => r.Job + ": " + r.Summary).ToListAsync());
        Assert.That(failed, Is.Empty);
    }

    private static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan limit, string what)
    {
        var deadline = DateTime.UtcNow + limit;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline) Assert.Fail($"not seen within {limit.TotalSeconds} s: {what}");
            await Task.Delay(200);
        }
    }
}
