namespace Marketplace.Web.Features.Shared;

/// <summary>
/// What an action will do, said before it is done (ADR 0016): the first POST of an action that cannot be taken back
/// easily (archive, close, share) changes nothing and shows this page; its button posts the same form again with
/// <c>confirm=true</c>. Works without JavaScript.
/// </summary>
/// <param name="Action">Where the confirming form posts (the same action as the first POST).</param>
/// <param name="Fields">The values of the first POST, carried as they were.</param>
public sealed record Confirmation(
    string Title,
    IReadOnlyList<string> Consequences,
    string Action,
    IReadOnlyDictionary<string, string> Fields,
    string ConfirmLabel,
    string CancelUrl)
{
    /// <summary>Exactly what will be disclosed, label and value, when the action shares something.</summary>
    public IReadOnlyList<(string Label, string Value)> Disclosed { get; init; } = [];

    public string? DisclosedHeading { get; init; }

    /// <summary>A text the person wrote, shown as it will be sent.</summary>
    public (string Heading, string Text)? Quote { get; init; }

    /// <summary>A second way forward that does less (e.g. send the message without the details).</summary>
    public Alternative? Other { get; init; }

    public sealed record Alternative(string Action, IReadOnlyDictionary<string, string> Fields, string Label);

    /// <summary>The form field that says the person saw this page and confirmed.</summary>
    public const string ConfirmField = "confirm";
}
