namespace Marketplace.Tests.Support;

/// <summary>
/// What the browser tests need on the machine: Chromium (Debian's, or CHROMIUM_PATH) and axe-core (npm ci). A plain
/// `dotnet test` without them skips the browser fixtures and says why (Assert.Ignore with the reason); tests/run.sh
/// installs both and sets MARKETPLACE_TEST_REQUIRE_BROWSER=true, which turns anything missing into a failure, so that
/// CI never skips them.
/// </summary>
public static class BrowserRequirement
{
    public const string RequireVariable = "MARKETPLACE_TEST_REQUIRE_BROWSER";

    public static string ChromiumPath =>
        Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    public static bool Required =>
        string.Equals(Environment.GetEnvironmentVariable(RequireVariable), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>Skips (or, when required, fails) the calling fixture unless <paramref name="path"/> exists.</summary>
    public static void Need(string path, string what, string install)
    {
        if (File.Exists(path)) return;
        var reason = $"{what} not found at {path} ({install})";
        if (Required) Assert.Fail($"{reason}: {RequireVariable}=true, so browser tests may not be skipped.");
        Assert.Ignore($"Browser test skipped: {reason}. `bash tests/run.sh` installs it and runs every browser test.");
    }
}
