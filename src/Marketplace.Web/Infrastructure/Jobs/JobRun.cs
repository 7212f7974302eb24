namespace Marketplace.Web.Infrastructure.Jobs;

/// <summary>One run of a scheduled job, for the admins' job page: when, how long, outcome, what it did or why it failed.</summary>
public sealed class JobRun
{
    public const int SummaryMaxLength = 500;

    private JobRun() { }

    public JobRun(string job, string trigger, DateTimeOffset startedAt)
    {
        Job = job;
        Trigger = trigger;
        StartedAt = startedAt;
    }

    public long Id { get; private set; }
    public string Job { get; private set; } = "";
    public string Trigger { get; private set; } = "";
    public DateTimeOffset StartedAt { get; private set; }
    public DateTimeOffset? FinishedAt { get; private set; }
    public bool Succeeded { get; private set; }
    public string? Summary { get; private set; }

    public void Finish(DateTimeOffset at, bool succeeded, string summary)
    {
        FinishedAt = at;
        Succeeded = succeeded;
        Summary = summary.Length > SummaryMaxLength ? summary[..SummaryMaxLength] : summary;
    }
}

/// <summary>Records one run of a job in <c>job_runs</c>: started, then finished with its summary or its error.</summary>
public static class JobRuns
{
    public static async Task RecordAsync(Data.MarketplaceDbContext db, TimeProvider time, string job, string trigger,
        Func<Task<string>> run, CancellationToken cancellationToken)
    {
        var record = new JobRun(job, trigger, time.GetUtcNow());
        db.JobRuns.Add(record);
        await db.SaveChangesAsync(cancellationToken);
        string summary;
        try
        {
            summary = await run();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            record.Finish(time.GetUtcNow(), succeeded: false, $"{e.GetType().Name}: {e.Message}");
            db.ChangeTracker.Clear();
            db.JobRuns.Update(record);
            await db.SaveChangesAsync(cancellationToken);
            throw;
        }
        record.Finish(time.GetUtcNow(), succeeded: true, summary);
        db.ChangeTracker.Clear();
        db.JobRuns.Update(record);
        await db.SaveChangesAsync(cancellationToken);
    }
}
