using System.Reflection;
using Marketplace.Web.Domain.Accounts;
using Microsoft.AspNetCore.Identity;

namespace Marketplace.Web.Infrastructure.Accounts;

/// <summary>
/// Refuses passwords found in a list of common passwords (embedded <c>common-passwords.txt</c>, compared without case),
/// made of one repeated character or of a keyboard or digit run, or containing the user's email name.
/// </summary>
public sealed class CommonPasswordValidator : IPasswordValidator<MarketplaceUser>
{
    private static readonly Lazy<HashSet<string>> Common = new(Load);
    private static readonly string[] Runs = ["0123456789012345678901234567890", "9876543210987654321098765432109", "azertyuiopqsdfghjklmwxcvbn", "qwertyuiopasdfghjklzxcvbnm", "abcdefghijklmnopqrstuvwxyz"];

    public Task<IdentityResult> ValidateAsync(UserManager<MarketplaceUser> manager, MarketplaceUser user, string? password)
    {
        if (password is null) return Task.FromResult(IdentityResult.Success);
        return Task.FromResult(IsWeak(password, user.Email)
            ? IdentityResult.Failed(new IdentityError { Code = "CommonPassword", Description = "CommonPassword" })
            : IdentityResult.Success);
    }

    public static bool IsWeak(string password, string? email)
    {
        var lower = password.Trim().ToLowerInvariant();
        if (Common.Value.Contains(lower)) return true;
        if (lower.Distinct().Count() <= 2) return true;
        if (Runs.Any(run => run.Contains(lower, StringComparison.Ordinal))) return true;
        var name = email?.Split('@')[0].ToLowerInvariant();
        return name is { Length: >= 4 } && lower.Contains(name, StringComparison.Ordinal);
    }

    private static HashSet<string> Load()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Marketplace.Web.Infrastructure.Accounts.common-passwords.txt")
                           ?? throw new InvalidOperationException("common-passwords.txt is not embedded.");
        using var reader = new StreamReader(stream);
        var set = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
            if (line.Length > 0 && !line.StartsWith('#')) set.Add(line.Trim().ToLowerInvariant());
        return set;
    }
}
