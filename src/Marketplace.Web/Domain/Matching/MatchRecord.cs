namespace Marketplace.Web.Domain.Matching;

/// <summary>
/// A stored match of a request and a provider, with the date it was first matched and the date it last changed, so
/// that "new since" can be asked (digests). Re-running the matcher on unchanged data changes nothing.
/// </summary>
public sealed class MatchRecord
{
    private MatchRecord() { }

    public MatchRecord(int requestId, Match match, DateTimeOffset now)
    {
        RequestId = requestId;
        ProviderId = match.ProviderId;
        FirstMatchedAt = LastChangedAt = now;
        Apply(match);
    }

    public long Id { get; private set; }
    public int RequestId { get; private set; }
    public int ProviderId { get; private set; }
    public double Score { get; private set; }
    public List<string> MatchedCategories { get; private set; } = [];
    public List<FactorContribution> Factors { get; private set; } = [];
    public DateTimeOffset FirstMatchedAt { get; private set; }
    public DateTimeOffset LastChangedAt { get; private set; }

    /// <summary>Updates the stored match; returns false (and moves no date) when nothing changed.</summary>
    public bool Update(Match match, DateTimeOffset now)
    {
        if (Math.Abs(Score - match.Score) < 1e-9 && MatchedCategories.SequenceEqual(match.MatchedCategories)
            && Factors.SequenceEqual(match.Factors)) return false;
        Apply(match);
        LastChangedAt = now;
        return true;
    }

    private void Apply(Match match)
    {
        Score = match.Score;
        MatchedCategories = match.MatchedCategories.ToList();
        Factors = match.Factors.ToList();
    }
}
