namespace Marketplace.Web.Domain.Matching;

/// <summary>
/// « Demander une révision », the providers' side of s. 12.1: a provider asks the verification team to look at how a
/// request was (or was not) suggested to it. It mirrors <see cref="HumanReview"/> in its own table, so that a
/// provider's question never shows on the nonprofit's request page. The first answer stands; the provider's members
/// are told by email.
/// </summary>
public sealed class ProviderReview
{
    public const int TextMaxLength = HumanReview.TextMaxLength;

    private ProviderReview() { }

    public ProviderReview(int providerId, int? requestId, string requestedByUserId, string question, DateTimeOffset now)
    {
        ProviderId = providerId;
        RequestId = requestId;
        RequestedByUserId = Guard.Text(requestedByUserId, 450, nameof(requestedByUserId));
        Question = Guard.Text(question, TextMaxLength, nameof(question));
        RequestedAt = now;
    }

    public int Id { get; private set; }
    public int ProviderId { get; private set; }
    /// <summary>The request the question is about; null for a question about the list as a whole.</summary>
    public int? RequestId { get; private set; }
    public string RequestedByUserId { get; private set; } = "";
    public string Question { get; private set; } = "";
    public DateTimeOffset RequestedAt { get; private set; }
    public string? Answer { get; private set; }
    public string? AnsweredByUserId { get; private set; }
    public DateTimeOffset? AnsweredAt { get; private set; }
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
