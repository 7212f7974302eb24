using System.Globalization;
using Marketplace.Web.Infrastructure.Jobs;

namespace Marketplace.Web.Infrastructure.Cli;

/// <summary>
/// <c>jobs run retention [--now DATE]</c>: the daily retention job, by hand, as of a date (to see what a date ahead would
/// do on a copy of the data, or to catch up); recorded on the admins' job page like the scheduled runs.
/// </summary>
public static class RetentionCommand
{
    public const string Usage = "jobs run retention [--now AAAA-MM-JJ]";

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        var time = services.GetRequiredService<TimeProvider>();
        var now = time.GetUtcNow();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--now" && i + 1 < args.Length
                && DateTimeOffset.TryParse(args[++i], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date))
                now = date;
            else throw new ArgumentException($"argument inattendu / unexpected argument: {args[i]} ({Usage})");
        }
        var run = services.GetRequiredService<RetentionRun>();
        var db = services.GetRequiredService<Data.MarketplaceDbContext>();
        var outcome = (RetentionRun.Outcome?)null;
        await JobRuns.RecordAsync(db, time, Scheduling.Retention, "cli", async () =>
        {
            outcome = await run.RunAsync(now, cancellationToken);
            return outcome.ToString();
        }, cancellationToken);
        await output.WriteLineAsync($"rétention au / retention as of {now:yyyy-MM-dd} : {outcome}");
        return 0;
    }
}
