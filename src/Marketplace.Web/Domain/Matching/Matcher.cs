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
    internal const int FactorCount = 6;

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
            [MatchFactor.ValueAlignment] = ValueAlignment(candidate.SocialEconomy, p.PreferSocialEconomy),
            [MatchFactor.PricingFit] = fitting.Max(o => PricingValue(o.Pricing, p.NeedsFreeOrNonprofitPricing)),
            [MatchFactor.FundingFit] = p.FundingProgram is { } program && fitting.Any(o => o.FundingPrograms.Contains(program)) ? 1 : 0,
            [MatchFactor.LocalPresence] = LocalPresence(candidate.HeadOfficeRegion == request.Region, inPerson, p.PreferLocal),
            [MatchFactor.RecentlyVerified] = RecentlyVerified(candidate.VerifiedAt, now),
            [MatchFactor.DismissalFeedback] = DismissalFeedback(candidate.DismissalRate),
        };
        var factors = values.Select(v => new FactorContribution(v.Key, Math.Round(v.Value, 6), Contribution(v.Value, weights.Of(v.Key)))).ToList();
        var categories = fitting.Select(o => o.CategoryKey).Distinct().Order(StringComparer.Ordinal).ToArray();
        return new Match(candidate.ProviderId, candidate.Name, Math.Round(factors.Sum(f => f.Contribution), 6), categories, inPerson, factors);
    }

    /// <summary>
    /// The best <paramref name="count"/> matches: score, then name, then id, so the same input always gives the same list.
    /// Every candidate's score is computed without building its match (<see cref="ScoreOnly"/>, the same arithmetic as
    /// <see cref="Score"/>); only the best are then built by <see cref="Score"/>. For one request. To rank many requests
    /// against the same candidates, <see cref="CandidatePool"/> is faster.
    /// </summary>
    public static IReadOnlyList<Match> Top(NeedRequest request, IEnumerable<Candidate> candidates, int count, DateTimeOffset now,
        MatchWeights weights)
    {
        if (count <= 0) return [];
        var contributionWeights = ContributionWeights(weights);
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
    /// The score <see cref="Score"/> would give, or null when a hard constraint fails, without building the match.
    /// </summary>
    internal static double? ScoreOnly(NeedRequest request, Candidate candidate, DateTimeOffset now, double[] contributionWeights)
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
        return Total(ValueAlignment(candidate.SocialEconomy, p.PreferSocialEconomy), pricing, funding ? 1 : 0,
            LocalPresence(candidate.HeadOfficeRegion == request.Region, inPerson, p.PreferLocal),
            RecentlyVerified(candidate.VerifiedAt, now), DismissalFeedback(candidate.DismissalRate), contributionWeights);
    }

    /// <summary>
    /// The score from the factor values as <see cref="Score"/> computes it: each contribution rounded, summed in the
    /// factors' order, then rounded.
    /// </summary>
    internal static double Total(double valueAlignment, double pricingFit, double fundingFit, double localPresence, double recentlyVerified,
        double dismissalFeedback, double[] contributionWeights) =>
        Sum(Contribution(valueAlignment, contributionWeights[(int)MatchFactor.ValueAlignment]),
            Contribution(pricingFit, contributionWeights[(int)MatchFactor.PricingFit]),
            Contribution(fundingFit, contributionWeights[(int)MatchFactor.FundingFit]),
            Contribution(localPresence, contributionWeights[(int)MatchFactor.LocalPresence]),
            Contribution(recentlyVerified, contributionWeights[(int)MatchFactor.RecentlyVerified]),
            Contribution(dismissalFeedback, contributionWeights[(int)MatchFactor.DismissalFeedback]));

    /// <summary>One factor's contribution, as in <see cref="FactorContribution"/>.</summary>
    internal static double Contribution(double value, double weight) => Math.Round(value * weight, 6);

    /// <summary>The score from the six contributions, added in the factors' order from zero (as <c>Sum</c> does), then rounded.</summary>
    internal static double Sum(double valueAlignment, double pricingFit, double fundingFit, double localPresence, double recentlyVerified,
        double dismissalFeedback)
    {
        var sum = 0.0;
        sum += valueAlignment;
        sum += pricingFit;
        sum += fundingFit;
        sum += localPresence;
        sum += recentlyVerified;
        sum += dismissalFeedback;
        return Math.Round(sum, 6);
    }

    internal static double[] ContributionWeights(MatchWeights weights)
    {
        var contributionWeights = new double[FactorCount];
        for (var i = 0; i < FactorCount; i++) contributionWeights[i] = weights.Of((MatchFactor)i);
        return contributionWeights;
    }

    internal static double ValueAlignment(bool socialEconomy, bool preferSocialEconomy) =>
        socialEconomy ? (preferSocialEconomy ? 1 : 0.5) : 0;

    internal static double LocalPresence(bool headOfficeInRegion, bool inPerson, bool preferLocal) =>
        (headOfficeInRegion ? 1 : inPerson ? 0.5 : 0) * (preferLocal ? 1 : 0.5);

    // In whole days, so that re-running the same day gives the same value (no churn in stored matches).
    internal static double RecentlyVerified(DateTimeOffset? verifiedAt, DateTimeOffset now) =>
        verifiedAt is { } verified ? Math.Clamp(1 - Math.Floor((now - verified).TotalDays) / 365.0, 0, 1) : 0;

    internal static double DismissalFeedback(double dismissalRate) => Math.Clamp(1 - dismissalRate, 0, 1);

    internal static bool Reaches(CandidateOffering offering, NeedRequest request)
    {
        // The rule: it serves the request's region, or it delivers remotely and the request accepts remote.
        var inPerson = offering.ServesAllQuebec || offering.Regions.Contains(request.Region);
        var remote = request.AcceptsRemote && offering.Delivery is DeliveryMode.ADistance or DeliveryMode.Hybride;
        return inPerson || remote;
    }

    internal static double PricingValue(PricingModel pricing, bool needsFreeOrNonprofit) => pricing switch
    {
        PricingModel.Gratuit => 1,
        PricingModel.TarifReduitObnl => needsFreeOrNonprofit ? 1 : 0.8,
        _ when needsFreeOrNonprofit => 0,
        PricingModel.NonPrecise => 0.3,
        _ => 0.5,
    };
}

/// <summary>
/// Candidates prepared once for ranking many requests (a full recompute scores tens of millions of pairs). Each
/// offering's category, languages, regions and funding programs become bits, and candidates and offerings sit in flat
/// arrays, so that scoring reads memory in order instead of following references from object to object.
/// <para>
/// Candidates are kept in decreasing order of the best score they could reach for any request (each factor at the best
/// value its offerings allow; recency and dismissals exactly). A request's candidates are visited in that order, and
/// scoring stops once that bound falls below the last of the best so far: no later candidate could enter. With a
/// negative weight the bound means nothing, and every candidate is scored.
/// </para>
/// <para>
/// It ranks exactly as scoring every candidate with <see cref="Matcher.Score"/> and a stable sort by score, name and id
/// would: the same factor values and the same arithmetic (<see cref="Matcher.Total"/>), then <see cref="Matcher.Score"/>
/// builds the best ones. Immutable once built, so threads may share it.
/// </para>
/// </summary>
public sealed class CandidatePool
{
    private const int MaxKeys = 64;

    // Recency and dismissals do not depend on the request: their contributions are computed once, for the pool's time
    // and weights.
    private readonly record struct Entry(int FirstOffer, int OfferCount, int HeadOffice, bool Published, bool SocialEconomy,
        double RecentlyVerified, double DismissalFeedback, int Position);

    private static readonly int PricingModels = Enum.GetValues<PricingModel>().Max(m => (int)m) + 1;

    private readonly record struct Offer(ulong Category, ulong Languages, ulong Regions, ulong FundingPrograms, bool ServesAllQuebec,
        bool Remote, PricingModel Pricing);

    private readonly Candidate[] _candidates;
    private readonly Entry[] _entries;
    private readonly Offer[] _offers;
    private readonly Dictionary<string, int> _categories = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _languages = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _regions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _fundingPrograms = new(StringComparer.Ordinal);
    // More than 64 distinct keys of one kind (never with the real taxonomy): candidates are then scored one by one.
    private readonly bool _fitsBits;
    // Best reachable score of each candidate, not increasing along the pool; null when the weights allow no bound.
    private readonly double[]? _bounds;
    private readonly DateTimeOffset _now;
    private readonly MatchWeights _weights;

    /// <summary>
    /// The candidates, ordered by their best reachable score for <paramref name="now"/> and <paramref name="weights"/> (the
    /// ones <see cref="Top(NeedRequest, IReadOnlyList{int[]}, int, DateTimeOffset, MatchWeights, out int)"/> must be given
    /// to skip candidates that cannot enter the top).
    /// </summary>
    public CandidatePool(IEnumerable<Candidate> candidates, DateTimeOffset now, MatchWeights weights)
    {
        var given = candidates.ToArray();
        var contributionWeights = Matcher.ContributionWeights(weights);
        var order = Enumerable.Range(0, given.Length).ToArray();
        _now = now;
        _weights = weights;
        if (contributionWeights.All(w => w >= 0 && double.IsFinite(w)))
        {
            var bounds = given.Select(c => Bound(c, now, contributionWeights)).ToArray();
            // Stable: equal bounds keep the given order.
            order = order.OrderByDescending(i => bounds[i]).ToArray();
            _bounds = order.Select(i => bounds[i]).ToArray();
        }
        var fitsBits = true;
        _candidates = order.Select(i => given[i]).ToArray();
        _entries = new Entry[_candidates.Length];
        var offers = new List<Offer>(_candidates.Length * 2);
        for (var i = 0; i < _candidates.Length; i++)
        {
            var c = _candidates[i];
            var first = offers.Count;
            foreach (var o in c.Offerings)
            {
                fitsBits &= (int)o.Pricing >= 0 && (int)o.Pricing < PricingModels;
                offers.Add(new Offer(Bit(_categories, o.CategoryKey), Bits(_languages, o.Languages), Bits(_regions, o.Regions),
                    Bits(_fundingPrograms, o.FundingPrograms), o.ServesAllQuebec, o.Delivery is DeliveryMode.ADistance or DeliveryMode.Hybride,
                    o.Pricing));
            }
            var headOffice = c.HeadOfficeRegion is null ? -1 : Key(_regions, c.HeadOfficeRegion);
            _entries[i] = new Entry(first, offers.Count - first, headOffice, c.Published, c.SocialEconomy,
                Matcher.Contribution(Matcher.RecentlyVerified(c.VerifiedAt, now), contributionWeights[(int)MatchFactor.RecentlyVerified]),
                Matcher.Contribution(Matcher.DismissalFeedback(c.DismissalRate), contributionWeights[(int)MatchFactor.DismissalFeedback]),
                order[i]);
        }
        _offers = offers.ToArray();
        _fitsBits = fitsBits && _categories.Count <= MaxKeys && _languages.Count <= MaxKeys && _regions.Count <= MaxKeys
                    && _fundingPrograms.Count <= MaxKeys;
    }

    public int Count => _candidates.Length;

    /// <summary>The candidate at an index of the pool (the pool's order, not the given one).</summary>
    public Candidate this[int index] => _candidates[index];

    /// <summary>The best <paramref name="count"/> matches among all candidates.</summary>
    public IReadOnlyList<Match> Top(NeedRequest request, int count, DateTimeOffset now, MatchWeights weights) =>
        Top(request, [Enumerable.Range(0, _candidates.Length).ToArray()], count, now, weights, out _);

    /// <summary>
    /// The best <paramref name="count"/> matches among the candidates of <paramref name="lists"/> (indexes of the pool, each
    /// list in increasing order; an index in several lists counts once). <paramref name="scored"/> is how many were scored
    /// before the bound ruled out the rest.
    /// </summary>
    public IReadOnlyList<Match> Top(NeedRequest request, IReadOnlyList<int[]> lists, int count, DateTimeOffset now, MatchWeights weights,
        out int scored)
    {
        scored = 0;
        var contributionWeights = Matcher.ContributionWeights(weights);
        var asBuilt = now == _now && weights == _weights;
        var bounds = asBuilt ? _bounds : null;
        var p = request.Preferences;
        // Each factor's rounded contribution for every value it can take in this request.
        var w = contributionWeights;
        double valueSocial = Matcher.Contribution(Matcher.ValueAlignment(true, p.PreferSocialEconomy), w[(int)MatchFactor.ValueAlignment]),
            valueOther = Matcher.Contribution(Matcher.ValueAlignment(false, p.PreferSocialEconomy), w[(int)MatchFactor.ValueAlignment]),
            fundingYes = Matcher.Contribution(1, w[(int)MatchFactor.FundingFit]),
            fundingNo = Matcher.Contribution(0, w[(int)MatchFactor.FundingFit]),
            localOffice = Matcher.Contribution(Matcher.LocalPresence(true, true, p.PreferLocal), w[(int)MatchFactor.LocalPresence]),
            localInPerson = Matcher.Contribution(Matcher.LocalPresence(false, true, p.PreferLocal), w[(int)MatchFactor.LocalPresence]),
            localRemote = Matcher.Contribution(Matcher.LocalPresence(false, false, p.PreferLocal), w[(int)MatchFactor.LocalPresence]);
        Span<double> pricingValue = stackalloc double[PricingModels];
        Span<double> pricingContribution = stackalloc double[PricingModels];
        for (var m = 0; m < PricingModels; m++)
        {
            pricingValue[m] = Matcher.PricingValue((PricingModel)m, p.NeedsFreeOrNonprofitPricing);
            pricingContribution[m] = Matcher.Contribution(pricingValue[m], w[(int)MatchFactor.PricingFit]);
        }
        ulong categories = 0;
        foreach (var category in request.Categories)
            if (_categories.TryGetValue(category, out var id)) categories |= 1UL << id;
        var language = _languages.TryGetValue(request.Language, out var languageId) ? 1UL << languageId : 0;
        var regionId = _regions.TryGetValue(request.Region, out var r) ? r : -2; // -1 is a provider without a head office
        var region = regionId is >= 0 and < MaxKeys ? 1UL << regionId : 0;
        var funding = p.FundingProgram is { } program && _fundingPrograms.TryGetValue(program, out var programId) ? 1UL << programId : 0;
        var remote = request.AcceptsRemote;

        var best = new List<(double Score, int Index)>(Math.Max(count, 0) + 1);
        var heads = lists.ToArray();
        var only = heads.Length == 1 ? heads[0] : null;
        Span<int> at = stackalloc int[heads.Length];
        while (true)
        {
            // The next candidate in pool order among the lists' heads; every list holding it moves past it.
            int i;
            if (only is not null)
            {
                if (at[0] == only.Length) break;
                i = only[at[0]++];
            }
            else
            {
                i = int.MaxValue;
                for (var l = 0; l < heads.Length; l++)
                    if (at[l] < heads[l].Length && heads[l][at[l]] < i) i = heads[l][at[l]];
                if (i == int.MaxValue) break;
                for (var l = 0; l < heads.Length; l++)
                    if (at[l] < heads[l].Length && heads[l][at[l]] == i) at[l]++;
            }
            // This one and every later one cannot reach the last of the best.
            if (count <= 0 || (bounds is not null && best.Count == count && bounds[i] < best[^1].Score)) break;
            scored++;

            double score;
            if (!_fitsBits)
            {
                if (Matcher.ScoreOnly(request, _candidates[i], now, contributionWeights) is not { } slow) continue;
                score = slow;
            }
            else
            {
                ref readonly var e = ref _entries[i];
                if (!e.Published) continue;
                bool any = false, inPerson = false, fundingFit = false;
                var pricing = 0; // the model of the best pricing value among fitting offerings
                for (var k = e.FirstOffer; k < e.FirstOffer + e.OfferCount; k++)
                {
                    ref readonly var o = ref _offers[k];
                    if ((o.Category & categories) == 0 || (o.Languages & language) == 0) continue;
                    var here = o.ServesAllQuebec || (o.Regions & region) != 0;
                    if (!here && !(remote && o.Remote)) continue;
                    if (!any || pricingValue[(int)o.Pricing] > pricingValue[pricing]) pricing = (int)o.Pricing;
                    any = true;
                    inPerson |= here;
                    fundingFit |= (o.FundingPrograms & funding) != 0;
                }
                if (!any) continue;
                var candidate = _candidates[i];
                score = Matcher.Sum(e.SocialEconomy ? valueSocial : valueOther, pricingContribution[pricing], fundingFit ? fundingYes : fundingNo,
                    e.HeadOffice == regionId ? localOffice : inPerson ? localInPerson : localRemote,
                    asBuilt ? e.RecentlyVerified : Matcher.Contribution(Matcher.RecentlyVerified(candidate.VerifiedAt, now), w[(int)MatchFactor.RecentlyVerified]),
                    asBuilt ? e.DismissalFeedback : Matcher.Contribution(Matcher.DismissalFeedback(candidate.DismissalRate), w[(int)MatchFactor.DismissalFeedback]));
            }
            // The best so far, best first.
            if (best.Count == count && !Ranks(score, i, best[^1].Score, best[^1].Index)) continue;
            var place = best.Count;
            while (place > 0 && Ranks(score, i, best[place - 1].Score, best[place - 1].Index)) place--;
            best.Insert(place, (score, i));
            if (best.Count > count) best.RemoveAt(count);
        }
        var top = new List<Match>(best.Count);
        foreach (var (_, i) in best) top.Add(Matcher.Score(request, _candidates[i], now, weights)!);
        return top;
    }

    /// <summary>
    /// True when candidate <paramref name="index"/> ranks strictly before <paramref name="other"/>: higher score, then
    /// name, then id, then the order the candidates were given in (a stable sort's order).
    /// </summary>
    private bool Ranks(double score, int index, double otherScore, int other)
    {
        if (score != otherScore) return score > otherScore;
        var byName = string.CompareOrdinal(_candidates[index].Name, _candidates[other].Name);
        if (byName != 0) return byName < 0;
        var byId = _candidates[index].ProviderId.CompareTo(_candidates[other].ProviderId);
        return byId != 0 ? byId < 0 : _entries[index].Position < _entries[other].Position;
    }

    /// <summary>
    /// The best score the candidate could reach for any request: the best value of each factor its offerings allow
    /// (social economy preferred, the best pricing either way, a funding program if it names one, head office in the
    /// region), recency and dismissals as they are. <see cref="Matcher.Total"/> never decreases when a value grows
    /// (weights are not negative), so no request gives a higher score.
    /// </summary>
    private static double Bound(Candidate candidate, DateTimeOffset now, double[] contributionWeights)
    {
        if (!candidate.Published) return double.NegativeInfinity;
        double pricing = 0, funding = 0;
        foreach (var o in candidate.Offerings)
        {
            pricing = Math.Max(pricing, Math.Max(Matcher.PricingValue(o.Pricing, false), Matcher.PricingValue(o.Pricing, true)));
            if (o.FundingPrograms.Count > 0) funding = 1;
        }
        return Matcher.Total(Matcher.ValueAlignment(candidate.SocialEconomy, preferSocialEconomy: true), pricing, funding,
            Matcher.LocalPresence(headOfficeInRegion: true, inPerson: true, preferLocal: true), Matcher.RecentlyVerified(candidate.VerifiedAt, now),
            Matcher.DismissalFeedback(candidate.DismissalRate), contributionWeights);
    }

    private static int Key(Dictionary<string, int> keys, string key)
    {
        if (!keys.TryGetValue(key, out var id)) keys[key] = id = keys.Count;
        return id;
    }

    private static ulong Bit(Dictionary<string, int> keys, string key)
    {
        var id = Key(keys, key);
        return id < MaxKeys ? 1UL << id : 0;
    }

    private static ulong Bits(Dictionary<string, int> keys, IEnumerable<string> values)
    {
        ulong bits = 0;
        foreach (var value in values) bits |= Bit(keys, value);
        return bits;
    }
}
