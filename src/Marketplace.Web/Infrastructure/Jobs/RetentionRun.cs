using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Domain.Matching;
using Marketplace.Web.Features.Account;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Email;
using Marketplace.Web.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;
using Hangfire;

namespace Marketplace.Web.Infrastructure.Jobs;

/// <summary>
/// The retention schedule applied (Law 25, s. 23; ADR 0027), with the periods of <see cref="RetentionOptions"/>: sent
/// email bodies cleared, unconfirmed accounts deleted, closed requests anonymized, inactive accounts warned then deleted.
/// Every step selects only what it has not done yet, so a second run with the same date changes nothing; rows go in
/// batches of <see cref="BatchSize"/>, one transaction each (an account deletion is one transaction of its own).
/// </summary>
public sealed class RetentionRun(
    MarketplaceDbContext db,
    AccountDeletion deletion,
    IOptions<RetentionOptions> options,
    IOptions<MarketplaceOptions> site,
    IOptions<EmailOptions> email,
    IStringLocalizer<SharedResource> text)
{
    public const int BatchSize = 500;
    /// <summary>What stays of an anonymized request's title, messages and answers.</summary>
    public const string Anonymized = "—";

    public sealed record Outcome(int EmailBodiesCleared, int UnconfirmedDeleted, int RequestsAnonymized, int InactiveWarned, int InactiveDeleted,
        int WithdrawalRequestsDeleted = 0, int ProviderReviewsAnonymized = 0, int EmailEventsDeleted = 0, int SuppressionsDeleted = 0)
    {
        public bool Changed => EmailBodiesCleared + UnconfirmedDeleted + RequestsAnonymized + InactiveWarned + InactiveDeleted
            + WithdrawalRequestsDeleted + ProviderReviewsAnonymized + EmailEventsDeleted + SuppressionsDeleted > 0;

        /// <summary>The line the admins' job page and the audit show.</summary>
        public override string ToString() =>
            $"courriels vidés / email bodies cleared {EmailBodiesCleared}, comptes non confirmés supprimés / unconfirmed accounts deleted {UnconfirmedDeleted}, " +
            $"demandes anonymisées / requests anonymized {RequestsAnonymized}, comptes inactifs avertis / inactive accounts warned {InactiveWarned}, " +
            $"comptes inactifs supprimés / inactive accounts deleted {InactiveDeleted}, " +
            $"demandes de retrait supprimées / withdrawal requests deleted {WithdrawalRequestsDeleted}, " +
            $"révisions de fournisseurs anonymisées / provider reviews anonymized {ProviderReviewsAnonymized}, " +
            $"événements SendGrid oubliés / SendGrid events forgotten {EmailEventsDeleted}, " +
            $"adresses bloquées supprimées / suppressions deleted {SuppressionsDeleted}";
    }

    public async Task<Outcome> RunAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var periods = options.Value;
        var outcome = new Outcome(
            await ClearEmailBodiesAsync(now, cancellationToken),
            await DeleteUnconfirmedAsync(now.AddDays(-periods.UnconfirmedAccountDays), now, cancellationToken),
            await AnonymizeClosedRequestsAsync(now.AddMonths(-periods.ClosedRequestMonths), now, cancellationToken),
            await WarnInactiveAsync(now.AddMonths(-periods.InactiveWarningMonths), now, cancellationToken),
            await DeleteInactiveAsync(now, cancellationToken),
            await DeleteDecidedWithdrawalRequestsAsync(now.AddMonths(-periods.ClosedRequestMonths), cancellationToken),
            await AnonymizeAnsweredProviderReviewsAsync(now.AddMonths(-periods.ClosedRequestMonths), cancellationToken),
            await db.ProcessedEmailEvents.Where(e => e.ReceivedAt < now.AddDays(-ProcessedEmailEvent.RetentionDays)).ExecuteDeleteAsync(cancellationToken),
            await DeleteOldSuppressionsAsync(now.AddMonths(-EmailSuppression.RetentionMonths), cancellationToken));
        if (outcome.Changed)
        {
            db.AuditEntries.Add(new AuditEntry(0, null, null, AccountDeletion.RetentionActor, AuditAction.RetentionRun, outcome.ToString(), now));
            await db.SaveChangesAsync(cancellationToken);
        }
        return outcome;
    }

    /// <summary>
    /// Sent emails (and ones that failed for good) older than the period lose their bodies; date, kind (subject), recipient
    /// and status stay. Replaces the outbox sender's own clearing (ADR 0021).
    /// </summary>
    public async Task<int> ClearEmailBodiesAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var before = now.AddDays(-options.Value.EmailBodyDays);
        var total = 0;
        while (true)
        {
            var ids = await db.OutboxEmails
                .Where(e => (e.SentAt != null ? e.SentAt < before
                                : e.SuppressedAt != null ? e.SuppressedAt < before : e.Attempts >= OutboxEmail.MaxAttempts && e.CreatedAt < before)
                            && (e.TextBody != "" || e.HtmlBody != ""))
                .OrderBy(e => e.Id).Select(e => e.Id).Take(BatchSize).ToArrayAsync(cancellationToken);
            if (ids.Length == 0) return total;
            total += await db.OutboxEmails.Where(e => EF.Parameter(ids).Contains(e.Id))
                .ExecuteUpdateAsync(u => u.SetProperty(e => e.TextBody, "").SetProperty(e => e.HtmlBody, ""), cancellationToken);
        }
    }

    /// <summary>
    /// Accounts never confirmed, or created for someone who never chose a password (<c>users add</c>), older than the period
    /// (signing in without confirming does not keep one). Invitations create no account (a signed link only); their emails
    /// go with the email bodies above.
    /// </summary>
    private Task<int> DeleteUnconfirmedAsync(DateTimeOffset before, DateTimeOffset now, CancellationToken cancellationToken) =>
        DeleteAccountsAsync(db.Users.Where(u => (!u.EmailConfirmed || u.PasswordHash == null) && u.CreatedAt < before),
            "retention: compte non confirmé / unconfirmed account", now, cancellationToken);

    /// <summary>Closed requests: title, description, their conversations' messages, responses' messages and review texts.</summary>
    private async Task<int> AnonymizeClosedRequestsAsync(DateTimeOffset closedBefore, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            var requests = await db.NeedRequests
                .Where(r => r.Status == RequestStatus.Closed && r.AnonymizedAt == null && r.UpdatedAt < closedBefore)
                .OrderBy(r => r.Id).Take(BatchSize).ToListAsync(cancellationToken);
            if (requests.Count == 0) return total;
            var ids = requests.Select(r => r.Id).ToArray();
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            foreach (var request in requests) request.Anonymize(Anonymized, now);
            await db.SaveChangesAsync(cancellationToken);
            var conversations = db.Conversations.Where(c => c.RequestId != null && EF.Parameter(ids).Contains(c.RequestId.Value)).Select(c => c.Id);
            await db.ConversationMessages.Where(m => conversations.Contains(m.ConversationId))
                .ExecuteUpdateAsync(u => u.SetProperty(m => m.Body, Anonymized), cancellationToken);
            await db.MatchResponses.Where(r => EF.Parameter(ids).Contains(r.RequestId) && r.Message != null)
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.Message, Anonymized), cancellationToken);
            await db.HumanReviews.Where(r => EF.Parameter(ids).Contains(r.RequestId))
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.Question, (string?)null)
                    .SetProperty(r => r.Answer, r => r.Answer == null ? null : Anonymized), cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            db.ChangeTracker.Clear();
            total += requests.Count;
        }
    }

    /// <summary>
    /// Withdrawal requests (s. 28.1) decided more than the closed-request period ago: the requester's name, address and
    /// reason go; the decision stays in the audit (<c>WithdrawalDecided</c>) and, when withdrawn, in the archived listing.
    /// </summary>
    private async Task<int> DeleteDecidedWithdrawalRequestsAsync(DateTimeOffset decidedBefore, CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            var ids = await db.WithdrawalRequests.Where(w => w.DecidedAt != null && w.DecidedAt < decidedBefore)
                .OrderBy(w => w.Id).Select(w => w.Id).Take(BatchSize).ToArrayAsync(cancellationToken);
            if (ids.Length == 0) return total;
            total += await db.WithdrawalRequests.Where(w => EF.Parameter(ids).Contains(w.Id)).ExecuteDeleteAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Suppressions (issue 15, ADR 0032) with no event for <see cref="EmailSuppression.RetentionMonths"/> months: the
    /// address is personal data, and a mailbox that bounced two years ago may be someone else's now. Emails marked
    /// suppressed keep their status.
    /// </summary>
    private async Task<int> DeleteOldSuppressionsAsync(DateTimeOffset lastEventBefore, CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            var ids = await db.EmailSuppressions.Where(s => s.LastEventAt < lastEventBefore)
                .OrderBy(s => s.Id).Select(s => s.Id).Take(BatchSize).ToArrayAsync(cancellationToken);
            if (ids.Length == 0) return total;
            total += await db.EmailSuppressions.Where(s => EF.Parameter(ids).Contains(s.Id)).ExecuteDeleteAsync(cancellationToken);
        }
    }

    /// <summary>Providers' review questions (s. 12.1) answered more than the period ago keep that they were asked and answered, not the texts.</summary>
    private async Task<int> AnonymizeAnsweredProviderReviewsAsync(DateTimeOffset answeredBefore, CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            var ids = await db.ProviderReviews.Where(r => r.AnsweredAt != null && r.AnsweredAt < answeredBefore && r.Question != Anonymized)
                .OrderBy(r => r.Id).Select(r => r.Id).Take(BatchSize).ToArrayAsync(cancellationToken);
            if (ids.Length == 0) return total;
            total += await db.ProviderReviews.Where(r => EF.Parameter(ids).Contains(r.Id))
                .ExecuteUpdateAsync(u => u.SetProperty(r => r.Question, Anonymized).SetProperty(r => r.Answer, Anonymized), cancellationToken);
        }
    }

    /// <summary>Confirmed accounts without a sign-in for the warning period get one email, in their language.</summary>
    private async Task<int> WarnInactiveAsync(DateTimeOffset inactiveSince, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var total = 0;
        var deletionMonths = options.Value.InactiveDeletionMonths;
        while (true)
        {
            var people = await db.Users
                .Where(u => u.EmailConfirmed && u.InactivityWarnedAt == null && (u.LastSeenAt ?? u.CreatedAt) < inactiveSince)
                .OrderBy(u => u.Id).Take(BatchSize).ToListAsync(cancellationToken);
            if (people.Count == 0) return total;
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            foreach (var person in people.Where(p => !string.IsNullOrEmpty(p.Email)))
            {
                var language = person.Language == "en" ? "en" : "fr";
                var deletedOn = (person.LastSeenAt ?? person.CreatedAt).AddMonths(deletionMonths);
                // Deleted at the earliest one month after this warning, whatever the dates say (ADR 0027).
                if (deletedOn < now.AddMonths(1)) deletedOn = now.AddMonths(1);
                using (Cultures.UseLanguage(language))
                {
                    var day = Cultures.LongDate(deletedOn);
                    db.OutboxEmails.Add(EmailBodies.Compose(person.Email!, text["Email.Inactive.Subject"],
                        [text["Email.Inactive.Body", day].Value, text["Email.Inactive.Keep"].Value],
                        text["Account.LoginButton"], EmailBodies.Link(site.Value.PublicBaseUrl, language == "en" ? "en/login" : "fr/connexion"),
                        text["Email.Footer"], language, email.Value.MessageIdDomain, now, EmailKinds.InactiveAccount));
                }
                person.InactivityWarnedAt = now;
            }
            foreach (var person in people.Where(p => string.IsNullOrEmpty(p.Email))) person.InactivityWarnedAt = now;
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            db.ChangeTracker.Clear();
            total += people.Count;
        }
    }

    /// <summary>
    /// Accounts without a sign-in for the deletion period, warned at least a month ago (a first run on an old database
    /// warns before it deletes). Signing in clears the warning.
    /// </summary>
    private Task<int> DeleteInactiveAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        var inactiveSince = now.AddMonths(-options.Value.InactiveDeletionMonths);
        var warnedBefore = now.AddMonths(-1);
        return DeleteAccountsAsync(db.Users.Where(u => u.InactivityWarnedAt != null && u.InactivityWarnedAt <= warnedBefore
                                                       && (u.LastSeenAt ?? u.CreatedAt) < inactiveSince),
            "retention: compte inactif / inactive account", now, cancellationToken);
    }

    private async Task<int> DeleteAccountsAsync(IQueryable<MarketplaceUser> due, string reason, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var total = 0;
        while (true)
        {
            var ids = await due.OrderBy(u => u.Id).Select(u => u.Id).Take(BatchSize).ToListAsync(cancellationToken);
            if (ids.Count == 0) return total;
            foreach (var id in ids)
                if (await deletion.HandleAsync(id, AccountDeletion.RetentionActor, reason, cancellationToken, now) is not null)
                    total++;
            db.ChangeTracker.Clear();
        }
    }
}

/// <summary>
/// The daily retention job (Hangfire recurring job <c>retention</c>; the same use case as <c>jobs run retention</c>), recorded
/// for the admins' job page. Retried three times: a run deletes and anonymizes what is due at its own time, so a retry
/// only finishes what a failed run left.
/// </summary>
public sealed class RetentionJob(RetentionRun run, MarketplaceDbContext db, TimeProvider time, ILogger<RetentionJob> logger)
{
    [AutomaticRetry(Attempts = 3)]
    [DisableConcurrentExecution(timeoutInSeconds: 3600)]
    [JobDisplayName("retention ({0})")]
    public Task RunAsync(string trigger, CancellationToken cancellationToken) =>
        JobRuns.RecordAsync(db, time, Scheduling.Retention, trigger, async () =>
        {
            var outcome = await run.RunAsync(time.GetUtcNow(), cancellationToken);
            logger.LogInformation("Retention: {Outcome}", outcome.ToString());
            return outcome.ToString();
        }, cancellationToken);
}
