namespace Marketplace.Web.Domain.Listings;

/// <summary>Where a revision stands in review. Approved and Rejected are final.</summary>
public enum RevisionState
{
    Draft,
    Submitted,
    ChangesRequested,
    Approved,
    Rejected,
    Discarded,
}

/// <summary>
/// One version of a provider organization's listing, with its own review: the first one creates the listing, each later
/// one is an edit of the published listing, which stays visible unchanged until the edit is approved. Every state
/// change is a method that refuses an illegal transition; <see cref="Version"/> is a concurrency token, so when two
/// curators decide the same submission the first wins and the second gets a conflict.
/// </summary>
public sealed class ListingRevision
{
    public const int ReasonMaxLength = 2000;

    private ListingRevision() { }

    public ListingRevision(int organizationId, int? providerId, ListingContent content, string authorUserId, DateTimeOffset now)
    {
        OrganizationId = organizationId;
        ProviderId = providerId;
        Content = content;
        AuthorUserId = authorUserId;
        State = RevisionState.Draft;
        CreatedAt = UpdatedAt = now;
    }

    public int Id { get; private set; }
    /// <summary>
    /// The organization that wrote it; null once that organization was deleted (its last member left): an approved revision
    /// stays as the listing's history, without anyone's identity (ADR 0027).
    /// </summary>
    public int? OrganizationId { get; private set; }
    /// <summary>The published listing this revision edits; null for the first revision of a new listing until approved.</summary>
    public int? ProviderId { get; private set; }
    public ListingContent Content { get; private set; } = ListingContent.Empty("");
    public RevisionState State { get; private set; }
    public string AuthorUserId { get; private set; } = "";
    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public DateTimeOffset? SubmittedAt { get; private set; }
    public DateTimeOffset? DecidedAt { get; private set; }
    public string? DecidedByUserId { get; private set; }
    /// <summary>The curator's comment (changes requested) or reason (rejected).</summary>
    public string? DecisionReason { get; private set; }
    public int Version { get; private set; }

    /// <summary>The states of a revision still in progress; an organization has at most one such revision.</summary>
    public static readonly RevisionState[] OpenStates = [RevisionState.Draft, RevisionState.Submitted, RevisionState.ChangesRequested];

    public bool IsOpen => OpenStates.Contains(State);

    /// <summary>What stays of a revision once its author's account is deleted: the listing's history, nobody's identity.</summary>
    public static readonly RevisionState[] KeptAfterDeletion = [RevisionState.Approved];
    public bool IsEditable => State is RevisionState.Draft or RevisionState.ChangesRequested;

    /// <summary>The provider saves its draft (or its answer to requested changes). Drafts may be incomplete.</summary>
    public void Edit(ListingContent content, DateTimeOffset now)
    {
        Require(IsEditable, "Only a draft or a revision with requested changes can be edited.");
        Content = content;
        Touch(now);
    }

    /// <summary>The provider sends the revision to the curators; it must then meet every publishing rule.</summary>
    public void Submit(DateTimeOffset now)
    {
        Require(IsEditable, "Only a draft or a revision with requested changes can be submitted.");
        Content.EnsurePublishable();
        State = RevisionState.Submitted;
        SubmittedAt = now;
        DecidedAt = null;
        Touch(now);
    }

    public void Approve(string curatorUserId, DateTimeOffset now) =>
        Decide(RevisionState.Approved, curatorUserId, reason: null, now);

    public void RequestChanges(string curatorUserId, string comment, DateTimeOffset now) =>
        Decide(RevisionState.ChangesRequested, curatorUserId, Guard.Text(comment, ReasonMaxLength, nameof(comment)), now);

    public void Reject(string curatorUserId, string reason, DateTimeOffset now) =>
        Decide(RevisionState.Rejected, curatorUserId, Guard.Text(reason, ReasonMaxLength, nameof(reason)), now);

    /// <summary>The provider abandons a revision it has not had approved.</summary>
    public void Discard(DateTimeOffset now)
    {
        Require(IsOpen, "Only an open revision can be discarded.");
        State = RevisionState.Discarded;
        Touch(now);
    }

    /// <summary>The first approval of a new listing links the revision to the listing it created.</summary>
    public void AttachTo(int providerId)
    {
        Require(ProviderId is null || ProviderId == providerId, "The revision already belongs to another listing.");
        ProviderId = providerId;
    }

    private void Decide(RevisionState to, string curatorUserId, string? reason, DateTimeOffset now)
    {
        Require(State == RevisionState.Submitted, "Only a submitted revision can be decided.");
        State = to;
        DecidedAt = now;
        DecidedByUserId = Guard.Text(curatorUserId, 450, nameof(curatorUserId));
        DecisionReason = reason;
        Touch(now);
    }

    private void Touch(DateTimeOffset now)
    {
        UpdatedAt = now;
        Version++;
    }

    private void Require(bool condition, string message)
    {
        if (!condition) throw new DomainException($"{message} (state: {State})");
    }
}
