using Marketplace.Web.Domain;
using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Conversations;
using Marketplace.Web.Domain.Matching;
using Marketplace.Web.Features.Needs;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Localization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;

namespace Marketplace.Web.Features.Conversations;

/// <summary>
/// Threads between a nonprofit and a provider listing: the nonprofit writes from a provider's page or from a request's
/// suggestions, the provider answers in the site, each side is emailed (in its language) and sees its threads with
/// unread counts. The nonprofit's identity stays hidden until it shares it, after a confirmation that says exactly
/// what is shared. A thread is found through the signed-in user's organization: another one's id is a 404.
/// </summary>
[Authorize(Roles = Roles.Nonprofit + "," + Roles.Provider)]
public sealed class ConversationsController(
    MarketplaceDbContext db,
    UserManager<MarketplaceUser> users,
    ConversationDelivery delivery,
    NeedEmails needEmails,
    TimeProvider time,
    IStringLocalizer<SharedResource> text,
    MessageLimits limits) : Controller
{
    public sealed record ListItem(int Id, string Counterpart, bool CounterpartKnown, DateTimeOffset LastMessageAt, int Messages, int Unread);

    public sealed record MessageView(ConversationSide Side, string Body, DateTimeOffset SentAt, DeliveryChannel Channel, string? DeliveredTo);

    public sealed record ThreadPage(int Id, ConversationSide Viewer, string ProviderName, string ProviderSlug, string? NonprofitName,
        NeedEmails.Disclosure? Disclosure, int? RequestId, IReadOnlyList<MessageView> Messages, ConversationDelivery.Reach? Reach,
        string? Draft, NeedEmails.Disclosure? WouldShare, bool Shared);

    public sealed record NewPage(ConversationDelivery.Reach Reach, IReadOnlyList<(int Id, string Title)> Requests, int? RequestId,
        string? Message, bool Share, NeedEmails.Disclosure WouldShare);

    private sealed record Viewer(MarketplaceUser User, Organization Organization, ConversationSide Side);

    // ---- Lists and threads ----

    [HttpGet("fr/compte/messages", Name = "conversations.fr")]
    [HttpGet("en/account/messages", Name = "conversations.en")]
    public async Task<IActionResult> Index(CancellationToken cancellationToken)
    {
        var viewer = await ViewerAsync();
        if (viewer is null) return NotFound();
        var mine = Mine(viewer);
        var rows = await mine.OrderByDescending(c => c.LastMessageAt).ThenByDescending(c => c.Id)
            .Select(c => new
            {
                c.Id, c.LastMessageAt, c.DetailsSharedAt,
                Provider = db.Providers.Where(p => p.Id == c.ProviderId).Select(p => p.Name).First(),
                Nonprofit = db.Organizations.Where(o => o.Id == c.NonprofitOrganizationId).Select(o => o.Name).First(),
                Messages = c.Messages.Count(),
                Unread = viewer.Side == ConversationSide.Nonprofit
                    ? c.Messages.Count(m => m.Side == ConversationSide.Provider && (c.NonprofitReadAt == null || m.SentAt > c.NonprofitReadAt))
                    : c.Messages.Count(m => m.Side == ConversationSide.Nonprofit && (c.ProviderReadAt == null || m.SentAt > c.ProviderReadAt)),
            })
            .Take(200).ToListAsync(cancellationToken);
        return View(rows.Select(r => viewer.Side == ConversationSide.Nonprofit
            ? new ListItem(r.Id, r.Provider, true, r.LastMessageAt, r.Messages, r.Unread)
            : new ListItem(r.Id, r.DetailsSharedAt is null ? text["Conversations.AnonymousNonprofit"] : r.Nonprofit, r.DetailsSharedAt is not null,
                r.LastMessageAt, r.Messages, r.Unread)).ToList());
    }

    [HttpGet("fr/compte/messages/{id:int}", Name = "conversation.fr")]
    [HttpGet("en/account/messages/{id:int}", Name = "conversation.en")]
    public async Task<IActionResult> Show(int id, CancellationToken cancellationToken)
    {
        var viewer = await ViewerAsync();
        if (viewer is null) return NotFound();
        var conversation = await Mine(viewer).Include(c => c.Messages).SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (conversation is null) return NotFound();
        conversation.MarkRead(viewer.Side, time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        return View(await ThreadPageAsync(conversation, viewer, null, cancellationToken));
    }

    [HttpPost("fr/compte/messages/{id:int}")]
    [HttpPost("en/account/messages/{id:int}")]
    public async Task<IActionResult> Reply(int id, string? message, CancellationToken cancellationToken)
    {
        var viewer = await ViewerAsync();
        if (viewer is null) return NotFound();
        var conversation = await Mine(viewer).Include(c => c.Messages).SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (conversation is null) return NotFound();
        var reach = await delivery.ReachAsync(conversation.ProviderId, cancellationToken);
        if (!viewer.User.EmailConfirmed)
        {
            Account.ConfirmedEmail.Refuse(this, text["Conversations.ConfirmEmailFirst"]);
            return View(nameof(Show), await ThreadPageAsync(conversation, viewer, message, cancellationToken));
        }
        var noChannel = viewer.Side == ConversationSide.Nonprofit && reach?.Channel is null;
        var problem = MessageProblem(message) ?? (noChannel ? text["Conversations.NoChannel"].Value : null);
        var limited = problem is null && viewer.Side == ConversationSide.Nonprofit
            && (problem = await limits.RefusalAsync(viewer.User.Id, conversation.NonprofitOrganizationId, conversation.ProviderId, cancellationToken)) is not null;
        if (problem is not null)
        {
            Response.StatusCode = limited ? StatusCodes.Status429TooManyRequests : noChannel ? StatusCodes.Status409Conflict : StatusCodes.Status400BadRequest;
            ViewData["Errors"] = new[] { problem };
            return View(nameof(Show), await ThreadPageAsync(conversation, viewer, message, cancellationToken));
        }
        var body = message!.Trim();
        if (viewer.Side == ConversationSide.Provider)
        {
            var providerName = await db.Providers.Where(p => p.Id == conversation.ProviderId).Select(p => p.Name).SingleAsync(cancellationToken);
            conversation.Write(ConversationSide.Provider, viewer.User.Id, body, DeliveryChannel.Members, null, time.GetUtcNow());
            await delivery.ToNonprofitAsync(conversation, providerName, body, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            TempData["Notice"] = text["Conversations.SentToNonprofit"].Value;
        }
        else
        {
            var (channel, to) = await delivery.NonprofitWritesAsync(conversation, reach!, viewer.User.Id, body, cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
            TempData["Notice"] = delivery.SentNotice(reach!, channel, to);
        }
        return RedirectToRoute(LocalizedLinks.RouteName("conversation"), new { id });
    }

    /// <summary>The nonprofit shares its details in a thread: without <paramref name="confirm"/>, a page that says what would be shared.</summary>
    [HttpPost("fr/compte/messages/{id:int}/partager", Name = "conversation-share.fr")]
    [HttpPost("en/account/messages/{id:int}/share", Name = "conversation-share.en")]
    public async Task<IActionResult> Share(int id, bool confirm, CancellationToken cancellationToken)
    {
        var viewer = await ViewerAsync();
        if (viewer is null || viewer.Side != ConversationSide.Nonprofit) return NotFound();
        var conversation = await Mine(viewer).Include(c => c.Messages).SingleOrDefaultAsync(c => c.Id == id, cancellationToken);
        if (conversation is null) return NotFound();
        if (conversation.DetailsShared) return RedirectToRoute(LocalizedLinks.RouteName("conversation"), new { id });
        var reach = await delivery.ReachAsync(conversation.ProviderId, cancellationToken);
        if (!viewer.User.EmailConfirmed)
        {
            Account.ConfirmedEmail.Refuse(this, text["Conversations.ConfirmEmailFirst"]);
            return View(nameof(Show), await ThreadPageAsync(conversation, viewer, null, cancellationToken));
        }
        if (reach?.Channel is null)
        {
            Response.StatusCode = StatusCodes.Status409Conflict;
            ViewData["Errors"] = new[] { text["Conversations.NoChannel"].Value };
            return View(nameof(Show), await ThreadPageAsync(conversation, viewer, null, cancellationToken));
        }
        if (!confirm) return View("Confirm", ShareConfirmation(conversation.Id, reach, await ThreadPageAsync(conversation, viewer, null, cancellationToken)));
        var now = time.GetUtcNow();
        conversation.ShareDetails(viewer.User.Id, now);
        if (conversation.RequestId is { } requestId
            && await db.MatchResponses.SingleOrDefaultAsync(r => r.RequestId == requestId && r.ProviderId == conversation.ProviderId, cancellationToken) is { Dismissed: false } response)
            response.ShareDetails(viewer.User.Id, now);
        var disclosure = await needEmails.DisclosureAsync(conversation.NonprofitOrganizationId, viewer.User.Id, cancellationToken);
        var (channel, to) = await delivery.ToProviderAsync(reach, conversation, null, disclosure, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        TempData["Notice"] = channel == DeliveryChannel.PublicEmail ? text["Conversations.SharedToPublicEmail", to!].Value : text["Conversations.Shared"].Value;
        return RedirectToRoute(LocalizedLinks.RouteName("conversation"), new { id });
    }

    // ---- A nonprofit writes from a provider's page ----

    [Authorize(Roles = Roles.Nonprofit)]
    [HttpGet("fr/fournisseurs/{slug}/ecrire", Name = "provider-write.fr")]
    [HttpGet("en/providers/{slug}/write", Name = "provider-write.en")]
    public async Task<IActionResult> New(string slug, int? requestId, CancellationToken cancellationToken)
    {
        var viewer = await ViewerAsync();
        if (viewer is null || viewer.Side != ConversationSide.Nonprofit) return NotFound();
        var page = await NewPageAsync(viewer, slug, requestId, null, false, cancellationToken);
        return page is null ? NotFound() : View(page);
    }

    [Authorize(Roles = Roles.Nonprofit)]
    [HttpPost("fr/fournisseurs/{slug}/ecrire")]
    [HttpPost("en/providers/{slug}/write")]
    public async Task<IActionResult> Create(string slug, int? requestId, string? message, bool share, CancellationToken cancellationToken)
    {
        var viewer = await ViewerAsync();
        if (viewer is null || viewer.Side != ConversationSide.Nonprofit) return NotFound();
        var page = await NewPageAsync(viewer, slug, requestId, message, share, cancellationToken);
        if (page is null) return NotFound();
        if (requestId is not null && page.RequestId is null) return NotFound(); // not one of this organization's requests
        if (!viewer.User.EmailConfirmed)
        {
            Account.ConfirmedEmail.Refuse(this, text["Conversations.ConfirmEmailFirst"]);
            return View(nameof(New), page);
        }
        var problem = MessageProblem(message) ?? (page.Reach.Channel is null ? text["Conversations.NoChannel"].Value : null);
        var limited = problem is null
            && (problem = await limits.RefusalAsync(viewer.User.Id, viewer.Organization.Id, page.Reach.ProviderId, cancellationToken)) is not null;
        if (problem is not null)
        {
            Response.StatusCode = limited ? StatusCodes.Status429TooManyRequests
                : page.Reach.Channel is not null ? StatusCodes.Status400BadRequest : StatusCodes.Status409Conflict;
            ViewData["Errors"] = new[] { problem };
            return View(nameof(New), page);
        }
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var conversation = await delivery.StartAsync(viewer.Organization.Id, page.Reach.ProviderId, requestId, cancellationToken);
        var (channel, to) = await WriteAsync(conversation, page.Reach, viewer.User, message!.Trim(), share, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        TempData["Notice"] = delivery.SentNotice(page.Reach, channel, to);
        return RedirectToRoute(LocalizedLinks.RouteName("conversation"), new { id = conversation.Id });
    }

    /// <summary>The nonprofit's message, and its details when it chose to share them, delivered and saved together.</summary>
    private async Task<(DeliveryChannel, string?)> WriteAsync(Conversation conversation, ConversationDelivery.Reach reach, MarketplaceUser user,
        string body, bool share, CancellationToken cancellationToken)
    {
        if (share) conversation.ShareDetails(user.Id, time.GetUtcNow());
        var sent = await delivery.NonprofitWritesAsync(conversation, reach, user.Id, body, cancellationToken);
        await db.SaveChangesAsync(cancellationToken);
        return sent;
    }

    // ---- Helpers ----

    /// <summary>The shared confirmation page (ADR 0016): exactly what is shared, where it goes, and that it cannot be taken back.</summary>
    private Shared.Confirmation ShareConfirmation(int id, ConversationDelivery.Reach reach, ThreadPage page)
    {
        var would = page.WouldShare!;
        var where = reach.Channel == DeliveryChannel.PublicEmail
            ? text["Needs.ShareConfirm.ToPublicEmail", reach.PublicEmail!, reach.Name]
            : text.Plural("Needs.ShareConfirm.ToMembers", reach.Members, reach.Members, reach.Name);
        return new Shared.Confirmation(text["Conversations.ConfirmShareTitle", page.ProviderName], [where, text["Conversations.ConfirmShareFinal"]],
            Url.RouteUrl(LocalizedLinks.RouteName("conversation-share"), new { id })!, new Dictionary<string, string>(),
            text["Conversations.ConfirmShare"], Url.RouteUrl(LocalizedLinks.RouteName("conversation"), new { id })!)
        {
            Disclosed =
            [
                (text["Needs.ShareConfirm.Organization"].Value, would.Organization),
                (text["Needs.ShareConfirm.Person"].Value, would.Person),
                (text["Needs.ShareConfirm.Email"].Value, would.Email),
            ],
            DisclosedHeading = text["Conversations.ConfirmShareIntro", page.ProviderName],
        };
    }

    private string? MessageProblem(string? message)
    {
        if (string.IsNullOrWhiteSpace(message)) return text["Conversations.MessageRequired"];
        if (message.Trim().Length > ConversationMessage.BodyMaxLength) return text["Conversations.MessageTooLong", ConversationMessage.BodyMaxLength];
        return null;
    }

    private async Task<Viewer?> ViewerAsync()
    {
        var user = await users.GetUserAsync(User);
        if (user?.OrganizationId is not { } organizationId) return null;
        var organization = await db.Organizations.AsNoTracking().SingleOrDefaultAsync(o => o.Id == organizationId);
        return organization switch
        {
            { Kind: OrganizationKind.Nonprofit } => new Viewer(user, organization, ConversationSide.Nonprofit),
            // A provider organization that manages no listing yet sees an empty list, not a dead end.
            { Kind: OrganizationKind.Provider } => new Viewer(user, organization, ConversationSide.Provider),
            _ => null,
        };
    }

    private IQueryable<Conversation> Mine(Viewer viewer) => viewer.Side == ConversationSide.Nonprofit
        ? db.Conversations.Where(c => c.NonprofitOrganizationId == viewer.Organization.Id)
        : viewer.Organization.ProviderId is { } providerId
            ? db.Conversations.Where(c => c.ProviderId == providerId)
            : db.Conversations.Where(c => false);

    private async Task<ThreadPage> ThreadPageAsync(Conversation conversation, Viewer viewer, string? draft, CancellationToken cancellationToken)
    {
        var provider = await db.Providers.AsNoTracking().Where(p => p.Id == conversation.ProviderId).Select(p => new { p.Name, p.Slug })
            .SingleAsync(cancellationToken);
        var nonprofit = await db.Organizations.AsNoTracking().Where(o => o.Id == conversation.NonprofitOrganizationId).Select(o => o.Name)
            .SingleAsync(cancellationToken);
        var disclosure = conversation.DetailsShared
            ? await needEmails.DisclosureAsync(conversation.NonprofitOrganizationId, conversation.SharedByUserId!, cancellationToken)
            : null;
        var showNonprofit = viewer.Side == ConversationSide.Nonprofit || conversation.DetailsShared;
        var messages = conversation.Messages.OrderBy(m => m.SentAt).ThenBy(m => m.Id)
            .Select(m => new MessageView(m.Side, m.Body, m.SentAt, m.Channel, viewer.Side == ConversationSide.Nonprofit ? m.DeliveredTo : null)).ToList();
        return new ThreadPage(conversation.Id, viewer.Side, provider.Name, provider.Slug, showNonprofit ? nonprofit : null,
            viewer.Side == ConversationSide.Provider ? disclosure : null,
            conversation.RequestId, messages,
            viewer.Side == ConversationSide.Nonprofit ? await delivery.ReachAsync(conversation.ProviderId, cancellationToken) : null,
            draft,
            viewer.Side == ConversationSide.Nonprofit ? new NeedEmails.Disclosure(viewer.Organization.Name, viewer.User.DisplayName, viewer.User.Email ?? "") : null,
            conversation.DetailsShared);
    }

    private async Task<NewPage?> NewPageAsync(Viewer viewer, string slug, int? requestId, string? message, bool share, CancellationToken cancellationToken)
    {
        var reach = await delivery.ReachAsync(slug, cancellationToken);
        if (reach is null) return null;
        var requests = await db.NeedRequests.AsNoTracking()
            .Where(r => r.OrganizationId == viewer.Organization.Id && r.Status != RequestStatus.Closed)
            .OrderByDescending(r => r.UpdatedAt).Select(r => new { r.Id, r.Title }).Take(50).ToListAsync(cancellationToken);
        var list = requests.Select(r => (r.Id, r.Title)).ToList();
        var chosen = requestId is { } wanted && list.Any(r => r.Id == wanted) ? requestId : null;
        return new NewPage(reach, list, chosen, message, share,
            new NeedEmails.Disclosure(viewer.Organization.Name, viewer.User.DisplayName, viewer.User.Email ?? ""));
    }
}
