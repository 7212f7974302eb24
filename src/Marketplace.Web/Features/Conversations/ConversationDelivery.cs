using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Conversations;
using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Features.Needs;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Email;
using Marketplace.Web.Infrastructure.Localization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Marketplace.Web.Features.Conversations;

/// <summary>
/// Where a message to a provider goes, decided before anyone writes it (the page says so), and the emails of a
/// conversation, queued in the outbox with the message. A listing managed by an organization with confirmed members
/// reaches those members; a listing nobody manages reaches its public email, with a footer saying who wrote, why the
/// address got it, and how to claim the listing; a listing with neither cannot be written to, and the page says so.
/// </summary>
public sealed class ConversationDelivery(
    MarketplaceDbContext db,
    MemberEmails members,
    PublicAddressEmails publicAddress,
    NeedEmails needEmails,
    TimeProvider time,
    IStringLocalizer<SharedResource> text)
{
    /// <summary>How a published listing can be reached.</summary>
    public sealed record Reach(int ProviderId, string Slug, string Name, int? OrganizationId, int Members, string? PublicEmail,
        string? PublicPhone, string? ContactPageUrl, string? Website)
    {
        /// <summary>Where a message would go now; null when no address is known.</summary>
        public DeliveryChannel? Channel => Members > 0 ? DeliveryChannel.Members : PublicEmail is not null ? DeliveryChannel.PublicEmail : null;

        /// <summary>True when an organization manages the listing (it was claimed or created by its provider).</summary>
        public bool Managed => OrganizationId is not null;
    }

    /// <summary>The reach of a published listing, or null.</summary>
    public async Task<Reach?> ReachAsync(int providerId, CancellationToken cancellationToken) =>
        await ReachQuery(db.Providers.Where(p => p.Id == providerId)).SingleOrDefaultAsync(cancellationToken);

    public async Task<Reach?> ReachAsync(string slug, CancellationToken cancellationToken) =>
        await ReachQuery(db.Providers.Where(p => p.Slug == slug)).SingleOrDefaultAsync(cancellationToken);

    private IQueryable<Reach> ReachQuery(IQueryable<Provider> providers) =>
        from p in providers.AsNoTracking()
        where p.Status == ListingStatus.Published
        let organizationId = db.Organizations.Where(o => o.ProviderId == p.Id).Select(o => (int?)o.Id).FirstOrDefault()
        select new Reach(p.Id, p.Slug, p.Name, organizationId,
            db.Users.Count(u => u.OrganizationId != null && u.OrganizationId == organizationId && u.EmailConfirmed && u.Email != null),
            p.PublicEmail, p.PublicPhone, p.ContactPageUrl, p.Website);

    /// <summary>
    /// The thread of this organization with this listing for this request (or without one), created and saved first
    /// when there is none, so that the emails can link to it.
    /// </summary>
    public async Task<Conversation> StartAsync(int organizationId, int providerId, int? requestId, CancellationToken cancellationToken)
    {
        var conversation = await db.Conversations.Include(c => c.Messages)
            .Where(c => c.NonprofitOrganizationId == organizationId && c.ProviderId == providerId && c.RequestId == requestId)
            .OrderBy(c => c.Id).FirstOrDefaultAsync(cancellationToken);
        if (conversation is not null) return conversation;
        conversation = new Conversation(organizationId, providerId, requestId, time.GetUtcNow());
        db.Conversations.Add(conversation);
        await db.SaveChangesAsync(cancellationToken);
        return conversation;
    }

    /// <summary>
    /// A nonprofit's message: delivered where <paramref name="reach"/> says, with its details if it shared them in this
    /// thread, and written to the thread with where it went. The caller saves.
    /// </summary>
    public async Task<(DeliveryChannel Channel, string? To)> NonprofitWritesAsync(Conversation conversation, Reach reach, string userId,
        string body, CancellationToken cancellationToken)
    {
        var disclosure = conversation.DetailsShared
            ? await needEmails.DisclosureAsync(conversation.NonprofitOrganizationId, conversation.SharedByUserId!, cancellationToken)
            : null;
        var (channel, to) = await ToProviderAsync(reach, conversation, body, disclosure, cancellationToken);
        conversation.Write(ConversationSide.Nonprofit, userId, body, channel, to, time.GetUtcNow());
        return (channel, to);
    }

    /// <summary>What the page says once a message went: the public address, or how many people manage the listing.</summary>
    public string SentNotice(Reach reach, DeliveryChannel channel, string? to) =>
        channel == DeliveryChannel.PublicEmail
            ? text["Conversations.SentToPublicEmail", to!, reach.Name]
            : text.Plural("Conversations.SentToMembers", reach.Members, reach.Members, reach.Name);

    /// <summary>
    /// Emails a nonprofit's message (or its shared details alone, when <paramref name="body"/> is null) to the provider
    /// side, and returns where it went. Throws when the listing has no channel: callers check <see cref="Reach.Channel"/> first.
    /// </summary>
    public async Task<(DeliveryChannel Channel, string? To)> ToProviderAsync(Reach reach, Conversation conversation, string? body,
        NeedEmails.Disclosure? disclosure, CancellationToken cancellationToken)
    {
        switch (reach.Channel)
        {
            case DeliveryChannel.Members:
                await members.EnqueueAsync(reach.OrganizationId!.Value, _ => new MemberEmails.Letter(
                    body is null ? text["Email.Conversation.Disclosed.Subject"] : text["Email.Conversation.ToProvider.Subject"],
                    ProviderLines(body, disclosure),
                    text["Email.Conversation.SeeThread"], ThreadPath("fr", conversation), ThreadPath("en", conversation)), cancellationToken);
                return (DeliveryChannel.Members, null);
            case DeliveryChannel.PublicEmail:
                db.OutboxEmails.Add(PublicEmailLetter(reach, body, disclosure));
                return (DeliveryChannel.PublicEmail, reach.PublicEmail);
            default:
                throw new InvalidOperationException("The listing has no contact channel; the page must say so before anyone writes.");
        }
    }

    /// <summary>A provider's answer, to every confirmed member of the nonprofit, each in their language.</summary>
    public Task ToNonprofitAsync(Conversation conversation, string providerName, string body, CancellationToken cancellationToken) =>
        members.EnqueueAsync(conversation.NonprofitOrganizationId, _ => new MemberEmails.Letter(
            text["Email.Conversation.ToNonprofit.Subject", providerName],
            [text["Email.Conversation.ToNonprofit.Body", providerName], body],
            text["Email.Conversation.SeeThread"], ThreadPath("fr", conversation), ThreadPath("en", conversation)), cancellationToken);

    private List<string> ProviderLines(string? body, NeedEmails.Disclosure? disclosure)
    {
        var lines = new List<string>();
        if (body is not null) lines.AddRange([text["Email.Conversation.ToProvider.Body"], body]);
        lines.Add(disclosure is null
            ? text["Email.Conversation.Anonymous"]
            : text["Email.Conversation.Disclosed", disclosure.Organization, disclosure.Person, disclosure.Email]);
        return lines;
    }

    /// <summary>
    /// To a listing's public address: French first, then English (nobody chose a language for that mailbox), with the
    /// claim link and why the address got it.
    /// </summary>
    private OutboxEmail PublicEmailLetter(Reach reach, string? body, NeedEmails.Disclosure? disclosure) =>
        publicAddress.Compose(reach.PublicEmail!, $"fr/fournisseurs/{reach.Slug}/reclamer", null, () => new PublicAddressEmails.Part(
            text[body is null ? "Email.Conversation.Disclosed.Subject" : "Email.Conversation.ToProvider.Subject"],
            text["Email.PublicContact.ClaimLink"],
            [text["Email.PublicContact.Why", reach.Name], .. ProviderLines(body, disclosure), text["Email.PublicContact.HowToAnswer"]]));

    private static string ThreadPath(string language, Conversation conversation) =>
        language == "en" ? $"en/account/messages/{conversation.Id}" : $"fr/compte/messages/{conversation.Id}";
}
