using System.Text.Json;
using System.Text.Json.Serialization;

namespace Marketplace.Tests.Relevance;

/// <summary>
/// The judged relevance set (judgments.json, copied next to the tests): queries on the seed data, each with the
/// providers a knowledgeable person expects in the top 5 and their grade (3 exactly what was asked, 2 clearly
/// relevant, 1 acceptable). See docs/search.md, Judging relevance.
/// </summary>
public sealed record RelevanceSet(string About, IReadOnlyList<JudgedQuery> Queries)
{
    public const string FileName = "judgments.json";

    public static RelevanceSet Load()
    {
        var path = Path.Combine(TestContext.CurrentContext.TestDirectory, "Relevance", FileName);
        return JsonSerializer.Deserialize<RelevanceSet>(File.ReadAllText(path), new JsonSerializerOptions(JsonSerializerDefaults.Web))
            ?? throw new InvalidOperationException($"{path} is empty");
    }
}

/// <summary>One judged query: its text, the site language it is typed in, why it is judged so (optional), the grades.</summary>
public sealed record JudgedQuery(
    [property: JsonPropertyName("q")] string Text,
    string Lang,
    string? Why,
    IReadOnlyDictionary<string, int> Expected)
{
    public override string ToString() => $"« {Text} » ({Lang})";
}

/// <summary>Normalized discounted cumulative gain: how close a ranking is to the judged ideal, from 0 to 1.</summary>
public static class Ndcg
{
    /// <summary>
    /// nDCG@k of the returned slugs: each of the first k earns its grade (0 when not judged) divided by log2(rank + 1),
    /// and the sum is divided by the same sum for the judged grades in their best order. A slug returned twice counts
    /// once.
    /// </summary>
    public static double At(int k, IEnumerable<string> returned, IReadOnlyDictionary<string, int> grades)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        if (grades.Count == 0 || grades.Values.Any(g => g <= 0))
            throw new ArgumentException("A judged query needs at least one provider, each with a grade above 0.", nameof(grades));
        var ideal = Dcg(grades.Values.OrderByDescending(g => g).Take(k));
        var actual = Dcg(returned.Distinct(StringComparer.Ordinal).Take(k).Select(s => grades.GetValueOrDefault(s)));
        return actual / ideal;
    }

    private static double Dcg(IEnumerable<int> gainsInRankOrder) =>
        gainsInRankOrder.Select((gain, index) => gain / Math.Log2(index + 2)).Sum();
}
