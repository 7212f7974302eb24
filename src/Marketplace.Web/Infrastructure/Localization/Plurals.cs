using Marketplace.Web.Infrastructure.Web;
using Microsoft.Extensions.Localization;

namespace Marketplace.Web.Infrastructure.Localization;

/// <summary>
/// Real singular and plural forms instead of « fiche(s) »: a counted text has two keys, <c>KEY.One</c> and
/// <c>KEY.Many</c>. French takes the singular for 0 and 1 (« 0 fiche », « 1 fiche »), English only for 1.
/// </summary>
public static class Plurals
{
    public static bool IsSingular(long count, bool english) => english ? count == 1 : count is 0 or 1;

    /// <summary>The form of <paramref name="key"/> for <paramref name="count"/> in the current language; {0} is the count
    /// unless other <paramref name="arguments"/> are given.</summary>
    public static LocalizedString Plural(this IStringLocalizer text, string key, long count, params object[] arguments) =>
        text[$"{key}.{(IsSingular(count, Cultures.IsEnglish) ? "One" : "Many")}", arguments.Length == 0 ? [count] : arguments];
}
