using Marketplace.Web.Domain.Providers;

namespace Marketplace.Web.Domain.Matching;

/// <summary>One service offering of a candidate provider, as the matcher needs it.</summary>
public sealed record CandidateOffering(
    string CategoryKey,
    PricingModel Pricing,
    DeliveryMode Delivery,
    bool ServesAllQuebec,
    IReadOnlyCollection<string> Regions,
    IReadOnlyCollection<string> Languages,
    IReadOnlyCollection<string> FundingPrograms);

/// <summary>A published provider as a candidate, with the feedback of earlier dismissals (0 = none, 1 = always dismissed).</summary>
public sealed record Candidate(
    int ProviderId,
    string Name,
    bool Published,
    bool SocialEconomy,
    string? HeadOfficeRegion,
    DateTimeOffset? VerifiedAt,
    IReadOnlyList<CandidateOffering> Offerings,
    double DismissalRate = 0);

public enum MatchFactor
{
    ValueAlignment,
    PricingFit,
    FundingFit,
    LocalPresence,
    RecentlyVerified,
    DismissalFeedback,
}

/// <summary>Weights of the soft factors (configuration <c>Matching:Weights</c>, documented in docs/matching.md).</summary>
public sealed record MatchWeights(
    double ValueAlignment = 3,
    double PricingFit = 2,
    double FundingFit = 2,
    double LocalPresence = 2,
    double RecentlyVerified = 1,
    double DismissalFeedback = 2)
{
    public double Of(MatchFactor factor) => factor switch
    {
        MatchFactor.ValueAlignment => ValueAlignment,
        MatchFactor.PricingFit => PricingFit,
        MatchFactor.FundingFit => FundingFit,
        MatchFactor.LocalPresence => LocalPresence,
        MatchFactor.RecentlyVerified => RecentlyVerified,
        _ => DismissalFeedback,
    };
}

/// <summary>One factor's part of a score: what the explanation shows.</summary>
public sealed record FactorContribution(MatchFactor Factor, double Value, double Contribution);

/// <summary>A provider that passed every hard constraint, with the categories it matched and each factor's contribution.</summary>
public sealed record Match(int ProviderId, string Name, double Score, IReadOnlyList<string> MatchedCategories,
    bool ServesRegionInPerson, IReadOnlyList<FactorContribution> Factors);

/// <summary>
/// The matching engine: pure and deterministic. Hard constraints decide whether a provider may be suggested at all (it
/// is published; one of its offerings is in a requested category, reaches the request's region, or works remotely when
/// the request accepts remote, and serves in the request's language). Weighted soft factors, each between 0 and 1,
/// order the rest; the score is their weighted sum, so improving one factor never lowers a provider's rank.
/// </summary>
public static class Matcher
{
    private const int FactorCount = 6;

    public static Match? Score(NeedRequest request, Candidate candidate, DateTimeOffset now, MatchWeights weights)
    {
        if (!candidate.Published) return null;
        var fitting = candidate.Offerings.Where(o => request.Categories.Contains(o.CategoryKey)
                                                     && o.Languages.Contains(request.Language)
                                                     && Reaches(o, request)).ToList();
        if (fitting.Count == 0) return null;

        var inPerson = fitting.Any(o => o.ServesAllQuebec || o.Regions.Contains(request.Region));
        var p = request.Preferences;
        var values = new Dictionary<MatchFactor, double>
        {
            [MatchFactor.ValueAlignment] = ValueAlignment(request, candidate),
            [MatchFactor.PricingFit] = fitting.Max(o => PricingValue(o.Pricing, p.NeedsFreeOrNonprofitPricing)),
            [MatchFactor.FundingFit] = p.FundingProgram is { } program && fitting.Any(o => o.FundingPrograms.Contains(program)) ? 1 : 0,
            [MatchFactor.LocalPresence] = LocalPresence(request, candidate, inPerson),
            // In whole days, so that re-running the same day gives the same value (no churn in stored matches).
            [MatchFactor.RecentlyVerified] = RecentlyVerified(candidate, now),
            [MatchFactor.DismissalFeedback] = DismissalFeedback(candidate),
        };
        var factors = values.Select(v => new FactorContribution(v.Key, Math.Round(v.Value, 6), Math.Round(v.Value * weights.Of(v.Key), 6))).ToList();
        var categories = fitting.Select(o => o.CategoryKey).Distinct().Order(StringComparer.Ordinal).ToArray();
        return new Match(candidate.ProviderId, candidate.Name, Math.Round(factors.Sum(f => f.Contribution), 6), categories, inPerson, factors);
    }

    /// <summary>
    /// The best <paramref name="count"/> matches: score, then name, then id, so the same input always gives the same list.
    /// Every candidate's score is computed without allocating (<see cref="ScoreOnly"/>, the same arithmetic as
    /// <see cref="Score"/>); only the best ones are then built in full by <see cref="Score"/>.
    /// </summary>
    public static IReadOnlyList<Match> Top(NeedRequest request, IEnumerable<Candidate> candidates, int count, DateTimeOffset now,
        MatchWeights weights)
    {
        if (count <= 0) return [];
        var contributionWeights = new double[FactorCount];
        for (var i = 0; i < FactorCount; i++) contributionWeights[i] = weights.Of((MatchFactor)i);
        // The best so far, best first; a newcomer goes after those that rank equal, as a stable sort would put it.
        var best = new List<(double Score, Candidate Candidate)>(count + 1);
        foreach (var candidate in candidates)
        {
            if (ScoreOnly(request, candidate, now, contributionWeights) is not { } score) continue;
            if (best.Count == count && !Ranks(score, candidate, best[^1].Score, best[^1].Candidate)) continue;
            var at = best.Count;
            while (at > 0 && Ranks(score, candidate, best[at - 1].Score, best[at - 1].Candidate)) at--;
            best.Insert(at, (score, candidate));
            if (best.Count > count) best.RemoveAt(count);
        }
        var top = new List<Match>(best.Count);
        foreach (var (_, candidate) in best) top.Add(Score(request, candidate, now, weights)!);
        return top;
    }

    /// <summary>True when (score, candidate) ranks strictly before (otherScore, other): higher score, then name, then id.</summary>
    private static bool Ranks(double score, Candidate candidate, double otherScore, Candidate other)
    {
        if (score != otherScore) return score > otherScore;
        var byName = string.CompareOrdinal(candidate.Name, other.Name);
        return byName != 0 ? byName < 0 : candidate.ProviderId < other.ProviderId;
    }

    /// <summary>
    /// The score <see cref="Score"/> would give, or null when a hard constraint fails, without building the match: the
    /// same factor values, each contribution rounded, summed in the factors' order, then rounded.
    /// </summary>
    private static double? ScoreOnly(NeedRequest request, Candidate candidate, DateTimeOffset now, double[] contributionWeights)
    {
        if (!candidate.Published) return null;
        var p = request.Preferences;
        bool any = false, inPerson = false, funding = false;
        var pricing = 0.0;
        foreach (var o in candidate.Offerings)
        {
            if (!request.Categories.Contains(o.CategoryKey) || !o.Languages.Contains(request.Language) || !Reaches(o, request)) continue;
            var value = PricingValue(o.Pricing, p.NeedsFreeOrNonprofitPricing);
            pricing = any ? Math.Max(pricing, value) : value;
            any = true;
            inPerson |= o.ServesAllQuebec || o.Regions.Contains(request.Region);
            funding |= p.FundingProgram is { } program && o.FundingPrograms.Contains(program);
        }
        if (!any) return null;
        var sum = 0.0;
        sum += Math.Round(ValueAlignment(request, candidate) * contributionWeights[(int)MatchFactor.ValueAlignment], 6);
        sum += Math.Round(pricing * contributionWeights[(int)MatchFactor.PricingFit], 6);
        sum += Math.Round((funding ? 1 : 0) * contributionWeights[(int)MatchFactor.FundingFit], 6);
        sum += Math.Round(LocalPresence(request, candidate, inPerson) * contributionWeights[(int)MatchFactor.LocalPresence], 6);
        sum += Math.Round(RecentlyVerified(candidate, now) * contributionWeights[(int)MatchFactor.RecentlyVerified], 6);
        sum += Math.Round(DismissalFeedback(candidate) * contributionWeights[(int)MatchFactor.DismissalFeedback], 6);
        return Math.Round(sum, 6);
    }

    private static double ValueAlignment(NeedRequest request, Candidate candidate) =>
        candidate.SocialEconomy ? (request.Preferences.PreferSocialEconomy ? 1 : 0.5) : 0;

    private static double LocalPresence(NeedRequest request, Candidate candidate, bool inPerson) =>
        (candidate.HeadOfficeRegion == request.Region ? 1 : inPerson ? 0.5 : 0) * (request.Preferences.PreferLocal ? 1 : 0.5);

    private static double RecentlyVerified(Candidate candidate, DateTimeOffset now) =>
        candidate.VerifiedAt is { } verified ? Math.Clamp(1 - Math.Floor((now - verified).TotalDays) / 365.0, 0, 1) : 0;

    private static double DismissalFeedback(Candidate candidate) => Math.Clamp(1 - candidate.DismissalRate, 0, 1);

    private static bool Reaches(CandidateOffering offering, NeedRequest request)
    {
        // The rule: it serves the request's region, or it delivers remotely and the request accepts remote.
        var inPerson = offering.ServesAllQuebec || offering.Regions.Contains(request.Region);
        var remote = request.AcceptsRemote && offering.Delivery is DeliveryMode.ADistance or DeliveryMode.Hybride;
        return inPerson || remote;
    }

    private static double PricingValue(PricingModel pricing, bool needsFreeOrNonprofit) => pricing switch
    {
        PricingModel.Gratuit => 1,
        PricingModel.TarifReduitObnl => needsFreeOrNonprofit ? 1 : 0.8,
        _ when needsFreeOrNonprofit => 0,
        PricingModel.NonPrecise => 0.3,
        _ => 0.5,
    };
}
