using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace Marketplace.Web.Infrastructure.Email;

/// <summary>
/// An email to every confirmed member of an organization, each in the member's language (French by default), added
/// to the outbox of the current unit of work: it is saved with the change that causes it, or not at all.
/// </summary>
public sealed class MemberEmails(
    MarketplaceDbContext db,
    IStringLocalizer<SharedResource> text,
    IOptions<MarketplaceOptions> site,
    IOptions<EmailOptions> email,
    TimeProvider time)
{
    /// <summary>What one member gets: subject, paragraphs, and one link to a page of the site (French and English paths).</summary>
    public sealed record Letter(string Subject, IReadOnlyList<string> Paragraphs, string LinkLabel, string PathFr, string PathEn);

    /// <summary>
    /// <paramref name="write"/> runs once per member with the member's culture current, so <c>text[...]</c> inside it
    /// is in the member's language. Returns how many emails were queued.
    /// </summary>
    public async Task<int> EnqueueAsync(int organizationId, Func<string, Letter> write, CancellationToken cancellationToken)
    {
        var members = await db.Users.AsNoTracking()
            .Where(u => u.OrganizationId == organizationId && u.EmailConfirmed && u.Email != null)
            .Select(u => new { Email = u.Email!, u.DisplayName, u.Language })
            .ToListAsync(cancellationToken);
        foreach (var member in members)
        {
            using var _ = Cultures.UseLanguage(member.Language);
            var letter = write(member.DisplayName);
            var paragraphs = new List<string> { text["Email.Greeting", member.DisplayName] };
            paragraphs.AddRange(letter.Paragraphs);
            var link = EmailBodies.Link(site.Value.PublicBaseUrl, member.Language == "en" ? letter.PathEn : letter.PathFr);
            db.OutboxEmails.Add(EmailBodies.Compose(member.Email, letter.Subject, paragraphs, letter.LinkLabel, link, text["Email.Footer"],
                member.Language, email.Value.MessageIdDomain, time.GetUtcNow(), EmailKinds.Member));
        }
        return members.Count;
    }
}
