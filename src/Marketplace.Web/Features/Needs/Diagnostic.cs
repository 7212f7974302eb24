namespace Marketplace.Web.Features.Needs;

/// <summary>
/// The guided diagnostic: about ten plain questions built from the needs the seed inventory lists (Law 25, ageing
/// computers, tracking members and donors, training, IT support, security, licences, hybrid work, website, digital
/// inclusion, impact reporting, where to start and how to fund it). Each answer may suggest categories, each with one
/// sentence saying why. Pure: nothing is stored; the answers travel in the query string.
/// </summary>
public static class Diagnostic
{
    /// <summary>A question (resource <c>Diagnostic.Q.{Key}</c>) and its options (<c>Diagnostic.Q.{Key}.{Option}</c>).</summary>
    public sealed record Question(string Key, IReadOnlyList<string> Options);

    /// <summary>A suggested category (taxonomy key) and the resource key of the sentence saying why.</summary>
    public sealed record Suggestion(string Category, string ReasonKey);

    private sealed record Rule(string Question, IReadOnlyList<string> When, string Category);

    public static readonly IReadOnlyList<Question> Questions =
    [
        new("privacy-officer", ["yes", "no", "unsure"]),
        new("computers", ["recent", "middle", "old", "missing"]),
        new("tracking", ["tool", "spreadsheets", "none"]),
        new("training", ["much", "some", "no"]),
        new("support", ["provider", "volunteer", "nobody"]),
        new("security", ["yes", "partly", "no"]),
        new("licences", ["discounted", "full", "unsure"]),
        new("hybrid", ["works", "struggles", "no"]),
        new("website", ["yes", "partly", "none"]),
        new("public", ["yes", "no"]),
        new("impact", ["hard", "fine", "no"]),
        new("start", ["yes", "no"]),
    ];

    private static readonly IReadOnlyList<Rule> Rules =
    [
        new("privacy-officer", ["no", "unsure"], "loi-25"),
        new("tracking", ["spreadsheets", "none"], "crm"),
        new("computers", ["old", "missing"], "materiel"),
        new("licences", ["full", "unsure"], "logiciels"),
        new("training", ["much", "some"], "formation"),
        new("support", ["volunteer", "nobody"], "soutien-ti"),
        new("security", ["partly", "no"], "cybersecurite"),
        new("hybrid", ["struggles"], "travail-hybride"),
        new("website", ["partly", "none"], "web-communications"),
        new("public", ["yes"], "inclusion-numerique"),
        new("impact", ["hard"], "donnees"),
        new("start", ["no"], "accompagnement"),
        new("start", ["no"], "financement"),
    ];

    /// <summary>
    /// The suggestions for the answers given, in the order of the rules, one per category. An unanswered question
    /// suggests nothing. Returns false when an answer names an unknown question or option.
    /// </summary>
    public static bool TrySuggest(IReadOnlyDictionary<string, string> answers, out IReadOnlyList<Suggestion> suggestions)
    {
        suggestions = [];
        foreach (var (key, value) in answers)
        {
            var question = Questions.FirstOrDefault(q => q.Key == key);
            if (question is null || !question.Options.Contains(value)) return false;
        }
        suggestions = Rules.Where(r => answers.TryGetValue(r.Question, out var answer) && r.When.Contains(answer))
            .Select(r => new Suggestion(r.Category, $"Diagnostic.Why.{r.Category}"))
            .DistinctBy(s => s.Category).ToList();
        return true;
    }
}
