using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Marketplace.Web.Infrastructure.Email;

/// <summary>
/// Delivers due outbox emails through the transport. A batch is claimed first in one statement (a lease: its next
/// attempt moves forward and a token marks it), so two senders never send the same row; each email is then marked
/// sent, or failed with exponential back-off, in its own statement right after the transport answers. A sent row is
/// never sent again. If the process dies between the server accepting an email and the database recording it, the row
/// is sent again once its lease expires, with the same Message-ID (logged as a possible duplicate).
/// </summary>
public sealed class OutboxDelivery(MarketplaceDbContext db, IEmailTransport transport, TimeProvider time, IOptions<EmailOptions> options,
    ILogger<OutboxDelivery> logger)
{
    private const int BatchSize = 50;

    /// <summary>Sends what is due (only the digests of <paramref name="period"/> when given); returns (sent, failed).</summary>
    public async Task<(int Sent, int Failed)> DeliverDueAsync(int max, CancellationToken cancellationToken, string? period = null)
    {
        int sent = 0, failed = 0;
        var pace = options.Value.MessagesPerSecond > 0 ? TimeSpan.FromSeconds(1 / options.Value.MessagesPerSecond) : TimeSpan.Zero;
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (sent + failed < max)
        {
            var batch = await ClaimAsync(Math.Min(BatchSize, max - sent - failed), period, cancellationToken);
            if (batch.Count == 0) break;
            foreach (var email in batch)
            {
                if (pace > TimeSpan.Zero)
                {
                    var due = pace * (sent + failed);
                    if (clock.Elapsed < due) await Task.Delay(due - clock.Elapsed, cancellationToken);
                }
                try
                {
                    await transport.SendAsync(new EmailMessage(email.To, email.Subject, email.TextBody, email.HtmlBody, email.MessageId,
                        email.Language, email.UnsubscribeUrl), cancellationToken);
                    var at = time.GetUtcNow();
                    await db.OutboxEmails.Where(e => e.Id == email.Id).ExecuteUpdateAsync(u => u
                        .SetProperty(e => e.SentAt, at).SetProperty(e => e.Attempts, e => e.Attempts + 1).SetProperty(e => e.LastError, (string?)null)
                        .SetProperty(e => e.LeaseToken, (Guid?)null), CancellationToken.None);
                    sent++;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // No address or content in the log: the row id and the error type are enough to find it.
                    logger.LogWarning("Outbox email {Id} failed (attempt {Attempt}): {Error}", email.Id, email.Attempts + 1, e.GetType().Name);
                    email.MarkFailed($"{e.GetType().Name}: {e.Message}", time.GetUtcNow());
                    await db.OutboxEmails.Where(x => x.Id == email.Id).ExecuteUpdateAsync(u => u
                        .SetProperty(x => x.Attempts, email.Attempts).SetProperty(x => x.LastError, email.LastError)
                        .SetProperty(x => x.NextAttemptAt, email.NextAttemptAt).SetProperty(x => x.LeaseToken, (Guid?)null), CancellationToken.None);
                    failed++;
                }
            }
        }
        return (sent, failed);
    }

    private async Task<List<OutboxEmail>> ClaimAsync(int count, string? period, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var due = db.OutboxEmails.Where(e => e.SentAt == null && e.Attempts < OutboxEmail.MaxAttempts && e.NextAttemptAt <= now
                                             && (period == null || e.DigestPeriod == period));
        var ids = await due.OrderBy(e => e.Id).Select(e => e.Id).Take(count).ToListAsync(cancellationToken);
        if (ids.Count == 0) return [];
        var token = Guid.NewGuid();
        var leaseUntil = now + TimeSpan.FromSeconds(options.Value.LeaseSeconds);
        // Re-checked in the statement itself: a row another sender claimed in between is left to it.
        var stale = await due.Where(e => ids.Contains(e.Id) && e.LeaseToken != null).Select(e => e.Id).ToListAsync(cancellationToken);
        foreach (var id in stale)
            logger.LogWarning("Outbox email {Id} was claimed by a sender that never recorded its outcome; it is sent again with the same Message-ID (a possible duplicate)", id);
        await due.Where(e => ids.Contains(e.Id)).ExecuteUpdateAsync(u => u
            .SetProperty(e => e.NextAttemptAt, leaseUntil).SetProperty(e => e.LeaseToken, token), cancellationToken);
        return await db.OutboxEmails.AsNoTracking().Where(e => e.LeaseToken == token).OrderBy(e => e.Id).ToListAsync(cancellationToken);
    }
}

/// <summary>Runs <see cref="OutboxDelivery"/> every <see cref="EmailOptions.PollSeconds"/> seconds.</summary>
public sealed class OutboxSender(IServiceScopeFactory scopes, IOptions<EmailOptions> options, ILogger<OutboxSender> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var period = TimeSpan.FromSeconds(Math.Max(0.05, options.Value.PollSeconds));
        using var timer = new PeriodicTimer(period);
        do
        {
            try
            {
                await using var scope = scopes.CreateAsyncScope();
                await scope.ServiceProvider.GetRequiredService<OutboxDelivery>().DeliverDueAsync(100, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError("The outbox sender failed: {Error}", e.GetType().Name);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
