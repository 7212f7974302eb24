namespace Marketplace.Web.Domain.Conversations;

/// <summary>Which side of a conversation wrote a message.</summary>
public enum ConversationSide
{
    Nonprofit,
    Provider,
}

/// <summary>Where a message to a provider went: to the members of the organization that manages the listing, or, while
/// nobody manages it, to the listing's public email.</summary>
public enum DeliveryChannel
{
    /// <summary>Emailed to the members of the organization on the other side.</summary>
    Members,
    /// <summary>Emailed to the listing's public address (an unclaimed listing).</summary>
    PublicEmail,
}

/// <summary>
/// A thread between a nonprofit organization and a provider listing, started by the nonprofit, from one of its
/// requests or from the provider's page. The provider sees who the nonprofit is only once the nonprofit shares its
/// details (<see cref="DetailsSharedAt"/>). Each side keeps the time it last read the thread, for unread counts.
/// The provider side is the listing, not an account: messages received before a listing is claimed are there for the
/// organization that claims it.
/// </summary>
public sealed class Conversation
{
    private readonly List<ConversationMessage> _messages = [];

    private Conversation() { }

    public Conversation(int nonprofitOrganizationId, int providerId, int? requestId, DateTimeOffset now)
    {
        NonprofitOrganizationId = nonprofitOrganizationId;
        ProviderId = providerId;
        RequestId = requestId;
        StartedAt = LastMessageAt = now;
    }

    public int Id { get; private set; }
    public int NonprofitOrganizationId { get; private set; }
    public int ProviderId { get; private set; }
    /// <summary>The request the conversation started from; null when it started from the provider's page.</summary>
    public int? RequestId { get; private set; }
    public DateTimeOffset StartedAt { get; private set; }
    public DateTimeOffset LastMessageAt { get; private set; }
    public DateTimeOffset? NonprofitReadAt { get; private set; }
    public DateTimeOffset? ProviderReadAt { get; private set; }
    public DateTimeOffset? DetailsSharedAt { get; private set; }
    public string? SharedByUserId { get; private set; }
    public IReadOnlyList<ConversationMessage> Messages => _messages;

    public bool DetailsShared => DetailsSharedAt is not null;

    /// <summary>A new message from one side; the writer has read the thread up to it.</summary>
    public ConversationMessage Write(ConversationSide side, string authorUserId, string body, DeliveryChannel channel, string? deliveredTo,
        DateTimeOffset now)
    {
        if (side == ConversationSide.Provider && _messages.Count == 0)
            throw new DomainException("A provider answers a conversation; the nonprofit starts it.");
        var message = new ConversationMessage(side, authorUserId, body, channel, deliveredTo, now);
        _messages.Add(message);
        LastMessageAt = now;
        MarkRead(side, now);
        return message;
    }

    public void MarkRead(ConversationSide side, DateTimeOffset now)
    {
        if (side == ConversationSide.Nonprofit) NonprofitReadAt = now;
        else ProviderReadAt = now;
    }

    /// <summary>The nonprofit reveals who it is (its name, and the name and email of the person who chose to). Once.</summary>
    public bool ShareDetails(string userId, DateTimeOffset now)
    {
        if (DetailsShared) return false;
        SharedByUserId = Guard.Text(userId, 450, nameof(userId));
        DetailsSharedAt = now;
        return true;
    }
}

/// <summary>One message of a conversation, as written, with where it was delivered.</summary>
public sealed class ConversationMessage
{
    public const int BodyMaxLength = 4000;
    public const int DeliveredToMaxLength = 320;

    private ConversationMessage() { }

    internal ConversationMessage(ConversationSide side, string authorUserId, string body, DeliveryChannel channel, string? deliveredTo,
        DateTimeOffset sentAt)
    {
        Side = side;
        AuthorUserId = Guard.Text(authorUserId, 450, nameof(authorUserId));
        Body = Guard.Text(body, BodyMaxLength, nameof(body));
        Channel = channel;
        DeliveredTo = Guard.OptionalText(deliveredTo, DeliveredToMaxLength, nameof(deliveredTo));
        SentAt = sentAt;
    }

    public long Id { get; private set; }
    public int ConversationId { get; private set; }
    public ConversationSide Side { get; private set; }
    public string AuthorUserId { get; private set; } = "";
    public string Body { get; private set; } = "";
    public DeliveryChannel Channel { get; private set; }
    /// <summary>The public address the message was emailed to, when it went to one.</summary>
    public string? DeliveredTo { get; private set; }
    public DateTimeOffset SentAt { get; private set; }
}
