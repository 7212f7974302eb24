namespace Marketplace.Web.Domain.Matching;

/// <summary>
/// « Demander une révision par une personne »: a nonprofit asks a curator to look at a request and its automatic
/// suggestions. It waits in the curators' queue until one answers; the first answer stands.
/// </summary>
public sealed class HumanReview
{
    public const int TextMaxLength = 2000;

    private HumanReview() { }

    public HumanReview(int requestId, string requestedByUserId, string? question, DateTimeOffset now)
    {
        RequestId = requestId;
        RequestedByUserId = Guard.Text(requestedByUserId, 450, nameof(requestedByUserId));
        Question = Guard.OptionalText(question, TextMaxLength, nameof(question));
        RequestedAt = now;
    }

    public int Id { get; private set; }
    public int RequestId { get; private set; }
    public string RequestedByUserId { get; private set; } = "";
    public string? Question { get; private set; }
    public DateTimeOffset RequestedAt { get; private set; }
    public string? Answer { get; private set; }
    public string? AnsweredByUserId { get; private set; }
    public DateTimeOffset? AnsweredAt { get; private set; }
    /// <summary>Concurrency token: when two curators answer at once, the second save fails and the first answer stands.</summary>
    public int Version { get; private set; }

    public bool Answered => AnsweredAt is not null;

    public void Respond(string curatorId, string answer, DateTimeOffset now)
    {
        if (Answered) throw new DomainException("This review was already answered.");
        Answer = Guard.Text(answer, TextMaxLength, nameof(answer));
        AnsweredByUserId = Guard.Text(curatorId, 450, nameof(curatorId));
        AnsweredAt = now;
        Version++;
    }
}
