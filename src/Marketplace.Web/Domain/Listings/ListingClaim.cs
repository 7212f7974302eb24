using System.Security.Cryptography;
using System.Text;

namespace Marketplace.Web.Domain.Listings;

/// <summary>How a claim is proven.</summary>
public enum ClaimMethod
{
    /// <summary>A link sent to the listing's public email: whoever reads that mailbox speaks for the organization.</summary>
    PublicEmail,
    /// <summary>The verification team decides, with the evidence the claimant gave.</summary>
    Review,
}

public enum ClaimState
{
    Pending,
    Accepted,
    Rejected,
    Withdrawn,
}

/// <summary>
/// A provider organization asks to manage a listing nobody manages yet (a listing from public documents or an import).
/// Accepted by the confirmation link sent to the listing's public email, or by the verification team; then the
/// organization manages the listing (<see cref="Accounts.Organization.Manages"/>) and edits it through revisions.
/// The link's token is kept only as a hash.
/// </summary>
public sealed class ListingClaim
{
    public const int EvidenceMaxLength = 2000;
    public const int NoteMaxLength = 1000;
    public static readonly TimeSpan LinkLifetime = TimeSpan.FromDays(7);

    private ListingClaim() { }

    public ListingClaim(int providerId, int organizationId, string requestedByUserId, ClaimMethod method, string? evidence, DateTimeOffset now)
    {
        ProviderId = providerId;
        OrganizationId = organizationId;
        RequestedByUserId = Guard.Text(requestedByUserId, 450, nameof(requestedByUserId));
        Method = method;
        Evidence = method == ClaimMethod.Review
            ? Guard.Text(evidence, EvidenceMaxLength, nameof(evidence))
            : Guard.OptionalText(evidence, EvidenceMaxLength, nameof(evidence));
        State = ClaimState.Pending;
        RequestedAt = now;
    }

    public int Id { get; private set; }
    public int ProviderId { get; private set; }
    public int OrganizationId { get; private set; }
    public string RequestedByUserId { get; private set; } = "";
    public ClaimMethod Method { get; private set; }
    public string? Evidence { get; private set; }
    public ClaimState State { get; private set; }
    public DateTimeOffset RequestedAt { get; private set; }
    /// <summary>SHA-256 of the confirmation link's token (hex), for the public-email method.</summary>
    public string? TokenHash { get; private set; }
    public DateTimeOffset? TokenExpiresAt { get; private set; }
    /// <summary>The public address the link went to.</summary>
    public string? SentTo { get; private set; }
    public DateTimeOffset? DecidedAt { get; private set; }
    public string? DecidedByUserId { get; private set; }
    public string? DecisionNote { get; private set; }

    /// <summary>A fresh confirmation token for the public-email method; returns the token to put in the link (never stored).</summary>
    public string IssueLink(string sentTo, DateTimeOffset now)
    {
        if (Method != ClaimMethod.PublicEmail) throw new DomainException("Only a public-email claim has a confirmation link.");
        if (State != ClaimState.Pending) throw new DomainException("The claim is already decided.");
        var token = Convert.ToHexString(RandomNumberGenerator.GetBytes(32)).ToLowerInvariant();
        TokenHash = Hash(token);
        TokenExpiresAt = now + LinkLifetime;
        SentTo = Guard.Text(sentTo, 320, nameof(sentTo));
        return token;
    }

    /// <summary>True when <paramref name="token"/> is this claim's live link.</summary>
    public bool LinkMatches(string? token, DateTimeOffset now) =>
        State == ClaimState.Pending && TokenHash is not null && token is { Length: 64 } && TokenExpiresAt > now
        && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Hash(token)), Encoding.ASCII.GetBytes(TokenHash));

    /// <summary>The mailbox owner confirmed through the link.</summary>
    public void ConfirmByLink(string token, DateTimeOffset now)
    {
        if (!LinkMatches(token, now)) throw new DomainException("The confirmation link is not valid.");
        State = ClaimState.Accepted;
        DecidedAt = now;
        TokenHash = null;
    }

    public void Accept(string curatorUserId, string? note, DateTimeOffset now) => Decide(ClaimState.Accepted, curatorUserId, note, now);

    public void Reject(string curatorUserId, string note, DateTimeOffset now) =>
        Decide(ClaimState.Rejected, curatorUserId, Guard.Text(note, NoteMaxLength, nameof(note)), now);

    /// <summary>Another claim of the same listing was accepted: this one ends.</summary>
    public void Withdraw(DateTimeOffset now)
    {
        if (State != ClaimState.Pending) return;
        State = ClaimState.Withdrawn;
        DecidedAt = now;
        TokenHash = null;
    }

    private void Decide(ClaimState state, string curatorUserId, string? note, DateTimeOffset now)
    {
        if (State != ClaimState.Pending) throw new DomainException("The claim is already decided.");
        State = state;
        DecidedByUserId = Guard.Text(curatorUserId, 450, nameof(curatorUserId));
        DecisionNote = Guard.OptionalText(note, NoteMaxLength, nameof(note));
        DecidedAt = now;
        TokenHash = null;
    }

    private static string Hash(string token) => Convert.ToHexString(SHA256.HashData(Encoding.ASCII.GetBytes(token))).ToLowerInvariant();
}
