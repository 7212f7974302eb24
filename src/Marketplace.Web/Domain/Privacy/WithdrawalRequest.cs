namespace Marketplace.Web.Domain.Privacy;

public enum WithdrawalDecision
{
    Pending,
    /// <summary>The listing was archived: it answers 410 and leaves search.</summary>
    Withdrawn,
    Refused,
}

/// <summary>
/// « Demander le retrait de cette fiche » (Act, s. 28.1): anybody, signed in or not, asks the verification team to take
/// a public listing down (it names them, or it is theirs, or it is wrong). The team withdraws the listing or refuses
/// with a reason; the requester is told by email either way. The first decision stands.
/// </summary>
public sealed class WithdrawalRequest
{
    public const int NameMaxLength = 200;
    public const int EmailMaxLength = 320;
    public const int TextMaxLength = 2000;

    private WithdrawalRequest() { }

    public WithdrawalRequest(int providerId, string? requesterName, string requesterEmail, string reason, string language, DateTimeOffset now)
    {
        ProviderId = providerId;
        RequesterName = Guard.OptionalText(requesterName, NameMaxLength, nameof(requesterName));
        RequesterEmail = Guard.Text(requesterEmail, EmailMaxLength, nameof(requesterEmail));
        Reason = Guard.Text(reason, TextMaxLength, nameof(reason));
        Language = language == "en" ? "en" : "fr";
        RequestedAt = now;
    }

    public int Id { get; private set; }
    public int ProviderId { get; private set; }
    public string? RequesterName { get; private set; }
    public string RequesterEmail { get; private set; } = "";
    public string Reason { get; private set; } = "";
    /// <summary>The language of the page the request came from: the answer is written in it.</summary>
    public string Language { get; private set; } = "fr";
    public DateTimeOffset RequestedAt { get; private set; }
    public WithdrawalDecision Decision { get; private set; }
    public string? DecisionReason { get; private set; }
    public string? DecidedByUserId { get; private set; }
    public DateTimeOffset? DecidedAt { get; private set; }
    /// <summary>Concurrency token: when two people of the team decide at once, the second save fails and the first decision stands.</summary>
    public int Version { get; private set; }

    public bool Decided => Decision != WithdrawalDecision.Pending;

    public void Withdraw(string curatorId, string? note, DateTimeOffset now) => Decide(WithdrawalDecision.Withdrawn, curatorId, note, now);

    public void Refuse(string curatorId, string reason, DateTimeOffset now) =>
        Decide(WithdrawalDecision.Refused, curatorId, Guard.Text(reason, TextMaxLength, nameof(reason)), now);

    private void Decide(WithdrawalDecision decision, string curatorId, string? reason, DateTimeOffset now)
    {
        if (Decided) throw new DomainException("This withdrawal request was already decided.");
        Decision = decision;
        DecisionReason = Guard.OptionalText(reason, TextMaxLength, nameof(reason));
        DecidedByUserId = Guard.Text(curatorId, 450, nameof(curatorId));
        DecidedAt = now;
        Version++;
    }
}
