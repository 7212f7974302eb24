using Marketplace.Web.Features.Digests;

namespace Marketplace.Web.Infrastructure.Cli;

/// <summary><c>jobs run digest [--period 2026-W47]</c>: builds and sends the digests of a period and prints the counts.</summary>
public static class DigestCommand
{
    public const string Usage = "jobs run digest [--period AAAA-Wnn]";

    public static async Task<int> RunAsync(IServiceProvider services, string[] args, TextWriter output, CancellationToken cancellationToken)
    {
        string? period = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--period" && i + 1 < args.Length) period = args[++i];
            else throw new ArgumentException($"argument inattendu / unexpected argument: {args[i]} ({Usage})");
        }
        var time = services.GetRequiredService<TimeProvider>();
        period ??= DigestPeriods.Of(time.GetUtcNow());
        if (!DigestPeriods.IsValid(period))
            throw new ArgumentException($"--period: semaine ISO attendue, par exemple 2026-W47 / an ISO week is expected, e.g. 2026-W47 ({period})");
        var run = services.GetRequiredService<DigestRun>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var built = await run.BuildAsync(period, cancellationToken);
        await output.WriteLineAsync($"période / period {period} : résumés créés / digests built {built.New}, " +
                                    $"sans nouveauté / nothing new {built.NothingNew}, destinataires de la période / recipients of the period {built.Total}; " +
                                    $"durée / elapsed {clock.ElapsedMilliseconds} ms");
        clock.Restart();
        var sent = await run.SendAsync(period, waitForLeases: true, cancellationToken);
        await output.WriteLineAsync($"envoyés maintenant / sent now {sent.Sent}, échecs maintenant / failed now {sent.Failed}; " +
                                    $"au total / in all: envoyés / sent {sent.SentTotal}, en attente / pending {sent.Pending}, en échec / failed {sent.FailedTotal}; " +
                                    $"durée / elapsed {clock.ElapsedMilliseconds} ms");
        return sent.Pending == 0 && sent.FailedTotal == 0 ? 0 : 1;
    }
}
