namespace Marketplace.Web.Domain.Providers;

/// <summary>Quebec's 17 administrative regions have fixed official codes "01".."17".</summary>
public static class RegionCodes
{
    public static readonly IReadOnlyList<string> All = Enumerable.Range(1, 17).Select(i => i.ToString("00")).ToArray();

    public static bool IsValid(string? code) =>
        code is { Length: 2 } && int.TryParse(code, out var n) && n is >= 1 and <= 17 && code == n.ToString("00");
}
