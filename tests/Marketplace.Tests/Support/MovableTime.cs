namespace Marketplace.Tests.Support;

/// <summary>A clock the test moves by hand.</summary>
public sealed class MovableTime(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
