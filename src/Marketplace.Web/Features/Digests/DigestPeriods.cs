using System.Globalization;
using System.Text.RegularExpressions;
using Marketplace.Web.Infrastructure.Web;

namespace Marketplace.Web.Features.Digests;

/// <summary>The stable key of a digest period: the ISO week in Quebec time, e.g. <c>2026-W47</c>.</summary>
public static partial class DigestPeriods
{
    public static string Of(DateTimeOffset instant)
    {
        var day = TimeZoneInfo.ConvertTime(instant, Cultures.QuebecTime).DateTime;
        return $"{ISOWeek.GetYear(day)}-W{ISOWeek.GetWeekOfYear(day):00}";
    }

    /// <summary>True for a well-formed week that exists (W53 only in the years that have one).</summary>
    public static bool IsValid(string? period)
    {
        if (period is null || Pattern().Match(period) is not { Success: true } match) return false;
        var year = int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
        var week = int.Parse(match.Groups[2].Value, CultureInfo.InvariantCulture);
        return year is >= 2000 and <= 2999 && week >= 1 && week <= ISOWeek.GetWeeksInYear(year);
    }

    /// <summary>The Monday the period starts.</summary>
    public static DateOnly Monday(string period) =>
        DateOnly.FromDateTime(ISOWeek.ToDateTime(int.Parse(period[..4], CultureInfo.InvariantCulture),
            int.Parse(period[6..], CultureInfo.InvariantCulture), DayOfWeek.Monday));

    [GeneratedRegex(@"^(\d{4})-W(\d{2})$")]
    private static partial Regex Pattern();
}
