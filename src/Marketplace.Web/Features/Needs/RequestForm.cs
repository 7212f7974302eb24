using Marketplace.Web.Domain.Matching;
using Marketplace.Web.Domain.Providers;
using Microsoft.Extensions.Localization;

namespace Marketplace.Web.Features.Needs;

/// <summary>
/// The request form: only what the nonprofit may set (no status, no organization: those come from the signed-in user).
/// Enum values travel as their names; every problem becomes a message in the current language.
/// </summary>
public sealed class RequestForm
{
    public int? Id { get; set; }
    public string? Title { get; set; }
    public string? Description { get; set; }
    public List<string> Categories { get; set; } = [];
    public string? Region { get; set; }
    public string Delivery { get; set; } = nameof(DeliveryPreference.Either);
    public string Language { get; set; } = "fr";
    public string Budget { get; set; } = nameof(BudgetRange.Unknown);
    public string Timeline { get; set; } = nameof(Domain.Matching.Timeline.Flexible);
    public bool PreferSocialEconomy { get; set; }
    public bool PreferLocal { get; set; }
    public bool NeedsFreeOrNonprofitPricing { get; set; }
    public string? FundingProgram { get; set; }

    public static RequestForm From(NeedRequest request) => new()
    {
        Id = request.Id, Title = request.Title, Description = request.Description, Categories = request.Categories.ToList(),
        Region = request.Region, Delivery = request.Delivery.ToString(), Language = request.Language, Budget = request.Budget.ToString(),
        Timeline = request.Timeline.ToString(), PreferSocialEconomy = request.Preferences.PreferSocialEconomy,
        PreferLocal = request.Preferences.PreferLocal, NeedsFreeOrNonprofitPricing = request.Preferences.NeedsFreeOrNonprofitPricing,
        FundingProgram = request.Preferences.FundingProgram,
    };

    public sealed record Valid(string Title, string Description, IReadOnlyList<string> Categories, string Region, DeliveryPreference Delivery,
        string Language, BudgetRange Budget, Timeline Timeline, ValuePreferences Preferences);

    /// <summary>The values ready for <see cref="NeedRequest"/>, or every problem found.</summary>
    public (Valid? Values, List<string> Problems) Validate(IStringLocalizer text, IReadOnlySet<string> categories, IReadOnlySet<string> languages,
        IReadOnlySet<string> funding)
    {
        var problems = new List<string>();
        var title = Title?.Trim() ?? "";
        if (title.Length == 0) problems.Add(text["Needs.Problem.Title"]);
        if (title.Length > NeedRequest.TitleMaxLength || (Description?.Length ?? 0) > NeedRequest.DescriptionMaxLength)
            problems.Add(text["Needs.Problem.TooLong"]);
        var chosen = Categories.Where(c => !string.IsNullOrWhiteSpace(c)).Distinct().ToList();
        if (chosen.Count == 0) problems.Add(text["Needs.Problem.Categories"]);
        if (chosen.Any(c => !categories.Contains(c))) problems.Add(text["Needs.Problem.UnknownCategory"]);
        if (!RegionCodes.IsValid(Region ?? "")) problems.Add(text["Needs.Problem.Region"]);
        if (!languages.Contains(Language)) problems.Add(text["Needs.Problem.Language"]);
        var funded = string.IsNullOrWhiteSpace(FundingProgram) ? null : FundingProgram.Trim();
        if (funded is not null && !funding.Contains(funded)) problems.Add(text["Needs.Problem.Funding"]);
        var choicesValid = TryParse<DeliveryPreference>(Delivery, out var delivery) & TryParse<BudgetRange>(Budget, out var budget)
                           & TryParse<Timeline>(Timeline, out var timeline);
        if (!choicesValid) problems.Add(text["Needs.Problem.Choice"]);
        if (problems.Count > 0) return (null, problems);
        return (new Valid(title, Description?.Trim() ?? "", chosen, Region!, delivery, Language, budget, timeline,
            new ValuePreferences(PreferSocialEconomy, PreferLocal, NeedsFreeOrNonprofitPricing, funded)), problems);
    }

    private static bool TryParse<T>(string? value, out T result) where T : struct, Enum =>
        Enum.TryParse(value, ignoreCase: false, out result) && Enum.IsDefined(result) && !int.TryParse(value, out _);
}
