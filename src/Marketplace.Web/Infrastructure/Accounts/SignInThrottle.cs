using System.Collections.Concurrent;

namespace Marketplace.Web.Infrastructure.Accounts;

/// <summary>
/// Progressive delays after failed sign-ins, kept in memory, per typed address and per client IP address (ADR 0020).
/// The address is counted whether or not it has an account, so the answers are the same for both. The first failures
/// cost nothing; then each one doubles the wait before the next attempt is even checked, up to 15 minutes. Identity's
/// hard lockout (<see cref="HardLockoutFailures"/>) stays as a last resort, admins included. A restart forgets the
/// delays; Identity's failure count is in the database and does not.
/// </summary>
public sealed class SignInThrottle(TimeProvider time)
{
    /// <summary>Failed attempts before Identity locks an account for 15 minutes (it was 5).</summary>
    public const int HardLockoutFailures = 20;

    public const int FreeFailuresPerAddress = 3;
    public const int FreeFailuresPerIp = 10;
    public static readonly TimeSpan LongestDelay = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan Forget = TimeSpan.FromHours(24);

    private sealed record Entry(int Failures, DateTimeOffset NotBefore, DateTimeOffset LastFailure);

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>When the next attempt for this address from this IP may be checked; null if now.</summary>
    public DateTimeOffset? WaitUntil(string address, string? ip)
    {
        var now = time.GetUtcNow();
        DateTimeOffset? until = null;
        foreach (var key in Keys(address, ip))
            if (_entries.TryGetValue(key, out var entry) && entry.NotBefore > now && (until is null || entry.NotBefore > until))
                until = entry.NotBefore;
        return until;
    }

    public void Failed(string address, string? ip)
    {
        var now = time.GetUtcNow();
        if (_entries.Count > 100_000) Sweep(now);
        foreach (var key in Keys(address, ip))
        {
            var free = key.StartsWith("ip:", StringComparison.Ordinal) ? FreeFailuresPerIp : FreeFailuresPerAddress;
            _entries.AddOrUpdate(key,
                _ => new Entry(1, Delay(1, free, now), now),
                (_, old) =>
                {
                    var failures = now - old.LastFailure > Forget ? 1 : old.Failures + 1;
                    return new Entry(failures, Delay(failures, free, now), now);
                });
        }
    }

    /// <summary>A successful sign-in clears the address (not the IP address: others may share it).</summary>
    public void Succeeded(string address) => _entries.TryRemove(AddressKey(address), out _);

    /// <summary>No wait for the first free failures, then 2 s, 4 s, 8 s… up to <see cref="LongestDelay"/>.</summary>
    public static TimeSpan DelayAfter(int failures, int free) =>
        failures <= free ? TimeSpan.Zero
            : TimeSpan.FromSeconds(Math.Min(LongestDelay.TotalSeconds, Math.Pow(2, Math.Min(20, failures - free))));

    private static DateTimeOffset Delay(int failures, int free, DateTimeOffset now) => now + DelayAfter(failures, free);

    private static string AddressKey(string address) => "address:" + address.Trim().ToUpperInvariant();

    private static IEnumerable<string> Keys(string address, string? ip)
    {
        yield return AddressKey(address);
        if (!string.IsNullOrEmpty(ip)) yield return "ip:" + ip;
    }

    private void Sweep(DateTimeOffset now)
    {
        foreach (var (key, entry) in _entries)
            if (now - entry.LastFailure > Forget) _entries.TryRemove(key, out _);
    }
}
