using Marketplace.Web.Domain.Providers;

namespace Marketplace.Web.Domain.Matching;

/// <summary>
/// One service offering of a candidate provider, as the matcher needs it. An empty <see cref="Regions"/> list without
/// <see cref="ServesAllQuebec"/> means the service area is not stated; an empty <see cref="Languages"/> list means the
/// language is not stated. Unknown is not "no" (ADR 0015): such an offering is not excluded, it scores lower.
/// </summary>
public sealed record CandidateOffering(
    string CategoryKey,
    PricingModel Pricing,
    DeliveryMode Delivery,
    bool ServesAllQuebec,
    IReadOnlyCollection<string> Regions,
    IReadOnlyCollection<string> Languages,
    IReadOnlyCollection<string> FundingPrograms)
{
    /// <summary>Neither all of Quebec nor any region is stated.</summary>
    public bool AreaUnknown => !ServesAllQuebec && Regions.Count == 0;

    /// <summary>No language is stated.</summary>
    public bool LanguageUnknown => Languages.Count == 0;
}

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
    /// <summary>1 when a fitting offering states the request's language; 0 when the fitting offerings state no language.</summary>
    LanguageFit,
    /// <summary>
    /// Requested categories covered ÷ requested categories. Its weight is derived, not configured: each covered category is
    /// worth more than every other factor together can add (<see cref="Matcher.CoveragePerCategory"/>), so coverage ranks first.
    /// </summary>
    Coverage,
}

/// <summary>Weights of the soft factors (configuration <c>Matching:Weights</c>, documented in docs/matching.md).</summary>
public sealed record MatchWeights(
    double ValueAlignment = 3,
    double PricingFit = 2,
    double FundingFit = 2,
    double LocalPresence = 2,
    double RecentlyVerified = 1,
    double DismissalFeedback = 2,
    double LanguageFit = 1)
{
    /// <summary>The configured weight of a factor; <see cref="MatchFactor.Coverage"/> has none (it is derived from the others).</summary>
    public double Of(MatchFactor factor) => factor switch
    {
        MatchFactor.ValueAlignment => ValueAlignment,
        MatchFactor.PricingFit => PricingFit,
        MatchFactor.FundingFit => FundingFit,
        MatchFactor.LocalPresence => LocalPresence,
        MatchFactor.RecentlyVerified => RecentlyVerified,
        MatchFactor.DismissalFeedback => DismissalFeedback,
        MatchFactor.LanguageFit => LanguageFit,
        _ => throw new ArgumentOutOfRangeException(nameof(factor), factor, "Coverage has no configured weight."),
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
/// the request accepts remote, or does not state its area; and serves in the request's language or does not state one).
/// The score is the weighted sum of the factors, each between 0 and 1, so improving one factor never lowers a provider's
/// rank. Coverage of the requested categories comes first: each covered category weighs more than every other factor
/// together can add, so a provider covering more of the request always ranks above one covering less.
/// </summary>
public static class Matcher
{
    /// <summary>Every factor, coverage included (the contribution weights' length).</summary>
    internal const int FactorCount = 8;

    public static Match? Score(NeedRequest request, Candidate candidate, DateTimeOffset now, MatchWeights weights)
    {
        if (!candidate.Published) return null;
        var fitting = candidate.Offerings.Where(o => request.Categories.Contains(o.CategoryKey) && Speaks(o, request) && Reaches(o, request))
            .ToList();
        if (fitting.Count == 0) return null;

        var inPerson = fitting.Any(o => o.ServesAllQuebec || o.Regions.Contains(request.Region));
        var areaUnknown = fitting.Any(o => o.AreaUnknown);
        var categories = fitting.Select(o => o.CategoryKey).Distinct().Order(StringComparer.Ordinal).ToArray();
        var p = request.Preferences;
        var values = new Dictionary<MatchFactor, double>
        {
            [MatchFactor.ValueAlignment] = ValueAlignment(candidate.SocialEconomy, p.PreferSocialEconomy),
            [MatchFactor.PricingFit] = fitting.Max(o => PricingValue(o.Pricing, p.NeedsFreeOrNonprofitPricing)),
            [MatchFactor.FundingFit] = p.FundingProgram is { } program && fitting.Any(o => o.FundingPrograms.Contains(program)) ? 1 : 0,
            [MatchFactor.LocalPresence] = LocalPresence(candidate.HeadOfficeRegion == request.Region, inPerson, areaUnknown, p.PreferLocal),
            [MatchFactor.RecentlyVerified] = RecentlyVerified(candidate.VerifiedAt, now),
            [MatchFactor.DismissalFeedback] = DismissalFeedback(candidate.DismissalRate),
            [MatchFactor.LanguageFit] = fitting.Any(o => !o.LanguageUnknown) ? 1 : 0,
        };
        var factors = values.Select(v => new FactorContribution(v.Key, Math.Round(v.Value, 6), Contribution(v.Value, weights.Of(v.Key)))).ToList();
        factors.Add(new FactorContribution(MatchFactor.Coverage, Math.Round((double)categories.Length / request.Categories.Count, 6),
            CoverageContribution(categories.Length, CoveragePerCategory(ContributionWeights(weights)))));
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
        bool any = false, inPerson = false, areaUnknown = false, funding = false, language = false;
        var pricing = 0.0;
        var covered = 0UL; // bit i: request.Categories[i] is covered (a request has at most a few categories)
        HashSet<string>? coveredMany = null; // past 64 requested categories
        foreach (var o in candidate.Offerings)
        {
            var category = request.Categories.IndexOf(o.CategoryKey);
            if (category < 0 || !Speaks(o, request) || !Reaches(o, request)) continue;
            var value = PricingValue(o.Pricing, p.NeedsFreeOrNonprofitPricing);
            pricing = any ? Math.Max(pricing, value) : value;
            any = true;
            inPerson |= o.ServesAllQuebec || o.Regions.Contains(request.Region);
            areaUnknown |= o.AreaUnknown;
            language |= !o.LanguageUnknown;
            funding |= p.FundingProgram is { } program && o.FundingPrograms.Contains(program);
            if (category < 64) covered |= 1UL << category;
            else (coveredMany ??= new HashSet<string>(StringComparer.Ordinal)).Add(o.CategoryKey);
        }
        if (!any) return null;
        return Total(ValueAlignment(candidate.SocialEconomy, p.PreferSocialEconomy), pricing, funding ? 1 : 0,
            LocalPresence(candidate.HeadOfficeRegion == request.Region, inPerson, areaUnknown, p.PreferLocal),
            RecentlyVerified(candidate.VerifiedAt, now), DismissalFeedback(candidate.DismissalRate), language ? 1 : 0,
            System.Numerics.BitOperations.PopCount(covered) + (coveredMany?.Count ?? 0), contributionWeights);
    }

    /// <summary>
    /// The score from the factor values as <see cref="Score"/> computes it: each contribution rounded, summed in the
    /// factors' order, then rounded.
    /// </summary>
    internal static double Total(double valueAlignment, double pricingFit, double fundingFit, double localPresence, double recentlyVerified,
        double dismissalFeedback, double languageFit, int covered, double[] contributionWeights) =>
        Sum(Contribution(valueAlignment, contributionWeights[(int)MatchFactor.ValueAlignment]),
            Contribution(pricingFit, contributionWeights[(int)MatchFactor.PricingFit]),
            Contribution(fundingFit, contributionWeights[(int)MatchFactor.FundingFit]),
            Contribution(localPresence, contributionWeights[(int)MatchFactor.LocalPresence]),
            Contribution(recentlyVerified, contributionWeights[(int)MatchFactor.RecentlyVerified]),
            Contribution(dismissalFeedback, contributionWeights[(int)MatchFactor.DismissalFeedback]),
            Contribution(languageFit, contributionWeights[(int)MatchFactor.LanguageFit]),
            CoverageContribution(covered, contributionWeights[(int)MatchFactor.Coverage]));

    /// <summary>One factor's contribution, as in <see cref="FactorContribution"/>.</summary>
    internal static double Contribution(double value, double weight) => Math.Round(value * weight, 6);

    /// <summary>Coverage's contribution: the covered categories times the weight of one (see <see cref="CoveragePerCategory"/>).</summary>
    internal static double CoverageContribution(int covered, double perCategory) => Math.Round(covered * perCategory, 6);

    /// <summary>
    /// The weight of one covered category: one more than the sum of the other weights' magnitudes. The other factors are
    /// between 0 and 1, so together they move a score by less than that: one more covered category always wins.
    /// </summary>
    internal static double CoveragePerCategory(double[] contributionWeights)
    {
        var sum = 1.0;
        for (var i = 0; i < (int)MatchFactor.Coverage; i++) sum += Math.Abs(contributionWeights[i]);
        return sum;
    }

    /// <summary>
    /// The sum of the seven contributions before coverage, added in the factors' order from zero (as <c>Sum</c> does),
    /// not rounded: <see cref="Sum"/> adds coverage last, so this is what a bound may keep per candidate.
    /// </summary>
    internal static double PartialSum(double valueAlignment, double pricingFit, double fundingFit, double localPresence, double recentlyVerified,
        double dismissalFeedback, double languageFit)
    {
        var sum = 0.0;
        sum += valueAlignment;
        sum += pricingFit;
        sum += fundingFit;
        sum += localPresence;
        sum += recentlyVerified;
        sum += dismissalFeedback;
        sum += languageFit;
        return sum;
    }

    /// <summary>The score from the eight contributions, added in the factors' order from zero (as <c>Sum</c> does), then rounded.</summary>
    internal static double Sum(double valueAlignment, double pricingFit, double fundingFit, double localPresence, double recentlyVerified,
        double dismissalFeedback, double languageFit, double coverage) =>
        Math.Round(PartialSum(valueAlignment, pricingFit, fundingFit, localPresence, recentlyVerified, dismissalFeedback, languageFit) + coverage, 6);

    /// <summary>Each factor's weight by <see cref="MatchFactor"/> index, coverage's (per category) derived from the others.</summary>
    internal static double[] ContributionWeights(MatchWeights weights)
    {
        var contributionWeights = new double[FactorCount];
        for (var i = 0; i < (int)MatchFactor.Coverage; i++) contributionWeights[i] = weights.Of((MatchFactor)i);
        contributionWeights[(int)MatchFactor.Coverage] = CoveragePerCategory(contributionWeights);
        return contributionWeights;
    }

    internal static double ValueAlignment(bool socialEconomy, bool preferSocialEconomy) =>
        socialEconomy ? (preferSocialEconomy ? 1 : 0.5) : 0;

    /// <summary>
    /// Head office in the region 1; serves the region in person 0.5; service area not stated 0.25 (it may serve the
    /// region, to be confirmed); remote only 0. Halved unless the request prefers local providers.
    /// </summary>
    internal static double LocalPresence(bool headOfficeInRegion, bool inPerson, bool areaUnknown, bool preferLocal) =>
        (headOfficeInRegion ? 1 : inPerson ? 0.5 : areaUnknown ? 0.25 : 0) * (preferLocal ? 1 : 0.5);

    // In whole days, so that re-running the same day gives the same value (no churn in stored matches).
    internal static double RecentlyVerified(DateTimeOffset? verifiedAt, DateTimeOffset now) =>
        verifiedAt is { } verified ? Math.Clamp(1 - Math.Floor((now - verified).TotalDays) / 365.0, 0, 1) : 0;

    internal static double DismissalFeedback(double dismissalRate) => Math.Clamp(1 - dismissalRate, 0, 1);

    /// <summary>It serves in the request's language, or states no language (unknown is not "no": <see cref="MatchFactor.LanguageFit"/> is lower).</summary>
    internal static bool Speaks(CandidateOffering offering, NeedRequest request) =>
        offering.LanguageUnknown || offering.Languages.Contains(request.Language);

    internal static bool Reaches(CandidateOffering offering, NeedRequest request)
    {
        // The rule: it serves the request's region, or it delivers remotely and the request accepts remote. An
        // offering that states no area is not excluded (ADR 0015): it may serve the region, and LocalPresence is lower.
        var inPerson = offering.ServesAllQuebec || offering.Regions.Contains(request.Region);
        var remote = request.AcceptsRemote && offering.Delivery is DeliveryMode.ADistance or DeliveryMode.Hybride;
        return inPerson || remote || offering.AreaUnknown;
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
/// Candidates are kept in decreasing order of the best score the factors other than coverage could reach for any request
/// (each factor at the best value its offerings allow; recency and dismissals exactly). A request's candidates are
/// visited in that order; a candidate's bound is that plus coverage of every requested category, and scoring stops once
/// it falls below the last of the best so far: no later candidate could enter. With a negative weight the bound means
/// nothing, and every candidate is scored.
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
    // and weights. Categories: the bits of every category the candidate offers (what it could cover).
    private readonly record struct Entry(int FirstOffer, int OfferCount, int HeadOffice, bool Published, bool SocialEconomy,
        double RecentlyVerified, double DismissalFeedback, int Position, ulong Categories);

    private static readonly int PricingModels = Enum.GetValues<PricingModel>().Max(m => (int)m) + 1;

    private readonly record struct Offer(ulong Category, ulong Languages, ulong Regions, ulong FundingPrograms, bool ServesAllQuebec,
        bool Remote, bool AreaUnknown, bool LanguageUnknown, PricingModel Pricing);

    private readonly Candidate[] _candidates;
    private readonly Entry[] _entries;
    private readonly Offer[] _offers;
    private readonly Dictionary<string, int> _categories = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _languages = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _regions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _fundingPrograms = new(StringComparer.Ordinal);
    // More than 64 distinct keys of one kind (never with the real taxonomy): candidates are then scored one by one.
    private readonly bool _fitsBits;
    // Best reachable sum of each candidate's contributions before coverage (unrounded, see Matcher.PartialSum), not
    // increasing along the pool; null when the weights allow no bound.
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
            ulong offered = 0;
            foreach (var o in c.Offerings)
            {
                offered |= Bit(_categories, o.CategoryKey);
                fitsBits &= (int)o.Pricing >= 0 && (int)o.Pricing < PricingModels;
                offers.Add(new Offer(Bit(_categories, o.CategoryKey), Bits(_languages, o.Languages), Bits(_regions, o.Regions),
                    Bits(_fundingPrograms, o.FundingPrograms), o.ServesAllQuebec, o.Delivery is DeliveryMode.ADistance or DeliveryMode.Hybride,
                    o.AreaUnknown, o.LanguageUnknown, o.Pricing));
            }
            var headOffice = c.HeadOfficeRegion is null ? -1 : Key(_regions, c.HeadOfficeRegion);
            _entries[i] = new Entry(first, offers.Count - first, headOffice, c.Published, c.SocialEconomy,
                Matcher.Contribution(Matcher.RecentlyVerified(c.VerifiedAt, now), contributionWeights[(int)MatchFactor.RecentlyVerified]),
                Matcher.Contribution(Matcher.DismissalFeedback(c.DismissalRate), contributionWeights[(int)MatchFactor.DismissalFeedback]),
                order[i], offered);
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
            localOffice = Matcher.Contribution(Matcher.LocalPresence(true, true, false, p.PreferLocal), w[(int)MatchFactor.LocalPresence]),
            localInPerson = Matcher.Contribution(Matcher.LocalPresence(false, true, false, p.PreferLocal), w[(int)MatchFactor.LocalPresence]),
            localUnknown = Matcher.Contribution(Matcher.LocalPresence(false, false, true, p.PreferLocal), w[(int)MatchFactor.LocalPresence]),
            localRemote = Matcher.Contribution(Matcher.LocalPresence(false, false, false, p.PreferLocal), w[(int)MatchFactor.LocalPresence]),
            languageYes = Matcher.Contribution(1, w[(int)MatchFactor.LanguageFit]),
            languageNo = Matcher.Contribution(0, w[(int)MatchFactor.LanguageFit]);
        Span<double> coverageContribution = stackalloc double[MaxKeys + 1];
        for (var c = 0; c <= MaxKeys; c++) coverageContribution[c] = Matcher.CoverageContribution(c, w[(int)MatchFactor.Coverage]);
        Span<double> pricingValue = stackalloc double[PricingModels];
        Span<double> pricingContribution = stackalloc double[PricingModels];
        for (var m = 0; m < PricingModels; m++)
        {
            pricingValue[m] = Matcher.PricingValue((PricingModel)m, p.NeedsFreeOrNonprofitPricing);
            pricingContribution[m] = Matcher.Contribution(pricingValue[m], w[(int)MatchFactor.PricingFit]);
        }
        ulong categories = 0;
        var known = 0;
        foreach (var category in request.Categories)
        {
            if (!_categories.TryGetValue(category, out var id)) continue;
            known++;
            if (id < MaxKeys) categories |= 1UL << id;
        }
        // A candidate covers at most the requested categories the pool knows: the coverage part of every bound.
        var coverageBound = Matcher.CoverageContribution(known, w[(int)MatchFactor.Coverage]);
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
            if (count <= 0 || (bounds is not null && best.Count == count && Math.Round(bounds[i] + coverageBound, 6) < best[^1].Score)) break;
            // This one alone cannot: even covering every requested category it offers (a request whose best cover more
            // categories than most candidates offer, where the stop above comes late).
            if (_fitsBits && bounds is not null && best.Count == count
                && Math.Round(bounds[i] + coverageContribution[System.Numerics.BitOperations.PopCount(_entries[i].Categories & categories)], 6) < best[^1].Score)
                continue;
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
                bool any = false, inPerson = false, areaUnknown = false, fundingFit = false, languageFit = false;
                ulong covered = 0;
                var pricing = 0; // the model of the best pricing value among fitting offerings
                for (var k = e.FirstOffer; k < e.FirstOffer + e.OfferCount; k++)
                {
                    ref readonly var o = ref _offers[k];
                    if ((o.Category & categories) == 0 || ((o.Languages & language) == 0 && !o.LanguageUnknown)) continue;
                    var here = o.ServesAllQuebec || (o.Regions & region) != 0;
                    if (!here && !(remote && o.Remote) && !o.AreaUnknown) continue;
                    if (!any || pricingValue[(int)o.Pricing] > pricingValue[pricing]) pricing = (int)o.Pricing;
                    any = true;
                    inPerson |= here;
                    areaUnknown |= o.AreaUnknown;
                    languageFit |= !o.LanguageUnknown;
                    fundingFit |= (o.FundingPrograms & funding) != 0;
                    covered |= o.Category;
                }
                if (!any) continue;
                var candidate = _candidates[i];
                score = Matcher.Sum(e.SocialEconomy ? valueSocial : valueOther, pricingContribution[pricing], fundingFit ? fundingYes : fundingNo,
                    e.HeadOffice == regionId ? localOffice : inPerson ? localInPerson : areaUnknown ? localUnknown : localRemote,
                    asBuilt ? e.RecentlyVerified : Matcher.Contribution(Matcher.RecentlyVerified(candidate.VerifiedAt, now), w[(int)MatchFactor.RecentlyVerified]),
                    asBuilt ? e.DismissalFeedback : Matcher.Contribution(Matcher.DismissalFeedback(candidate.DismissalRate), w[(int)MatchFactor.DismissalFeedback]),
                    languageFit ? languageYes : languageNo, coverageContribution[System.Numerics.BitOperations.PopCount(covered)]);
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
    /// The best sum the candidate's contributions before coverage could reach for any request: the best value of each
    /// factor its offerings allow (social economy preferred, the best pricing either way, a funding program if it names
    /// one, head office in the region, a stated language), recency and dismissals as they are. Each contribution and the
    /// sum never decrease when a value grows (weights are not negative), and coverage is added last
    /// (<see cref="Matcher.Sum"/>): with the coverage of every requested category added, no request gives a higher score.
    /// </summary>
    private static double Bound(Candidate candidate, DateTimeOffset now, double[] w)
    {
        if (!candidate.Published) return double.NegativeInfinity;
        double pricing = 0, funding = 0;
        foreach (var o in candidate.Offerings)
        {
            pricing = Math.Max(pricing, Math.Max(Matcher.PricingValue(o.Pricing, false), Matcher.PricingValue(o.Pricing, true)));
            if (o.FundingPrograms.Count > 0) funding = 1;
        }
        return Matcher.PartialSum(
            Matcher.Contribution(Matcher.ValueAlignment(candidate.SocialEconomy, preferSocialEconomy: true), w[(int)MatchFactor.ValueAlignment]),
            Matcher.Contribution(pricing, w[(int)MatchFactor.PricingFit]),
            Matcher.Contribution(funding, w[(int)MatchFactor.FundingFit]),
            Matcher.Contribution(Matcher.LocalPresence(headOfficeInRegion: true, inPerson: true, areaUnknown: false, preferLocal: true),
                w[(int)MatchFactor.LocalPresence]),
            Matcher.Contribution(Matcher.RecentlyVerified(candidate.VerifiedAt, now), w[(int)MatchFactor.RecentlyVerified]),
            Matcher.Contribution(Matcher.DismissalFeedback(candidate.DismissalRate), w[(int)MatchFactor.DismissalFeedback]),
            Matcher.Contribution(1, w[(int)MatchFactor.LanguageFit]));
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
