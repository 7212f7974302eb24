namespace Marketplace.Web.Domain.Matching;

/// <summary>Why a nonprofit set a suggested provider aside; it feeds the matcher's dismissal factor.</summary>
public enum DismissalReason
{
    Price,
    Region,
    Services,
    AlreadyTried,
    Other,
}

/// <summary>
/// What the nonprofit and a matched provider did about one match: a dismissal (with its reason), a message sent through
/// the site, the provider saying it is interested, and whether the nonprofit chose to reveal who it is. Kept apart from
/// the stored match so that a recompute never loses it. The provider sees the nonprofit's identity only once
/// <see cref="DetailsSharedAt"/> is set, by the nonprofit's own choice.
/// </summary>
public sealed class MatchResponse
{
    public const int MessageMaxLength = 2000;

    private MatchResponse() { }

    public MatchResponse(int requestId, int providerId)
    {
        RequestId = requestId;
        ProviderId = providerId;
    }

    public long Id { get; private set; }
    public int RequestId { get; private set; }
    public int ProviderId { get; private set; }
    public DateTimeOffset? DismissedAt { get; private set; }
    public DismissalReason? DismissalReason { get; private set; }
    public DateTimeOffset? ContactedAt { get; private set; }
    public string? Message { get; private set; }
    public DateTimeOffset? DetailsSharedAt { get; private set; }
    public string? SharedByUserId { get; private set; }
    public DateTimeOffset? InterestedAt { get; private set; }

    public bool Dismissed => DismissedAt is not null;
    public bool DetailsShared => DetailsSharedAt is not null;

    public void Dismiss(DismissalReason reason, DateTimeOffset now)
    {
        if (!Enum.IsDefined(reason)) throw new DomainException($"'{reason}' is not a dismissal reason.");
        DismissalReason = reason;
        DismissedAt = now;
    }

    /// <summary>Puts a dismissed provider back among the suggestions.</summary>
    public void Restore()
    {
        if (!Dismissed) throw new DomainException("Only a dismissed match can be restored.");
        DismissedAt = null;
        DismissalReason = null;
    }

    /// <summary>A message to the provider; the nonprofit's details go with it only when <paramref name="shareDetails"/>.</summary>
    public void Contact(string message, bool shareDetails, string userId, DateTimeOffset now)
    {
        if (Dismissed) throw new DomainException("A dismissed provider cannot be contacted; restore it first.");
        Message = Guard.Text(message, MessageMaxLength, nameof(message));
        ContactedAt = now;
        if (shareDetails) ShareDetails(userId, now);
    }

    /// <summary>The nonprofit reveals itself (its name, and the name and email of the person who chose to).</summary>
    public void ShareDetails(string userId, DateTimeOffset now)
    {
        if (Dismissed) throw new DomainException("A dismissed provider cannot see the organization's details.");
        if (DetailsShared) return;
        SharedByUserId = Guard.Text(userId, 450, nameof(userId));
        DetailsSharedAt = now;
    }

    /// <summary>The provider says it is interested; saying it twice changes nothing. False when it had already said so.</summary>
    public bool Interested(DateTimeOffset now)
    {
        if (InterestedAt is not null) return false;
        InterestedAt = now;
        return true;
    }
}
