using Marketplace.Web.Infrastructure;
using Marketplace.Web.Infrastructure.Search;
using Microsoft.Extensions.Options;

namespace Marketplace.Tests.Unit;

public sealed class TextMatchCacheTests
{
    private static TextMatchCache Cache(int entries) =>
        new(Options.Create(new MarketplaceOptions { SearchTextCacheEntries = entries }));

    [Test]
    public async Task The_same_text_at_the_same_version_is_matched_once()
    {
        var cache = Cache(4);
        var calls = 0;
        Task<int[]> Match() { calls++; return Task.FromResult(new[] { 1, 2 }); }
        await cache.GetOrAddAsync(7, ["loi", "25"], Match);
        var again = await cache.GetOrAddAsync(7, ["loi", "25"], Match);
        Assert.That(again, Is.EqualTo(new[] { 1, 2 }));
        Assert.That(calls, Is.EqualTo(1));
    }

    [Test]
    public async Task A_new_index_version_forgets_every_match()
    {
        var cache = Cache(4);
        await cache.GetOrAddAsync(7, ["crm"], () => Task.FromResult(new[] { 1 }));
        var fresh = await cache.GetOrAddAsync(8, ["crm"], () => Task.FromResult(new[] { 1, 3 }));
        Assert.That(fresh, Is.EqualTo(new[] { 1, 3 }));
        // A late answer for the old version is not kept over the new one.
        await cache.GetOrAddAsync(7, ["crm"], () => Task.FromResult(new[] { 9 }));
        Assert.That(await cache.GetOrAddAsync(8, ["crm"], () => Task.FromResult(new[] { 42 })), Is.EqualTo(new[] { 1, 3 }));
    }

    [Test]
    public async Task The_least_recently_used_text_goes_first_and_zero_entries_turns_it_off()
    {
        var cache = Cache(2);
        var calls = 0;
        Func<Task<int[]>> match = () => { calls++; return Task.FromResult(new[] { calls }); };
        await cache.GetOrAddAsync(1, ["a"], match);
        await cache.GetOrAddAsync(1, ["b"], match);
        await cache.GetOrAddAsync(1, ["a"], match);   // a is now the most recent
        await cache.GetOrAddAsync(1, ["c"], match);   // evicts b
        Assert.That(calls, Is.EqualTo(3));
        await cache.GetOrAddAsync(1, ["a"], match);
        Assert.That(calls, Is.EqualTo(3));
        await cache.GetOrAddAsync(1, ["b"], match);
        Assert.That(calls, Is.EqualTo(4));

        var off = Cache(0);
        var offCalls = 0;
        await off.GetOrAddAsync(1, ["a"], () => { offCalls++; return Task.FromResult(Array.Empty<int>()); });
        await off.GetOrAddAsync(1, ["a"], () => { offCalls++; return Task.FromResult(Array.Empty<int>()); });
        Assert.That(offCalls, Is.EqualTo(2));
    }
}
