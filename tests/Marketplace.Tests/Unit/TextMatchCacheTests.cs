using Marketplace.Web.Infrastructure;
using Marketplace.Web.Infrastructure.Search;
using Microsoft.Extensions.Options;

namespace Marketplace.Tests.Unit;

public sealed class TextMatchCacheTests
{
    private static TextMatchCache Cache(int entries) =>
        new(Options.Create(new MarketplaceOptions { SearchTextCacheEntries = entries }));

    private static Task<LuceneSearchIndex.TextMatch> Found(params int[] ids) =>
        Task.FromResult(new LuceneSearchIndex.TextMatch(ids, ids.Select(_ => 1f).ToArray(), null, false, null));

    [Test]
    public async Task The_same_text_at_the_same_version_is_matched_once()
    {
        var cache = Cache(4);
        var calls = 0;
        Task<LuceneSearchIndex.TextMatch> Match() { calls++; return Found(1, 2); }
        await cache.GetOrAddAsync(7, "loi 25", Match);
        var again = await cache.GetOrAddAsync(7, "loi 25", Match);
        Assert.That(again.ProviderIds, Is.EqualTo(new[] { 1, 2 }));
        Assert.That(calls, Is.EqualTo(1));
    }

    [Test]
    public async Task A_new_index_version_forgets_every_match()
    {
        var cache = Cache(4);
        await cache.GetOrAddAsync(7, "crm", () => Found(1));
        var fresh = await cache.GetOrAddAsync(8, "crm", () => Found(1, 3));
        Assert.That(fresh.ProviderIds, Is.EqualTo(new[] { 1, 3 }));
        // A late answer for the old version is not kept over the new one.
        await cache.GetOrAddAsync(7, "crm", () => Found(9));
        Assert.That((await cache.GetOrAddAsync(8, "crm", () => Found(42))).ProviderIds, Is.EqualTo(new[] { 1, 3 }));
    }

    [Test]
    public async Task The_least_recently_used_text_goes_first_and_zero_entries_turns_it_off()
    {
        var cache = Cache(2);
        var calls = 0;
        Func<Task<LuceneSearchIndex.TextMatch>> match = () => { calls++; return Found(calls); };
        await cache.GetOrAddAsync(1, "a", match);
        await cache.GetOrAddAsync(1, "b", match);
        await cache.GetOrAddAsync(1, "a", match);   // a is now the most recent
        await cache.GetOrAddAsync(1, "c", match);   // evicts b
        Assert.That(calls, Is.EqualTo(3));
        await cache.GetOrAddAsync(1, "a", match);
        Assert.That(calls, Is.EqualTo(3));
        await cache.GetOrAddAsync(1, "b", match);
        Assert.That(calls, Is.EqualTo(4));

        var off = Cache(0);
        var offCalls = 0;
        await off.GetOrAddAsync(1, "a", () => { offCalls++; return Found(); });
        await off.GetOrAddAsync(1, "a", () => { offCalls++; return Found(); });
        Assert.That(offCalls, Is.EqualTo(2));
    }
}
