using Marketplace.Tests.Support;

/// <summary>
/// The whole test run (an assembly-level set-up fixture: it is in no namespace). The services' containers start at the
/// first test that needs them (so a run of unit tests alone needs no Docker) and are shared by every fixture; this
/// removes them when the last fixture is done (TestServices, ADR 0033).
/// </summary>
[SetUpFixture]
public sealed class TestRun
{
    [OneTimeTearDown]
    public Task RemoveServicesAsync() => TestServices.DisposeAsync();
}
