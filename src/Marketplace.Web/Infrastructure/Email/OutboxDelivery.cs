using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Marketplace.Web.Infrastructure.Email;

/// <summary>
/// Delivers due outbox emails through the transport, one at a time, each claimed first by moving its next attempt
/// forward (so two instances never send the same row at once), then marked sent or failed with back-off.
/// </summary>
public sealed class OutboxDelivery(MarketplaceDbContext db, IEmailTransport transport, TimeProvider time, ILogger<OutboxDelivery> logger)
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(5);

    /// <summary>Sends what is due; returns (sent, failed).</summary>
    public async Task<(int Sent, int Failed)> DeliverDueAsync(int max, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var due = await db.OutboxEmails.AsNoTracking()
            .Where(e => e.SentAt == null && e.Attempts < OutboxEmail.MaxAttempts && e.NextAttemptAt <= now)
            .OrderBy(e => e.Id)
            .Select(e => new { e.Id, e.NextAttemptAt })
            .Take(max)
            .ToListAsync(cancellationToken);
        int sent = 0, failed = 0;
        foreach (var candidate in due)
        {
            var leaseUntil = time.GetUtcNow() + Lease;
            var claimed = await db.OutboxEmails
                .Where(e => e.Id == candidate.Id && e.SentAt == null && e.NextAttemptAt == candidate.NextAttemptAt)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.NextAttemptAt, leaseUntil), cancellationToken);
            if (claimed == 0) continue; // another instance has it

            var email = await db.OutboxEmails.SingleAsync(e => e.Id == candidate.Id, cancellationToken);
            try
            {
                await transport.SendAsync(new EmailMessage(email.To, email.Subject, email.TextBody, email.HtmlBody, email.MessageId, email.Language), cancellationToken);
                email.MarkSent(time.GetUtcNow());
                sent++;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // No address or content in the log: the row id and the error type are enough to find it.
                logger.LogWarning("Outbox email {Id} failed (attempt {Attempt}): {Error}", email.Id, email.Attempts + 1, e.GetType().Name);
                email.MarkFailed($"{e.GetType().Name}: {e.Message}", time.GetUtcNow());
                failed++;
            }
            await db.SaveChangesAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }
        return (sent, failed);
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
