using System.Text.Json;
using Marketplace.Tests.Support;
using Marketplace.Web.Features.Needs;

namespace Marketplace.Tests.Unit;

public sealed class DiagnosticTests
{
    public static IReadOnlyList<string> TaxonomyCategories()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Path.Combine(MarketplaceFactory.RepositoryRoot, "seed-data", "taxonomy.json")));
        return json.RootElement.GetProperty("categories").EnumerateArray().Select(c => c.GetProperty("key").GetString()!).ToArray();
    }

    private static IReadOnlyList<Diagnostic.Suggestion> Suggest(params (string Question, string Answer)[] answers)
    {
        Assert.That(Diagnostic.TrySuggest(answers.ToDictionary(a => a.Question, a => a.Answer), out var suggestions), Is.True);
        return suggestions;
    }

    [Test]
    public void About_ten_questions_and_every_suggestion_is_a_real_category()
    {
        Assert.That(Diagnostic.Questions, Has.Count.InRange(10, 12));
        var everything = Diagnostic.Questions.SelectMany(q => q.Options.Select(o => (q.Key, o))).ToArray();
        var categories = TaxonomyCategories();
        foreach (var (question, option) in everything)
            Assert.That(Suggest((question, option)).Select(s => s.Category), Is.SubsetOf(categories), $"{question}={option}");
        // Every category of the taxonomy can be suggested by some answer.
        var reachable = everything.SelectMany(a => Suggest(a)).Select(s => s.Category).Distinct();
        Assert.That(reachable, Is.EquivalentTo(categories));
    }

    [Test]
    public void Answers_suggest_categories_each_with_its_reason()
    {
        Assert.That(Suggest(("privacy-officer", "yes"), ("computers", "recent"), ("training", "no")), Is.Empty);
        var suggestions = Suggest(("privacy-officer", "unsure"), ("tracking", "spreadsheets"), ("start", "no"));
        Assert.That(suggestions.Select(s => s.Category), Is.EqualTo(new[] { "loi-25", "crm", "accompagnement", "financement" }));
        Assert.That(suggestions.Select(s => s.ReasonKey), Is.All.StartsWith("Diagnostic.Why."));
        Assert.That(Suggest(), Is.Empty, "every question may be skipped");
    }

    [Test]
    public void An_unknown_question_or_answer_is_refused()
    {
        Assert.That(Diagnostic.TrySuggest(new Dictionary<string, string> { ["computers"] = "ancien" }, out _), Is.False);
        Assert.That(Diagnostic.TrySuggest(new Dictionary<string, string> { ["<script>"] = "yes" }, out _), Is.False);
    }
}
