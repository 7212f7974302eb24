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
    public async Task EnqueueAsync(ListingRevision revision, AuditAction action, CancellationToken cancellationToken)
    {
        var members = await db.Users.AsNoTracking()
            .Where(u => u.OrganizationId == revision.OrganizationId && u.EmailConfirmed && u.Email != null)
            .Select(u => new { Email = u.Email!, u.DisplayName, u.Language })
            .ToListAsync(cancellationToken);
        foreach (var member in members)
        {
            using var _ = Cultures.UseLanguage(member.Language);
            var key = $"Email.Listing.{action}";
            var listing = revision.Content.Name;
            var subject = text[key + ".Subject", listing];
            var lines = new List<string> { text["Email.Greeting", member.DisplayName], text[key + ".Body", listing] };
            if (revision.DecisionReason is { } reason) lines.Add(text["Email.Listing.Comment", reason]);
            var link = $"{site.Value.PublicBaseUrl.TrimEnd('/')}/{member.Language}/{(member.Language == "en" ? "account/listing" : "compte/fiche")}";
            db.OutboxEmails.Add(new OutboxEmail(member.Email, subject,
                EmailBodies.Text(lines, text["Email.SeeListing"], link, text["Email.Footer"]),
                EmailBodies.Html(lines, text["Email.SeeListing"], link, text["Email.Footer"]),
                member.Language, $"<{Guid.NewGuid():N}@{email.Value.MessageIdDomain}>", time.GetUtcNow()));
        }
    }
}
