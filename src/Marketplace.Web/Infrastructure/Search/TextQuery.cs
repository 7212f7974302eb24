using System.Globalization;
using System.Text;

namespace Marketplace.Web.Infrastructure.Search;

/// <summary>
/// Turns what a person typed into search terms: lower case, no accents, no stop words, at most <see cref="MaxTerms"/>.
/// Each term also gets a light French stem (plural and feminine endings off) so that « formations » finds « formation »
/// and « reconditionnés » finds « reconditionné » when matched as a prefix.
/// </summary>
public static class TextQuery
{
    public const int MaxTerms = 8;
    private const int MaxTermLength = 40;

    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        // French
        "a", "au", "aux", "avec", "ce", "ces", "dans", "de", "des", "du", "en", "et", "l", "la", "le", "les", "leur",
        "leurs", "d", "ou", "par", "pour", "qu", "que", "qui", "sa", "se", "ses", "son", "sur", "un", "une", "s", "n", "ne",
        "pas", "est", "sont", "y", "c", "j", "m", "t",
        // English
        "an", "and", "for", "in", "of", "on", "or", "the", "to", "with", "by", "is", "are",
    };

    /// <summary>The normalized terms (unaccented, lower-case, without stop words) in the order typed.</summary>
    public static IReadOnlyList<string> Terms(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        var words = Normalize(text).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words
            .Where(w => !StopWords.Contains(w))
            .Select(w => w.Length > MaxTermLength ? w[..MaxTermLength] : w)
            .Distinct()
            .Take(MaxTerms)
            .ToArray();
    }

    /// <summary>Prefixes that a term matches: its light stem, and for « -aux » plurals also the « -al » singular.</summary>
    public static IReadOnlyList<string> Prefixes(string term)
    {
        if (term.Length <= 3 || term.Any(char.IsAsciiDigit)) return [term];
        var stem = term;
        if (stem.EndsWith("aux", StringComparison.Ordinal) && stem.Length > 4)
            return [stem[..^1], stem[..^3] + "al"];
        if (stem.Length > 4 && (stem.EndsWith('s') || stem.EndsWith('x'))) stem = stem[..^1];
        if (stem.Length > 4 && stem.EndsWith('e')) stem = stem[..^1];
        return [stem];
    }

    /// <summary>Lower case, accents removed (é→e, œ→oe), every run of non letter-or-digit characters turned into one space.</summary>
    public static string Normalize(string text)
    {
        var decomposed = text.Normalize(NormalizationForm.FormD);
        var sb = new StringBuilder(decomposed.Length);
        var lastWasSpace = true;
        foreach (var ch in decomposed)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(ch);
            if (category == UnicodeCategory.NonSpacingMark) continue;
            if (char.IsLetterOrDigit(ch))
            {
                switch (ch)
                {
                    case 'œ' or 'Œ': sb.Append("oe"); break;
                    case 'æ' or 'Æ': sb.Append("ae"); break;
                    case 'ß': sb.Append("ss"); break;
                    default: sb.Append(char.ToLowerInvariant(ch)); break;
                }
                lastWasSpace = false;
            }
            else if (!lastWasSpace)
            {
                sb.Append(' ');
                lastWasSpace = true;
            }
        }
        return sb.ToString().TrimEnd();
    }
}
