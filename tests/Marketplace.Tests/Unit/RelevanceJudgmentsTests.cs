using Marketplace.Tests.Relevance;
using Marketplace.Tests.Support;

namespace Marketplace.Tests.Unit;

/// <summary>The scoring of the judged relevance set (docs/search.md, Judging relevance) and the set itself.</summary>
public sealed class RelevanceJudgmentsTests
{
    private static readonly Dictionary<string, int> AandB = new() { ["a"] = 3, ["b"] = 2 };

    [Test]
    public void The_judged_order_scores_one() =>
        Assert.That(Ndcg.At(5, ["a", "b", "x", "y", "z"], AandB), Is.EqualTo(1.0).Within(1e-12));

    [Test]
    public void Nothing_judged_in_the_top_scores_zero() =>
        Assert.That(Ndcg.At(5, ["x", "y", "z"], AandB), Is.EqualTo(0.0));

    [Test]
    public void No_result_scores_zero() =>
        Assert.That(Ndcg.At(5, [], AandB), Is.EqualTo(0.0));

    [Test]
    public void Swapping_the_two_judged_providers_costs_what_the_log2_discount_says()
    {
        // DCG = 2/log2(2) + 3/log2(3) = 3.892789; ideal = 3/log2(2) + 2/log2(3) = 4.261860; 3.892789 / 4.261860 = 0.913402.
        Assert.That(Ndcg.At(5, ["b", "a"], AandB), Is.EqualTo(0.913402).Within(1e-6));
    }

    [Test]
    public void An_unjudged_provider_first_pushes_the_judged_one_down() =>
        // 3/log2(3) over 3/log2(2).
        Assert.That(Ndcg.At(5, ["x", "a"], new Dictionary<string, int> { ["a"] = 3 }), Is.EqualTo(0.630930).Within(1e-6));

    [Test]
    public void Only_the_first_five_count_and_the_ideal_is_the_best_five_judged()
    {
        var six = Enumerable.Range(1, 6).ToDictionary(i => $"p{i}", _ => 3);
        Assert.That(Ndcg.At(5, ["p6", "p5", "p4", "p3", "p2"], six), Is.EqualTo(1.0).Within(1e-12));
        Assert.That(Ndcg.At(5, ["x1", "x2", "x3", "x4", "x5", "p1"], six), Is.EqualTo(0.0));
    }

    [Test]
    public void A_lower_grade_above_a_higher_one_scores_below_one()
    {
        var grades = new Dictionary<string, int> { ["exact"] = 3, ["ok"] = 1 };
        // (1 + 3/log2(3)) / (3 + 1/log2(3)) = 2.892789 / 3.630930 = 0.796708.
        Assert.That(Ndcg.At(5, ["ok", "exact"], grades), Is.EqualTo(0.796708).Within(1e-6));
    }

    [Test]
    public void A_query_without_judged_providers_is_refused() =>
        Assert.Throws<ArgumentException>(() => Ndcg.At(5, ["a"], new Dictionary<string, int>()));

    [Test]
    public void The_set_has_at_least_45_french_and_english_queries_each_judged_once()
    {
        var set = RelevanceSet.Load();
        Assert.That(set.Queries, Has.Count.GreaterThanOrEqualTo(45));
        Assert.That(set.Queries.Select(q => q.Lang).Distinct(), Is.EquivalentTo(new[] { "fr", "en" }));
        Assert.That(set.Queries.Count(q => q.Lang == "en"), Is.GreaterThanOrEqualTo(15));
        Assert.That(set.Queries.Select(q => (q.Text.ToLowerInvariant(), q.Lang)), Is.Unique);
    }

    [Test]
    public void Every_judged_provider_is_a_published_seed_provider_with_a_grade_from_1_to_3()
    {
        var published = SeedDataOracle.Load().Published.Select(p => p.Slug).ToHashSet();
        foreach (var query in RelevanceSet.Load().Queries)
        {
            Assert.That(query.Expected, Is.Not.Empty, query.ToString());
            foreach (var (slug, grade) in query.Expected)
            {
                Assert.That(published, Does.Contain(slug), $"{query}: {slug} is not a published seed provider");
                Assert.That(grade, Is.InRange(1, 3), $"{query}: {slug}");
            }
        }
    }
}
