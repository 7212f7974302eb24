namespace Marketplace.Web.Domain.Taxonomy;

/// <summary>
/// One group of the search thesaurus: words or phrases that mean the same thing to the people who search the directory
/// (« ordinateur », « poste de travail », « matériel informatique », « computer »). A search for any of them also finds
/// the others; applied when a query is read, never when a listing is indexed, so an edit takes effect at once
/// (docs/search.md). Seeded from seed-data/synonymes.txt, then kept by the verification team.
/// </summary>
public sealed class SynonymGroup
{
    public const int MaxAlternatives = 20;
    public const int AlternativeMaxLength = 60;
    public const int TermsMaxLength = 1200;

    private SynonymGroup() { }

    public SynonymGroup(IEnumerable<string> alternatives, DateTimeOffset now)
    {
        Replace(alternatives, now);
    }

    public int Id { get; private set; }

    /// <summary>The alternatives, one per line, as written (accents and case kept for display).</summary>
    public string Terms { get; private set; } = "";

    public DateTimeOffset UpdatedAt { get; private set; }

    public IReadOnlyList<string> Alternatives => Terms.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public void Replace(IEnumerable<string> alternatives, DateTimeOffset now)
    {
        Terms = string.Join('\n', Check(alternatives));
        UpdatedAt = now;
    }

    /// <summary>
    /// The alternatives of a group as typed (commas or line breaks between them), trimmed, inner spaces collapsed,
    /// repeats dropped (ignoring case and accents). A group needs at least two different alternatives.
    /// </summary>
    public static IReadOnlyList<string> Parse(string? text) =>
        (text ?? "").Split([',', '\n', '\r', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(a => string.Join(' ', a.Split(' ', StringSplitOptions.RemoveEmptyEntries)))
            .Where(a => a.Length > 0)
            .DistinctBy(a => Fold(a))
            .ToArray();

    private static IReadOnlyList<string> Check(IEnumerable<string> alternatives)
    {
        var list = Parse(string.Join('\n', alternatives));
        if (list.Count < 2) throw new DomainException("A synonym group needs at least two different alternatives.");
        if (list.Count > MaxAlternatives) throw new DomainException($"A synonym group holds at most {MaxAlternatives} alternatives.");
        if (list.Any(a => a.Length > AlternativeMaxLength))
            throw new DomainException($"A synonym is at most {AlternativeMaxLength} characters.");
        if (string.Join('\n', list).Length > TermsMaxLength) throw new DomainException("A synonym group is too long.");
        return list;
    }

    /// <summary>How two alternatives are compared: accents and case ignored (« Réemploi » and « reemploi » are one).</summary>
    public static string Fold(string text) =>
        new string(text.Normalize(System.Text.NormalizationForm.FormD)
            .Where(c => System.Globalization.CharUnicodeInfo.GetUnicodeCategory(c) != System.Globalization.UnicodeCategory.NonSpacingMark)
            .ToArray()).ToLowerInvariant();
}
