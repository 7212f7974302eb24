using FsCheck;
using FsCheck.Fluent;
using Marketplace.Web.Domain;
using Marketplace.Web.Domain.Matching;
using Marketplace.Web.Domain.Providers;

namespace Marketplace.Tests.Unit;

/// <summary>The matching engine: hard constraints, factors, determinism, monotonicity.</summary>
public sealed class MatcherTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private static readonly MatchWeights Weights = new();

    private static NeedRequest Request(string region = "16", DeliveryPreference delivery = DeliveryPreference.OnSite,
        ValuePreferences? preferences = null, params string[] categories) =>
        new(1, "Se conformer à la Loi 25", "Nous devons nommer une personne responsable.", categories.Length > 0 ? categories : ["loi-25"],
            region, delivery, "fr", BudgetRange.Unknown, Timeline.Flexible, preferences ?? ValuePreferences.None, Now);

    private static CandidateOffering Offering(string category = "loi-25", PricingModel pricing = PricingModel.Forfait,
        DeliveryMode delivery = DeliveryMode.SurPlace, bool allQuebec = false, string[]? regions = null, string[]? languages = null,
        string[]? funding = null) =>
        new(category, pricing, delivery, allQuebec, regions ?? ["16"], languages ?? ["fr"], funding ?? []);

    private static Candidate Provider(int id, params CandidateOffering[] offerings) =>
        new(id, $"Fournisseur {id:000}", true, false, null, Now.AddDays(-30), offerings);

    [Test]
    public void A_provider_must_be_published_offer_a_category_reach_the_region_and_speak_the_language()
    {
        var request = Request();
        Assert.That(Matcher.Score(request, Provider(1, Offering()), Now, Weights), Is.Not.Null);
        Assert.That(Matcher.Score(request, Provider(1, Offering()) with { Published = false }, Now, Weights), Is.Null, "not published");
        Assert.That(Matcher.Score(request, Provider(1, Offering(category: "crm")), Now, Weights), Is.Null, "other category");
        Assert.That(Matcher.Score(request, Provider(1, Offering(regions: ["06"])), Now, Weights), Is.Null, "other region, on site");
        Assert.That(Matcher.Score(request, Provider(1, Offering(languages: ["en"])), Now, Weights), Is.Null, "other language");
        Assert.That(Matcher.Score(request, Provider(1, Offering(languages: [])), Now, Weights), Is.Not.Null, "language not stated");
        Assert.That(Matcher.Score(request, Provider(1, Offering(regions: [])), Now, Weights), Is.Not.Null, "service area not stated");
        Assert.That(Matcher.Score(request, Provider(1, Offering(allQuebec: true, regions: [])), Now, Weights), Is.Not.Null, "all of Quebec");
        // The same offering must fit: a category here and the region there is not a match.
        Assert.That(Matcher.Score(request, Provider(1, Offering(regions: ["06"]), Offering(category: "crm")), Now, Weights), Is.Null);
    }

    [Test]
    public void Remote_delivery_reaches_any_region_only_when_the_request_accepts_remote()
    {
        var remoteOffer = Provider(1, Offering(delivery: DeliveryMode.ADistance, regions: ["06"]));
        Assert.That(Matcher.Score(Request(delivery: DeliveryPreference.OnSite), remoteOffer, Now, Weights), Is.Null);
        Assert.That(Matcher.Score(Request(delivery: DeliveryPreference.Either), remoteOffer, Now, Weights), Is.Not.Null);
        var match = Matcher.Score(Request(delivery: DeliveryPreference.Remote), remoteOffer, Now, Weights)!;
        Assert.That(match.ServesRegionInPerson, Is.False);
    }

    [Test]
    public void Factors_explain_the_score()
    {
        var request = Request(preferences: new ValuePreferences(PreferSocialEconomy: true, PreferLocal: true, NeedsFreeOrNonprofitPricing: true, FundingProgram: "psoc"));
        var coop = new Candidate(7, "Coop Ici", true, true, "16", Now.AddDays(-10),
            [Offering(pricing: PricingModel.TarifReduitObnl, funding: ["psoc"])]);
        var match = Matcher.Score(request, coop, Now, Weights)!;
        var byFactor = match.Factors.ToDictionary(f => f.Factor, f => f.Value);
        Assert.That(byFactor[MatchFactor.ValueAlignment], Is.EqualTo(1));
        Assert.That(byFactor[MatchFactor.PricingFit], Is.EqualTo(1));
        Assert.That(byFactor[MatchFactor.FundingFit], Is.EqualTo(1));
        Assert.That(byFactor[MatchFactor.LocalPresence], Is.EqualTo(1));
        Assert.That(byFactor[MatchFactor.RecentlyVerified], Is.GreaterThan(0.9));
        Assert.That(match.Score, Is.EqualTo(match.Factors.Sum(f => f.Contribution)).Within(1e-6));
        Assert.That(match.MatchedCategories, Is.EqualTo(new[] { "loi-25" }));

        var privateFirm = coop with { ProviderId = 8, SocialEconomy = false, HeadOfficeRegion = "06" };
        var other = Matcher.Score(request, privateFirm with { Offerings = [Offering(pricing: PricingModel.TauxHoraire)] }, Now, Weights)!;
        Assert.That(other.Score, Is.LessThan(match.Score));
        Assert.That(other.Factors.Single(f => f.Factor == MatchFactor.PricingFit).Value, Is.Zero, "needs free or nonprofit pricing");
    }

    [Test]
    public void An_offering_that_states_no_service_area_reaches_every_region_but_scores_below_one_serving_it()
    {
        var request = Request(region: "06", delivery: DeliveryPreference.OnSite);
        var unknown = Matcher.Score(request, Provider(1, Offering(delivery: DeliveryMode.NonPrecise, regions: [])), Now, Weights);
        var serves = Matcher.Score(request, Provider(2, Offering(delivery: DeliveryMode.NonPrecise, regions: ["06"])), Now, Weights);
        var elsewhere = Matcher.Score(request, Provider(3, Offering(delivery: DeliveryMode.NonPrecise, regions: ["03"])), Now, Weights);
        Assert.That(unknown, Is.Not.Null, "unknown is not \"no\"");
        Assert.That(elsewhere, Is.Null, "a stated region elsewhere still excludes an on-site offering");
        Assert.That(unknown!.ServesRegionInPerson, Is.False);
        double Local(Match m) => m.Factors.Single(f => f.Factor == MatchFactor.LocalPresence).Value;
        Assert.That(Local(unknown), Is.LessThan(Local(serves!)).And.GreaterThan(0));
        Assert.That(unknown.Score, Is.LessThan(serves!.Score));
        // The three paths agree: Top, the pool, and Score.
        Candidate[] both = [Provider(1, Offering(regions: [])), Provider(2, Offering(regions: ["06"]))];
        Assert.That(Matcher.Top(request, both, 5, Now, Weights).Select(m => m.ProviderId), Is.EqualTo(new[] { 2, 1 }));
        Assert.That(new CandidatePool(both, Now, Weights).Top(request, 5, Now, Weights).Select(m => (m.ProviderId, m.Score)),
            Is.EqualTo(Matcher.Top(request, both, 5, Now, Weights).Select(m => (m.ProviderId, m.Score))));
    }

    [Test]
    public void An_offering_that_states_no_language_passes_the_language_constraint_with_a_lower_score()
    {
        var request = Request();
        var unknown = Matcher.Score(request, Provider(1, Offering(languages: [])), Now, Weights);
        var french = Matcher.Score(request, Provider(2, Offering(languages: ["fr"])), Now, Weights);
        Assert.That(unknown, Is.Not.Null);
        Assert.That(unknown!.Factors.Single(f => f.Factor == MatchFactor.LanguageFit).Value, Is.Zero);
        Assert.That(french!.Factors.Single(f => f.Factor == MatchFactor.LanguageFit).Value, Is.EqualTo(1));
        Assert.That(unknown.Score, Is.LessThan(french.Score));
        Candidate[] both = [Provider(1, Offering(languages: [])), Provider(2, Offering(languages: ["fr"]))];
        Assert.That(new CandidatePool(both, Now, Weights).Top(request, 5, Now, Weights).Select(m => m.ProviderId), Is.EqualTo(new[] { 2, 1 }));
    }

    [Test]
    public void A_provider_covering_every_requested_category_ranks_above_one_covering_some_whatever_the_other_factors()
    {
        var request = Request(region: "06", preferences: new ValuePreferences(PreferSocialEconomy: true, PreferLocal: true,
            NeedsFreeOrNonprofitPricing: true, FundingProgram: "psoc"), categories: ["loi-25", "formation"]);
        // Every other factor at its best: social economy, head office here, free, funded, verified today, never dismissed.
        Candidate Best(int id, params string[] categories) => new(id, $"Fournisseur {id}", true, true, "06", Now,
            categories.Select(c => Offering(category: c, pricing: PricingModel.Gratuit, regions: ["06"], funding: ["psoc"])).ToArray());
        var trainingOnly = Best(1, "formation");
        var loi25Only = Best(2, "loi-25");
        // Every other factor at its worst: private, elsewhere, hourly rate, no program, never verified, always dismissed, language not stated.
        var both = new Candidate(3, "Zeta", true, false, "03", null,
            [Offering(category: "loi-25", pricing: PricingModel.TauxHoraire, regions: [], languages: []),
             Offering(category: "formation", pricing: PricingModel.TauxHoraire, regions: [], languages: [])], DismissalRate: 1);
        Candidate[] candidates = [trainingOnly, loi25Only, both];
        var top = Matcher.Top(request, candidates, 5, Now, Weights);
        Assert.That(top.Select(m => m.ProviderId).First(), Is.EqualTo(3));
        Assert.That(top[0].Factors.Single(f => f.Factor == MatchFactor.Coverage).Value, Is.EqualTo(1));
        Assert.That(top[1].Factors.Single(f => f.Factor == MatchFactor.Coverage).Value, Is.EqualTo(0.5));
        Assert.That(new CandidatePool(candidates, Now, Weights).Top(request, 5, Now, Weights).Select(m => m.ProviderId),
            Is.EqualTo(top.Select(m => m.ProviderId)));
        // Other weights, even large or negative: coverage still comes first.
        var heavy = new MatchWeights(ValueAlignment: 50, PricingFit: -20, FundingFit: 30, LocalPresence: 40, RecentlyVerified: 10, DismissalFeedback: 25, LanguageFit: 5);
        Assert.That(Matcher.Top(request, candidates, 5, Now, heavy)[0].ProviderId, Is.EqualTo(3));
    }

    [Test]
    public void Requests_guard_their_state()
    {
        var request = Request();
        Assert.Throws<DomainException>(() => request.Resume(Now));
        request.Pause(Now);
        Assert.Throws<DomainException>(() => request.Pause(Now));
        request.Resume(Now);
        request.Close(Now);
        Assert.Throws<DomainException>(() => request.Edit("x", "", ["crm"], "06", DeliveryPreference.Either, "fr", BudgetRange.Unknown, Timeline.Flexible, ValuePreferences.None, Now));
        Assert.Throws<DomainException>(() => Request(region: "42"));
        Assert.Throws<DomainException>(() => new NeedRequest(1, "Titre", "", [], "06", DeliveryPreference.Either, "fr", BudgetRange.Unknown, Timeline.Flexible, ValuePreferences.None, Now));
        Assert.Throws<DomainException>(() => new NeedRequest(1, "Titre", "", ["crm"], "06", DeliveryPreference.Either, "fr", (BudgetRange)42, Timeline.Flexible, ValuePreferences.None, Now));
    }

    [Test]
    public void A_match_response_guards_dismissal_contact_and_disclosure()
    {
        var response = new MatchResponse(1, 2);
        Assert.Throws<DomainException>(() => response.Restore());
        response.Dismiss(DismissalReason.Price, Now);
        Assert.That(response.DismissalReason, Is.EqualTo(DismissalReason.Price));
        Assert.Throws<DomainException>(() => response.Contact("Bonjour", shareDetails: true, "user-1", Now));
        Assert.Throws<DomainException>(() => response.ShareDetails("user-1", Now));
        response.Restore();
        Assert.Throws<DomainException>(() => response.Contact("   ", shareDetails: false, "user-1", Now));
        response.Contact("Bonjour, pouvez-vous nous aider?", shareDetails: false, "user-1", Now);
        Assert.That(response.DetailsShared, Is.False, "a message alone shares nothing");
        response.ShareDetails("user-1", Now.AddHours(1));
        response.ShareDetails("user-2", Now.AddHours(2));
        Assert.That((response.SharedByUserId, response.DetailsSharedAt), Is.EqualTo(("user-1", (DateTimeOffset?)Now.AddHours(1))), "the first disclosure stands");
        Assert.That(response.Interested(Now), Is.True);
        Assert.That(response.Interested(Now.AddDays(1)), Is.False);
        Assert.That(response.InterestedAt, Is.EqualTo(Now));
    }

    [Test]
    public void A_human_review_is_answered_once()
    {
        var review = new HumanReview(1, "user-1", "  ", Now);
        Assert.That(review.Question, Is.Null);
        Assert.Throws<DomainException>(() => review.Respond("curator", " ", Now));
        review.Respond("curator", "Les suggestions sont bonnes; essayez aussi la catégorie Formation.", Now);
        Assert.That(review.Answered, Is.True);
        Assert.Throws<DomainException>(() => review.Respond("other", "Autre réponse", Now));
    }

    // ---- Properties (FsCheck) over random requests and candidates ----

    private static readonly string[] Categories = ["loi-25", "crm", "materiel", "formation"];
    private static readonly string[] Regions = ["03", "06", "16"];

    private static Gen<CandidateOffering> OfferingGen() =>
        from category in Gen.Elements(Categories)
        from pricing in Gen.Elements(Enum.GetValues<PricingModel>())
        from delivery in Gen.Elements(Enum.GetValues<DeliveryMode>())
        from allQuebec in Gen.Frequency((1, Gen.Constant(true)), (4, Gen.Constant(false)))
        from regions in Gen.SubListOf(Regions)
        from languages in Gen.Elements<string[]>(["fr"], ["en"], ["fr", "en"], [])
        from funding in Gen.Elements<string[]>([], ["psoc"])
        select new CandidateOffering(category, pricing, delivery, allQuebec, regions.ToArray(), languages, funding);

    private static Gen<Candidate[]> CandidatesGen(int most = 12) =>
        from count in Gen.Choose(0, most)
        from list in Gen.ArrayOf(
            from published in Gen.Frequency((5, Gen.Constant(true)), (1, Gen.Constant(false)))
            from social in Gen.Elements(true, false)
            from office in Gen.Elements<string?>(null, "03", "06", "16")
            from age in Gen.Choose(0, 800)
            from dismissal in Gen.Choose(0, 10)
            from offerings in Gen.NonEmptyListOf(OfferingGen())
            select (published, social, office, age, dismissal, offerings), count)
        select list.Select((c, i) => new Candidate(i + 1, $"P{i:00}", c.published, c.social, c.office, Now.AddDays(-c.age),
            c.offerings.ToArray(), c.dismissal / 10.0)).ToArray();

    private static Gen<NeedRequest> RequestGen() =>
        from categories in Gen.NonEmptyListOf(Gen.Elements(Categories))
        from region in Gen.Elements(Regions)
        from delivery in Gen.Elements(Enum.GetValues<DeliveryPreference>())
        from language in Gen.Elements("fr", "en")
        from social in Gen.Elements(true, false)
        from local in Gen.Elements(true, false)
        from cheap in Gen.Elements(true, false)
        from funding in Gen.Elements<string?>(null, "psoc")
        select new NeedRequest(1, "Besoin", "", categories, region, delivery, language, BudgetRange.Unknown, Timeline.Flexible, new ValuePreferences(social, local, cheap, funding), Now);

    [Test]
    public void Property_a_hard_constraint_is_never_violated() =>
        Prop.ForAll(RequestGen().ToArbitrary(), CandidatesGen().ToArbitrary(), (request, candidates) =>
            Matcher.Top(request, candidates, 50, Now, Weights).All(match =>
            {
                var c = candidates.Single(x => x.ProviderId == match.ProviderId);
                // Unknown is not "no": an offering stating no language, or no area, is not excluded.
                return c.Published && c.Offerings.Any(o => request.Categories.Contains(o.CategoryKey)
                    && (o.Languages.Count == 0 || o.Languages.Contains(request.Language))
                    && (o.ServesAllQuebec || o.Regions.Contains(request.Region) || o.Regions.Count == 0
                        || request.AcceptsRemote && o.Delivery is DeliveryMode.ADistance or DeliveryMode.Hybride));
            })).QuickCheckThrowOnFailure();

    [Test]
    public void Property_results_are_deterministic_whatever_the_order_of_candidates() =>
        Prop.ForAll(RequestGen().ToArbitrary(), CandidatesGen().ToArbitrary(), (request, candidates) =>
        {
            var first = Matcher.Top(request, candidates, 5, Now, Weights).Select(m => (m.ProviderId, m.Score));
            var again = Matcher.Top(request, candidates.Reverse().ToArray(), 5, Now, Weights).Select(m => (m.ProviderId, m.Score));
            return first.SequenceEqual(again);
        }).QuickCheckThrowOnFailure();

    private static bool TopIsEveryScoreSorted(NeedRequest request, IEnumerable<Candidate> candidates, int count, MatchWeights weights)
    {
        var list = candidates.ToArray();
        var expected = list.Select(c => Matcher.Score(request, c, Now, weights)).OfType<Match>()
            .OrderByDescending(m => m.Score).ThenBy(m => m.Name, StringComparer.Ordinal).ThenBy(m => m.ProviderId).Take(count).ToList();
        return Same(Matcher.Top(request, list, count, Now, weights)) && Same(new CandidatePool(list, Now, weights).Top(request, count, Now, weights));

        bool Same(IReadOnlyList<Match> actual) => actual.Count == expected.Count && actual.Zip(expected).All(p =>
            p.First.ProviderId == p.Second.ProviderId && p.First.Name == p.Second.Name && p.First.Score == p.Second.Score
            && p.First.Factors.SequenceEqual(p.Second.Factors) && p.First.MatchedCategories.SequenceEqual(p.Second.MatchedCategories));
    }

    private static Gen<(int Count, MatchWeights Weights)> TopSettingsGen() =>
        from count in Gen.Choose(1, 8)
        from weights in Gen.Elements(Weights, new MatchWeights(0.3, 1.7, 2.9, 0.1, 1.3, 0.7, 0.4), new MatchWeights(1, 0, 0, 0, 0, 0, 0),
            new MatchWeights(2, -1, 1, 0.5, 1, 2, 1), new MatchWeights(0, 0, 0, 0, 0, 0, 3))
        select (count, weights);

    [Test]
    public void Property_top_is_every_candidate_scored_then_sorted_by_score_name_and_id() =>
        // Matcher.Top scores without building matches and keeps only the best; CandidatePool also scores from bit sets and
        // skips candidates whose best reachable score cannot enter. Both must give exactly what scoring every candidate with
        // Score and a stable sort gives. Up to 60 candidates for a top of 1 to 8 (so that the bound skips some); few names and repeated ids
        // make ties on every key; one set of weights has a negative weight (no bound).
        Prop.ForAll(RequestGen().ToArbitrary(), CandidatesGen(60).ToArbitrary(), TopSettingsGen().ToArbitrary(), (request, candidates, setting) =>
            TopIsEveryScoreSorted(request, candidates.Select((c, i) => c with { Name = i % 3 == 0 ? "A" : "B", ProviderId = i % 5 }),
                setting.Count, setting.Weights)).QuickCheckThrowOnFailure();

    [Test]
    public void Property_top_is_the_same_when_keys_do_not_fit_the_bit_sets() =>
        // With more than 64 distinct categories the pool scores candidate by candidate: the same ranking.
        Prop.ForAll(RequestGen().ToArbitrary(), CandidatesGen().ToArbitrary(), TopSettingsGen().ToArbitrary(), (request, candidates, setting) =>
        {
            var many = new Candidate(99, "Beaucoup de catégories", true, false, null, Now,
                Enumerable.Range(0, 70).Select(i => Offering(category: $"categorie-{i:00}", allQuebec: true)).ToArray());
            return TopIsEveryScoreSorted(request, candidates.Append(many), setting.Count, setting.Weights);
        }).QuickCheckThrowOnFailure();

    [Test]
    public void Property_a_pool_built_for_another_time_and_weights_still_ranks_exactly() =>
        // The pool's bounds and precomputed contributions are for the time and weights it was built with; asked with others it
        // must ignore them.
        Prop.ForAll(RequestGen().ToArbitrary(), CandidatesGen(30).ToArbitrary(), TopSettingsGen().ToArbitrary(), (request, candidates, setting) =>
        {
            var pool = new CandidatePool(candidates, Now.AddDays(-200), new MatchWeights(9, 0, 0, 0, 5, 0));
            var expected = candidates.Select(c => Matcher.Score(request, c, Now, setting.Weights)).OfType<Match>()
                .OrderByDescending(m => m.Score).ThenBy(m => m.Name, StringComparer.Ordinal).ThenBy(m => m.ProviderId).Take(setting.Count);
            return pool.Top(request, setting.Count, Now, setting.Weights).Select(m => (m.ProviderId, m.Score))
                .SequenceEqual(expected.Select(m => (m.ProviderId, m.Score)));
        }).QuickCheckThrowOnFailure();

    [Test]
    public void Property_a_provider_covering_more_requested_categories_always_ranks_higher() =>
        // Coverage first: along any ranking, the number of requested categories covered never grows, whatever the weights.
        Prop.ForAll(RequestGen().ToArbitrary(), CandidatesGen(30).ToArbitrary(), TopSettingsGen().ToArbitrary(), (request, candidates, setting) =>
        {
            var coverage = Matcher.Top(request, candidates, 30, Now, setting.Weights).Select(m => m.MatchedCategories.Count).ToArray();
            var pooled = new CandidatePool(candidates, Now, setting.Weights).Top(request, 30, Now, setting.Weights)
                .Select(m => m.MatchedCategories.Count).ToArray();
            return coverage.Zip(coverage.Skip(1)).All(p => p.First >= p.Second) && pooled.SequenceEqual(coverage);
        }).QuickCheckThrowOnFailure();

    [Test]
    public void Property_improving_one_factor_never_lowers_a_providers_rank() =>
        Prop.ForAll(RequestGen().ToArbitrary(), CandidatesGen().ToArbitrary(), Gen.Choose(0, 5).ToArbitrary(), (request, candidates, which) =>
        {
            var ranked = Matcher.Top(request, candidates, 100, Now, Weights);
            if (ranked.Count == 0) return true;
            var target = candidates.Single(c => c.ProviderId == ranked[^1].ProviderId);
            var improved = which switch
            {
                0 => target with { SocialEconomy = true },
                1 => target with { VerifiedAt = Now },
                2 => target with { DismissalRate = 0 },
                3 => target with { HeadOfficeRegion = request.Region },
                // Stating what was unknown: the request's language, or the request's region.
                4 => target with { Offerings = target.Offerings.Select(o => o.LanguageUnknown ? o with { Languages = [request.Language] } : o).ToArray() },
                _ => target with { Offerings = target.Offerings.Select(o => o.AreaUnknown ? o with { Regions = [request.Region] } : o).ToArray() },
            };
            var before = ranked.Select(m => m.ProviderId).ToList().IndexOf(target.ProviderId);
            var after = Matcher.Top(request, candidates.Select(c => c.ProviderId == target.ProviderId ? improved : c), 100, Now, Weights)
                .Select(m => m.ProviderId).ToList().IndexOf(target.ProviderId);
            return after >= 0 && after <= before;
        }).QuickCheckThrowOnFailure();
}
