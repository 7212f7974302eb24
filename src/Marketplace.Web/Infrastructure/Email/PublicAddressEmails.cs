using Marketplace.Web.Infrastructure.Web;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace Marketplace.Web.Infrastructure.Email;

/// <summary>
/// An email to a listing's public address (a message while nobody manages the listing, a claim's confirmation link):
/// nobody chose a language for that mailbox, so it is written in French, then in English, with the footer that says why
/// the address got it and how to have it corrected or removed (ADR 0018).
/// </summary>
public sealed class PublicAddressEmails(
    IStringLocalizer<SharedResource> text,
    IOptions<MarketplaceOptions> site,
    IOptions<EmailOptions> email,
    TimeProvider time,
    OutboxSecrets secrets)
{
    /// <summary>What one language says: the subject, the link's label and the paragraphs.</summary>
    public sealed record Part(string Subject, string LinkLabel, IReadOnlyList<string> Paragraphs);

    /// <summary>
    /// <paramref name="write"/> runs once with French current and once with English current; <paramref name="path"/> is
    /// the site's page the link opens. <paramref name="secretQuery"/>: the query carries a live token, sealed at rest.
    /// </summary>
    public OutboxEmail Compose(string to, string path, IDictionary<string, string?>? query, Func<Part> write, bool secretQuery = false)
    {
        var parts = new List<Part>();
        var footers = new List<string>();
        foreach (var language in new[] { "fr", "en" })
        {
            using var _ = Cultures.UseLanguage(language);
            parts.Add(write());
            footers.Add(text["Email.PublicContact.Footer", site.Value.PublicBaseUrl]);
        }
        var paragraphs = new List<string>(parts[0].Paragraphs);
        using (Cultures.UseLanguage("fr")) paragraphs.Add(text["Email.PublicContact.EnglishFollows"]); // « — English follows — »
        paragraphs.AddRange(parts[1].Paragraphs);
        var link = EmailBodies.Link(site.Value.PublicBaseUrl, path, query);
        var composed = EmailBodies.Compose(to, string.Join(" / ", parts.Select(p => p.Subject)), paragraphs,
            string.Join(" / ", parts.Select(p => p.LinkLabel)), link, string.Join("\n\n", footers), "fr", email.Value.MessageIdDomain,
            time.GetUtcNow(), EmailKinds.PublicAddress);
        return secretQuery ? secrets.Seal(composed, link) : composed;
    }
}
