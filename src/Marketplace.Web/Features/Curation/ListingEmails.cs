using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Infrastructure;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Email;
using Marketplace.Web.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace Marketplace.Web.Features.Curation;

/// <summary>
/// The emails of the listing workflow, one per decision, to every confirmed member of the provider organization, each
/// in the member's language (French by default). They are added to the outbox of the current unit of work, so they
/// are saved with the decision or not at all.
/// </summary>
public sealed class ListingEmails(
    MarketplaceDbContext db,
    IStringLocalizer<SharedResource> text,
    IOptions<MarketplaceOptions> site,
    IOptions<EmailOptions> email,
    TimeProvider time)
{
    public Task EnqueueAsync(ListingRevision revision, AuditAction action, CancellationToken cancellationToken) =>
        EnqueueAsync(revision.OrganizationId, revision.Content.Name, $"Email.Listing.{action}", revision.DecisionReason, cancellationToken);

    public Task EnqueueArchivedAsync(int organizationId, string listing, string? reason, CancellationToken cancellationToken) =>
        EnqueueAsync(organizationId, listing, "Email.Listing.Archived", reason, cancellationToken);

    public Task EnqueueReminderAsync(int organizationId, string listing, CancellationToken cancellationToken) =>
        EnqueueAsync(organizationId, listing, "Email.Listing.Reverify", null, cancellationToken);

    private async Task EnqueueAsync(int organizationId, string listing, string key, string? comment, CancellationToken cancellationToken)
    {
        var members = await db.Users.AsNoTracking()
            .Where(u => u.OrganizationId == organizationId && u.EmailConfirmed && u.Email != null)
            .Select(u => new { Email = u.Email!, u.DisplayName, u.Language })
            .ToListAsync(cancellationToken);
        foreach (var member in members)
        {
            using var _ = Cultures.UseLanguage(member.Language);
            var subject = text[key + ".Subject", listing];
            var lines = new List<string> { text["Email.Greeting", member.DisplayName], text[key + ".Body", listing] };
            if (comment is not null) lines.Add(text["Email.Listing.Comment", comment]);
            var link = EmailBodies.Link(site.Value.PublicBaseUrl, member.Language == "en" ? "en/account/listing" : "fr/compte/fiche");
            db.OutboxEmails.Add(EmailBodies.Compose(member.Email, subject, lines, text["Email.SeeListing"], link, text["Email.Footer"],
                member.Language, email.Value.MessageIdDomain, time.GetUtcNow()));
        }
    }
}
