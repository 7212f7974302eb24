using System.Collections.Frozen;
using System.Text;

namespace Marketplace.Web.Domain.Providers;

/// <summary>
/// Stable kebab-case keys for enums (<c>TarifReduitObnl</c> ⇄ <c>tarif-reduit-obnl</c>), used in URLs, the API and seed-data
/// so that renaming a label never breaks a bookmark.
/// </summary>
public static class EnumKeys<TEnum> where TEnum : struct, Enum
{
    private static readonly FrozenDictionary<TEnum, string> ToKeyMap =
        Enum.GetValues<TEnum>().ToFrozenDictionary(v => v, v => Kebab(v.ToString()));

    private static readonly FrozenDictionary<string, TEnum> FromKeyMap =
        ToKeyMap.ToFrozenDictionary(p => p.Value, p => p.Key, StringComparer.OrdinalIgnoreCase);

    public static IReadOnlyList<TEnum> All { get; } = Enum.GetValues<TEnum>();

    public static string Key(TEnum value) => ToKeyMap[value];

    public static bool TryParse(string? key, out TEnum value)
    {
        value = default;
        return key is not null && FromKeyMap.TryGetValue(key.Trim(), out value);
    }

    public static TEnum Parse(string key) =>
        TryParse(key, out var value) ? value : throw new FormatException($"Unknown {typeof(TEnum).Name} key '{key}'.");

    private static string Kebab(string name)
    {
        var sb = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0) sb.Append('-');
            sb.Append(char.ToLowerInvariant(name[i]));
        }
        return sb.ToString();
    }
}
