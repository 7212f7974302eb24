using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Infrastructure.Email;
using Microsoft.Extensions.Localization;

namespace Marketplace.Web.Features.Curation;

/// <summary>
/// The emails of the listing workflow, one per decision, to every confirmed member of the provider organization, each
/// in the member's language (French by default). They are added to the outbox of the current unit of work, so they
/// are saved with the decision or not at all.
/// </summary>
public sealed class ListingEmails(MemberEmails members, IStringLocalizer<SharedResource> text)
{
    public Task EnqueueAsync(ListingRevision revision, AuditAction action, CancellationToken cancellationToken) =>
        EnqueueAsync(revision.OrganizationId ?? 0, revision.Content.Name, $"Email.Listing.{action}", revision.DecisionReason, cancellationToken);

    public Task EnqueueArchivedAsync(int organizationId, string listing, string? reason, CancellationToken cancellationToken) =>
        EnqueueAsync(organizationId, listing, "Email.Listing.Archived", reason, cancellationToken);

    public Task EnqueueRestoredAsync(int organizationId, string listing, string? note, CancellationToken cancellationToken) =>
        EnqueueAsync(organizationId, listing, "Email.Listing.Restored", note, cancellationToken);

    public Task EnqueueRenewedAsync(int organizationId, string listing, CancellationToken cancellationToken) =>
        EnqueueAsync(organizationId, listing, "Email.Listing.VerificationRenewed", null, cancellationToken);

    public Task EnqueueReminderAsync(int organizationId, string listing, CancellationToken cancellationToken) =>
        EnqueueAsync(organizationId, listing, "Email.Listing.Reverify", null, cancellationToken);

    private Task EnqueueAsync(int organizationId, string listing, string key, string? comment, CancellationToken cancellationToken) =>
        members.EnqueueAsync(organizationId, _ =>
        {
            var lines = new List<string> { text[key + ".Body", listing] };
            if (comment is not null) lines.Add(text["Email.Listing.Comment", comment]);
            return new MemberEmails.Letter(text[key + ".Subject", listing], lines, text["Email.SeeListing"], "fr/compte/fiche", "en/account/listing");
        }, cancellationToken);
}
