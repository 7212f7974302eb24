using Marketplace.Web.Domain;
using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Domain.Privacy;
using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Infrastructure;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Email;
using Marketplace.Web.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace Marketplace.Web.Features.Curation;

/// <summary>
/// Requests to withdraw a public listing (Act, s. 28.1): anybody asks; the verification team withdraws the listing
/// (archives it: it leaves search and answers 410) or refuses with a reason; the requester is emailed either way, in the
/// language of the page they asked from. The decision, the archive, the audit entry and the emails are one transaction.
/// </summary>
public sealed class WithdrawalRequests(
    MarketplaceDbContext db,
    ListingWorkflow workflow,
    IStringLocalizer<SharedResource> text,
    IOptions<MarketplaceOptions> site,
    IOptions<EmailOptions> email,
    IOptions<PrivacyOptions> privacy,
    TimeProvider time)
{
    public enum Outcome
    {
        Done,
        Gone,
        /// <summary>Someone of the team decided it first: the first decision stands.</summary>
        AlreadyDecided,
    }

    public async Task<int> AskAsync(int providerId, string? name, string requesterEmail, string reason, string language, CancellationToken cancellationToken)
    {
        var request = new WithdrawalRequest(providerId, name, requesterEmail, reason, language, time.GetUtcNow());
        db.WithdrawalRequests.Add(request);
        await db.SaveChangesAsync(cancellationToken);
        return request.Id;
    }

    /// <param name="withdraw">True archives the listing; false refuses with <paramref name="reason"/> (required then).</param>
    public async Task<Outcome> DecideAsync(int id, bool withdraw, string curatorId, string? reason, CancellationToken cancellationToken)
    {
        var request = await db.WithdrawalRequests.SingleOrDefaultAsync(w => w.Id == id, cancellationToken);
        if (request is null) return Outcome.Gone;
        if (request.Decided) return Outcome.AlreadyDecided;
        var listing = await db.Providers.AsNoTracking().Where(p => p.Id == request.ProviderId)
            .Select(p => new { p.Name, p.Slug, p.Status }).SingleAsync(cancellationToken);
        var now = time.GetUtcNow();
        try
        {
            if (withdraw) request.Withdraw(curatorId, reason, now);
            else request.Refuse(curatorId, reason!, now);
            db.OutboxEmails.Add(Answer(request, listing.Name, listing.Slug, now));
            if (withdraw && listing.Status != ListingStatus.Archived)
            {
                // The archive saves the decision and the email with it, in its transaction: all or nothing.
                var audit = $"retrait demandé (demande {id})" + (request.DecisionReason is { } note ? $" : {note}" : "");
                await workflow.ArchiveAsync(request.ProviderId, organizationId: null, curatorId,
                    audit.Length > ListingRevision.ReasonMaxLength ? audit[..(ListingRevision.ReasonMaxLength - 1)] + "…" : audit, cancellationToken);
            }
            else
            {
                db.AuditEntries.Add(new AuditEntry(0, request.ProviderId, null, curatorId, AuditAction.WithdrawalDecided,
                    Cut($"demande {id} : {(withdraw ? "fiche déjà archivée" : "refusée")}" + (request.DecisionReason is { } why ? $" : {why}" : "")), now));
                await db.SaveChangesAsync(cancellationToken);
            }
        }
        catch (Exception e) when (e is DbUpdateConcurrencyException or DomainException)
        {
            db.ChangeTracker.Clear();
            return Outcome.AlreadyDecided;
        }
        return Outcome.Done;
    }

    private static string Cut(string text) => text.Length > ListingRevision.ReasonMaxLength ? text[..(ListingRevision.ReasonMaxLength - 1)] + "…" : text;

    /// <summary>The answer to the requester, who may have no account: their own footer, in the language they asked in.</summary>
    private OutboxEmail Answer(WithdrawalRequest request, string listing, string slug, DateTimeOffset now)
    {
        using var _ = Cultures.UseLanguage(request.Language);
        var withdrawn = request.Decision == WithdrawalDecision.Withdrawn;
        var paragraphs = new List<string>
        {
            request.RequesterName is { } name ? text["Email.Greeting", name] : text["Withdrawals.Email.GreetingAnonymous"],
            withdrawn ? text["Withdrawals.Email.Withdrawn", listing] : text["Withdrawals.Email.Refused", listing],
        };
        if (request.DecisionReason is { } reason) paragraphs.Add(text["Withdrawals.Email.Reason", reason]);
        if (!withdrawn) paragraphs.Add(text["Withdrawals.Email.Complaint", privacy.Value.OfficerName, privacy.Value.OfficerEmail]);
        var link = EmailBodies.Link(site.Value.PublicBaseUrl, request.Language == "en" ? $"en/providers/{slug}" : $"fr/fournisseurs/{slug}");
        return EmailBodies.Compose(request.RequesterEmail,
            withdrawn ? text["Withdrawals.Email.WithdrawnSubject", listing] : text["Withdrawals.Email.RefusedSubject", listing],
            paragraphs, text["Withdrawals.Email.Link"], link, text["Withdrawals.Email.Footer"], request.Language, email.Value.MessageIdDomain, now,
            EmailKinds.Withdrawal);
    }
}
