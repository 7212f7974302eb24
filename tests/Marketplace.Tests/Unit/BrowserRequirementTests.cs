using Marketplace.Tests.Support;
using NUnit.Framework.Internal;

namespace Marketplace.Tests.Unit;

/// <summary>
/// Browser tests are skipped, saying why, when a plain `dotnet test` finds no browser; under tests/run.sh
/// (MARKETPLACE_TEST_REQUIRE_BROWSER=true) the same absence is a failure, so CI never skips them.
/// </summary>
public sealed class BrowserRequirementTests
{
    private string? _saved;
    private readonly string _missing = Path.Combine(Path.GetTempPath(), "marketplace-tests", "no-" + Guid.NewGuid().ToString("N"), "chromium");

    [SetUp]
    public void Save() => _saved = Environment.GetEnvironmentVariable(BrowserRequirement.RequireVariable);

    [TearDown]
    public void Restore() => Environment.SetEnvironmentVariable(BrowserRequirement.RequireVariable, _saved);

    [Test]
    public void A_missing_browser_skips_the_fixture_and_says_why_outside_the_test_script()
    {
        Environment.SetEnvironmentVariable(BrowserRequirement.RequireVariable, null);
        var skipped = Assert.Throws<IgnoreException>(() => BrowserRequirement.Need(_missing, "Chromium", "Debian's chromium package"));
        Assert.That(skipped!.Message, Does.StartWith("Browser test skipped").And.Contain(_missing).And.Contain("bash tests/run.sh"));
    }

    [Test]
    public void A_missing_browser_fails_when_the_test_script_requires_every_browser_test()
    {
        Environment.SetEnvironmentVariable(BrowserRequirement.RequireVariable, "true");
        AssertionException? failed;
        using (new TestExecutionContext.IsolatedContext())
        {
            failed = Assert.Throws<AssertionException>(() => BrowserRequirement.Need(_missing, "Chromium", "Debian's chromium package"));
        }
        Assert.That(failed!.Message, Does.Contain(_missing).And.Contain("may not be skipped"));
    }

    [Test]
    public void A_present_browser_neither_skips_nor_fails()
    {
        var present = Path.GetTempFileName();
        try
        {
            Environment.SetEnvironmentVariable(BrowserRequirement.RequireVariable, null);
            Assert.DoesNotThrow(() => BrowserRequirement.Need(present, "Chromium", "Debian's chromium package"));
        }
        finally { File.Delete(present); }
    }
}
