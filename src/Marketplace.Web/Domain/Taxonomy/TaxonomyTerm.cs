namespace Marketplace.Web.Domain.Taxonomy;

public enum TaxonomyKind
{
    Category,
    Region,
    Language,
    FundingProgram,
}

/// <summary>
/// A bilingual term of a controlled vocabulary kept in seed-data (categories, regions, languages, funding programs).
/// Keys are stable; labels may change.
/// </summary>
public sealed class TaxonomyTerm
{
    public const int KeyMaxLength = 64;
    public const int LabelMaxLength = 200;
    public const int DescriptionMaxLength = 1000;

    private TaxonomyTerm() { }

    public TaxonomyTerm(TaxonomyKind kind, string key, string labelFr, string labelEn, int position,
        string? descriptionFr = null, string? descriptionEn = null)
    {
        Kind = kind;
        Key = Guard.Text(key, KeyMaxLength, nameof(key));
        Position = position;
        Relabel(labelFr, labelEn, descriptionFr, descriptionEn);
    }

    public int Id { get; private set; }
    public TaxonomyKind Kind { get; private set; }
    public string Key { get; private set; } = "";
    public string LabelFr { get; private set; } = "";
    public string LabelEn { get; private set; } = "";
    public string? DescriptionFr { get; private set; }
    public string? DescriptionEn { get; private set; }
    public int Position { get; private set; }

    public void Relabel(string labelFr, string labelEn, string? descriptionFr, string? descriptionEn)
    {
        LabelFr = Guard.Text(labelFr, LabelMaxLength, nameof(labelFr));
        LabelEn = Guard.OptionalText(labelEn, LabelMaxLength, nameof(labelEn)) ?? LabelFr;
        DescriptionFr = Guard.OptionalText(descriptionFr, DescriptionMaxLength, nameof(descriptionFr));
        DescriptionEn = Guard.OptionalText(descriptionEn, DescriptionMaxLength, nameof(descriptionEn));
    }

    public void MoveTo(int position) => Position = position;
}
