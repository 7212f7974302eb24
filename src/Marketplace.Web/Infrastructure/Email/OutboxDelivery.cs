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
/// <see cref="EmailOptions.SendParallelism"/> sender loops run at once, each with its own transport session (one SMTP
/// connection), its own database context and its own batches; <see cref="EmailOptions.MessagesPerSecond"/> paces them
/// all together. So up to that many messages can be between the server's acceptance and their record when the process
/// dies. The loops record their sent rows through one <see cref="SentRecords"/>: each loop waits for its row to be
/// recorded before it sends its next message, and whatever the loops handed over meanwhile is recorded in one statement,
/// so one commit (one flush to disk) serves several messages instead of each loop committing and waiting for the
/// database's write lock in turn. A batch that takes longer than half the lease renews it before its next message, so
/// no other sender (another loop, another instance) can claim a row that is still being worked on.
/// </summary>
public sealed class OutboxDelivery(MarketplaceDbContext db, IEmailTransport transport, TimeProvider time, IOptions<EmailOptions> options,
    ILogger<OutboxDelivery> logger, IServiceScopeFactory? scopes = null, OutboxSecrets? secrets = null)
{
    private const int BatchSize = 50;

    /// <summary>Sends what is due (only the digests of <paramref name="period"/> when given); returns (sent, failed).</summary>
    public async Task<(int Sent, int Failed)> DeliverDueAsync(int max, CancellationToken cancellationToken, string? period = null)
    {
        var run = new Run(max, options.Value.MessagesPerSecond);
        var parallelism = scopes is null ? 1 : Math.Clamp(options.Value.SendParallelism, 1, 64);
        if (parallelism == 1) return await LoopAsync(db, run, id => MarkSentAsync(db, [id], time.GetUtcNow()), period, cancellationToken);
        await using var recorderScope = scopes!.CreateAsyncScope();
        await using var records = new SentRecords(recorderScope.ServiceProvider.GetRequiredService<MarketplaceDbContext>(), time);
        var loops = await Task.WhenAll(Enumerable.Range(0, parallelism).Select(async _ =>
        {
            await using var scope = scopes!.CreateAsyncScope();
            try
            {
                return await LoopAsync(scope.ServiceProvider.GetRequiredService<MarketplaceDbContext>(), run, records.RecordAsync, period,
                    cancellationToken);
            }
            catch
            {
                // The database is out of reach, say: the other loops stop after their current message, and the error is
                // thrown once they have. Rows they had claimed stay leased and are sent later, as after a crash.
                run.Stop();
                throw;
            }
        }));
        return (loops.Sum(l => l.Sent), loops.Sum(l => l.Failed));
    }

    /// <summary>
    /// Marks rows sent: their one attempt more, no error, no lease. One statement, so one commit. A sensitive email (a
    /// sealed link, <see cref="OutboxSecrets"/>) loses its body from the seal on, in the same statement: what stays says
    /// which page the link opened, never how.
    /// </summary>
    private static Task MarkSentAsync(MarketplaceDbContext context, long[] ids, DateTimeOffset at) =>
        // One array parameter (json_each on SQLite, = ANY on PostgreSQL), whatever the number of rows.
        context.OutboxEmails.Where(e => EF.Parameter(ids).Contains(e.Id)).ExecuteUpdateAsync(u => u
            .SetProperty(e => e.SentAt, at).SetProperty(e => e.Attempts, e => e.Attempts + 1).SetProperty(e => e.LastError, (string?)null)
            .SetProperty(e => e.LeaseToken, (Guid?)null)
            .SetProperty(e => e.TextBody, e => e.TextBody.Contains(OutboxSecrets.Marker)
                ? e.TextBody.Substring(0, e.TextBody.IndexOf(OutboxSecrets.Marker)) : e.TextBody)
            .SetProperty(e => e.HtmlBody, e => e.HtmlBody.Contains(OutboxSecrets.Marker)
                ? e.HtmlBody.Substring(0, e.HtmlBody.IndexOf(OutboxSecrets.Marker)) : e.HtmlBody), CancellationToken.None);

    /// <summary>
    /// The record of sent rows for the sender loops of one call (a group commit). A loop hands over the row the server has
    /// just accepted and waits until it is recorded; one writer records whatever has gathered since its last statement in
    /// one statement, with one sent time (the statement's). Each loop's guarantee is the same as with its own update: a
    /// message is recorded before the loop sends the next one. Four loops committing one row each took turns for SQLite's
    /// write lock: each waited about 20 ms per message for its update, 12 ms this way (docs/benchmarks.md).
    /// </summary>
    private sealed class SentRecords : IAsyncDisposable
    {
        private const int MaxGroup = 256;
        private readonly System.Threading.Channels.Channel<(long Id, TaskCompletionSource Done)> _handed =
            System.Threading.Channels.Channel.CreateUnbounded<(long, TaskCompletionSource)>(new() { SingleReader = true });
        private readonly Task _writer;

        public SentRecords(MarketplaceDbContext context, TimeProvider time) => _writer = WriteAsync(context, time);

        public Task RecordAsync(long id)
        {
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            if (!_handed.Writer.TryWrite((id, done))) done.SetException(new InvalidOperationException("The sent records are closed."));
            return done.Task;
        }

        private async Task WriteAsync(MarketplaceDbContext context, TimeProvider time)
        {
            var group = new List<(long Id, TaskCompletionSource Done)>(MaxGroup);
            while (await _handed.Reader.WaitToReadAsync())
            {
                group.Clear();
                while (group.Count < MaxGroup && _handed.Reader.TryRead(out var handed)) group.Add(handed);
                try
                {
                    await MarkSentAsync(context, group.Select(g => g.Id).ToArray(), time.GetUtcNow());
                    foreach (var (_, done) in group) done.SetResult();
                }
                catch (Exception e)
                {
                    // Each waiting loop sees the error as its own update's: the row stays leased and is sent again later.
                    foreach (var (_, done) in group) done.SetException(e);
                }
            }
        }

        /// <summary>After the loops have ended: nothing more is handed over, and what was is recorded.</summary>
        public async ValueTask DisposeAsync()
        {
            _handed.Writer.TryComplete();
            await _writer;
        }
    }

    /// <summary>What the sender loops of one call share: how many rows they may still claim, and the pace.</summary>
    private sealed class Run(int max, double messagesPerSecond)
    {
        private readonly TimeSpan _pace = messagesPerSecond > 0 ? TimeSpan.FromSeconds(1 / messagesPerSecond) : TimeSpan.Zero;
        private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
        private int _left = max;
        private long _started;
        private volatile bool _stopped;

        public bool Stopped => _stopped;

        public void Stop() => _stopped = true;

        /// <summary>Reserves up to <paramref name="count"/> of the rows left to claim; <see cref="Return"/> gives back those not claimed.</summary>
        public int Reserve(int count)
        {
            while (!_stopped)
            {
                var left = Volatile.Read(ref _left);
                var take = Math.Min(count, left);
                if (take <= 0) return 0;
                if (Interlocked.CompareExchange(ref _left, left - take, left) == left) return take;
            }
            return 0;
        }

        public void Return(int count) => Interlocked.Add(ref _left, count);

        /// <summary>The n-th message of the call (whichever loop sends it) leaves no sooner than n × pace after the start.</summary>
        public async Task PaceAsync(CancellationToken cancellationToken)
        {
            if (_pace == TimeSpan.Zero) return;
            var due = _pace * (Interlocked.Increment(ref _started) - 1);
            if (_clock.Elapsed < due) await Task.Delay(due - _clock.Elapsed, cancellationToken);
        }
    }

    private async Task<(int Sent, int Failed)> LoopAsync(MarketplaceDbContext context, Run run, Func<long, Task> markSent, string? period,
        CancellationToken cancellationToken)
    {
        int sent = 0, failed = 0;
        using var session = transport.OpenSession();
        while (true)
        {
            var reserved = run.Reserve(BatchSize);
            if (reserved == 0) break;
            var (batch, token) = await ClaimAsync(context, reserved, period, cancellationToken);
            run.Return(reserved - batch.Count);
            if (batch.Count == 0) break;
            var leasedAt = time.GetUtcNow();
            HashSet<long>? stillOurs = null;
            var suppressed = await SuppressAsync(context, batch, token, cancellationToken);
            foreach (var email in batch)
            {
                if (run.Stopped) break;
                if (suppressed.Contains(email.Id)) continue;
                await run.PaceAsync(cancellationToken);
                if (time.GetUtcNow() - leasedAt > Lease / 2)
                {
                    // A slow batch (a pace, a slow server, other loops sharing the pace) must not outlive its lease, or
                    // another sender would claim and send its remaining rows too: the lease is renewed, and only rows
                    // still ours are sent.
                    (stillOurs, leasedAt) = await RenewAsync(context, token, batch.Select(e => e.Id).ToArray(), cancellationToken);
                }
                if (stillOurs is not null && !stillOurs.Contains(email.Id)) continue;
                try
                {
                    // Sealed links are opened only here, for the message that leaves (keys lost: it fails, and is retried).
                    await session.SendAsync(new EmailMessage(email.To, email.Subject, secrets?.Reveal(email.TextBody) ?? email.TextBody,
                        secrets?.Reveal(email.HtmlBody, html: true) ?? email.HtmlBody, email.MessageId, email.Language, email.UnsubscribeUrl,
                        email.Id, email.Kind),
                        cancellationToken);
                    await markSent(email.Id);
                    sent++;
                }
                catch (PermanentEmailFailureException e)
                {
                    // Refused for good (SendGrid's 400): no more attempts; the server's message goes to the row, for the
                    // admins' email page, never to the log (it may quote the address).
                    logger.LogWarning("Outbox email {Id} was refused for good by the server (attempt {Attempt})", email.Id, email.Attempts + 1);
                    email.MarkFailedPermanently(e.Message, time.GetUtcNow());
                    await RecordFailureAsync(context, email);
                    failed++;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // No address or content in the log: the row id and the error type are enough to find it.
                    logger.LogWarning("Outbox email {Id} failed (attempt {Attempt}): {Error}", email.Id, email.Attempts + 1, e.GetType().Name);
                    email.MarkFailed($"{e.GetType().Name}: {e.Message}", time.GetUtcNow());
                    await RecordFailureAsync(context, email);
                    failed++;
                }
            }
        }
        return (sent, failed);
    }

    private TimeSpan Lease => TimeSpan.FromSeconds(options.Value.LeaseSeconds);

    private static Task RecordFailureAsync(MarketplaceDbContext context, OutboxEmail email) =>
        context.OutboxEmails.Where(x => x.Id == email.Id).ExecuteUpdateAsync(u => u
            .SetProperty(x => x.Attempts, email.Attempts).SetProperty(x => x.LastError, email.LastError)
            .SetProperty(x => x.NextAttemptAt, email.NextAttemptAt).SetProperty(x => x.LeaseToken, (Guid?)null), CancellationToken.None);

    /// <summary>
    /// The batch's rows whose recipient is on the suppression list (<see cref="EmailSuppression"/>, ADR 0032): marked
    /// suppressed, with the reason as their last error, and never sent, whatever the transport. One query per batch.
    /// </summary>
    private async Task<HashSet<long>> SuppressAsync(MarketplaceDbContext context, List<OutboxEmail> batch, Guid token,
        CancellationToken cancellationToken)
    {
        var addresses = batch.Select(e => EmailSuppression.Normalize(e.To)).OfType<string>().Distinct().ToArray();
        if (addresses.Length == 0) return [];
        var listed = await context.EmailSuppressions.AsNoTracking().Where(s => EF.Parameter(addresses).Contains(s.Address))
            .Select(s => new { s.Address, s.Reason }).ToDictionaryAsync(s => s.Address, s => s.Reason, cancellationToken);
        if (listed.Count == 0) return [];
        var suppressed = new HashSet<long>();
        var now = time.GetUtcNow();
        foreach (var email in batch)
        {
            if (EmailSuppression.Normalize(email.To) is not { } address || !listed.TryGetValue(address, out var reason)) continue;
            var error = $"Suppressed: {reason}";
            await context.OutboxEmails.Where(e => e.Id == email.Id && e.LeaseToken == token && e.SentAt == null).ExecuteUpdateAsync(u => u
                .SetProperty(e => e.SuppressedAt, now).SetProperty(e => e.LastError, error).SetProperty(e => e.LeaseToken, (Guid?)null),
                CancellationToken.None);
            logger.LogInformation("Outbox email {Id} not sent: its recipient is on the suppression list ({Reason})", email.Id, reason);
            suppressed.Add(email.Id);
        }
        return suppressed;
    }

    /// <summary>
    /// Moves the lease of the batch's unsent rows forward; returns those still under its token. By id, like the claim, so
    /// that PostgreSQL locks rows in the same order in both statements.
    /// </summary>
    private async Task<(HashSet<long> Ids, DateTimeOffset At)> RenewAsync(MarketplaceDbContext context, Guid token, long[] ids,
        CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var until = now + Lease;
        var ours = context.OutboxEmails.Where(e => ids.Contains(e.Id) && e.LeaseToken == token && e.SentAt == null);
        await ours.ExecuteUpdateAsync(u => u.SetProperty(e => e.NextAttemptAt, until), cancellationToken);
        return ((await ours.Select(e => e.Id).ToListAsync(cancellationToken)).ToHashSet(), now);
    }

    private async Task<(List<OutboxEmail> Batch, Guid Token)> ClaimAsync(MarketplaceDbContext context, int count, string? period,
        CancellationToken cancellationToken)
    {
        while (true)
        {
            var now = time.GetUtcNow();
            var due = context.OutboxEmails.Where(e => e.SentAt == null && e.SuppressedAt == null && e.Attempts < OutboxEmail.MaxAttempts && e.NextAttemptAt <= now
                                                      && (period == null || e.DigestPeriod == period));
            // A due row that still carries a token was claimed by a sender that never recorded its outcome (a crash).
            var rows = await due.OrderBy(e => e.Id).Select(e => new { e.Id, Stale = e.LeaseToken != null }).Take(count).ToListAsync(cancellationToken);
            if (rows.Count == 0) return ([], Guid.Empty);
            var ids = rows.Select(r => r.Id).ToList();
            var token = Guid.NewGuid();
            var leaseUntil = now + Lease;
            // Re-checked in the statement itself: a row another sender claimed in between is left to it.
            foreach (var id in rows.Where(r => r.Stale).Select(r => r.Id))
                logger.LogWarning("Outbox email {Id} was claimed by a sender that never recorded its outcome; it is sent again with the same Message-ID (a possible duplicate)", id);
            var claimed = await due.Where(e => ids.Contains(e.Id)).ExecuteUpdateAsync(u => u
                .SetProperty(e => e.NextAttemptAt, leaseUntil).SetProperty(e => e.LeaseToken, token), cancellationToken);
            // Another sender claimed every one of them first (sender loops start together): look again.
            if (claimed == 0) continue;
            return (await context.OutboxEmails.AsNoTracking().Where(e => e.LeaseToken == token).OrderBy(e => e.Id).ToListAsync(cancellationToken), token);
        }
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
                var delivery = scope.ServiceProvider.GetRequiredService<OutboxDelivery>();
                // Sent bodies are cleared by the daily retention job (Retention:EmailBodyDays, ADR 0027).
                await delivery.DeliverDueAsync(100, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                logger.LogError("The outbox sender failed: {Error}", e.GetType().Name);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
