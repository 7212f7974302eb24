using Marketplace.Web.Domain.Conversations;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Localization;
using Microsoft.Extensions.Options;

namespace Marketplace.Web.Features.Conversations;

/// <summary>Settings under <c>Messages:</c>: how many messages a nonprofit may send to providers (issue 12).</summary>
public sealed class MessageLimitOptions
{
    public const string Section = "Messages";

    /// <summary>Messages one account may send to providers in any hour (0: no limit).</summary>
    public int PerAccountPerHour { get; set; } = 20;

    /// <summary>Messages one organization may send to one listing in any 24 hours (0: no limit).</summary>
    public int PerProviderPerDay { get; set; } = 10;
}

/// <summary>
/// Every message of a nonprofit to a provider becomes an email to an organization that did not ask for it (often a
/// public address, ADR 0018), so a person can send only so many: per account and hour, and per organization and listing
/// and day. Counted from the messages themselves (<c>conversation_messages</c>), so no new column and nothing to reset.
/// A refused message is kept in the form, with a 429 and a sentence that says which limit and when to try again.
/// </summary>
public sealed class MessageLimits(MarketplaceDbContext db, IOptions<MessageLimitOptions> options, TimeProvider time,
    IStringLocalizer<SharedResource> text)
{
    /// <summary>Why this message may not leave now, or null when it may.</summary>
    public async Task<string?> RefusalAsync(string userId, int organizationId, int providerId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var limits = options.Value;
        var sent = db.Conversations.AsNoTracking().SelectMany(c => c.Messages, (c, m) => new { c.NonprofitOrganizationId, c.ProviderId, m.Side, m.AuthorUserId, m.SentAt })
            .Where(m => m.Side == ConversationSide.Nonprofit);
        if (limits.PerAccountPerHour > 0)
        {
            var since = now.AddHours(-1);
            if (await sent.CountAsync(m => m.AuthorUserId == userId && m.SentAt > since, cancellationToken) >= limits.PerAccountPerHour)
                return text["Conversations.Limit.Account"];
        }
        if (limits.PerProviderPerDay > 0)
        {
            var since = now.AddDays(-1);
            if (await sent.CountAsync(m => m.NonprofitOrganizationId == organizationId && m.ProviderId == providerId && m.SentAt > since,
                    cancellationToken) >= limits.PerProviderPerDay)
                return text["Conversations.Limit.Provider"];
        }
        return null;
    }
}
