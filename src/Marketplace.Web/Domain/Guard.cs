namespace Marketplace.Web.Domain;

/// <summary>A rule of the domain was broken. The message is for operators and logs; user-facing messages are localized elsewhere.</summary>
public sealed class DomainException(string message) : Exception(message);

internal static class Guard
{
    public static string Text(string? value, int maxLength, string name)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed)) throw new DomainException($"{name} is required.");
        if (trimmed.Length > maxLength) throw new DomainException($"{name} is longer than {maxLength} characters.");
        return trimmed;
    }

    public static string? OptionalText(string? value, int maxLength, string name)
    {
        var trimmed = value?.Trim();
        if (string.IsNullOrEmpty(trimmed)) return null;
        if (trimmed.Length > maxLength) throw new DomainException($"{name} is longer than {maxLength} characters.");
        return trimmed;
    }
}
