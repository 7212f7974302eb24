using Marketplace.Web.Infrastructure;
using Marketplace.Web.Infrastructure.Search;
using Microsoft.Extensions.Options;

namespace Marketplace.Tests.Unit;

public sealed class TextMatchCacheTests
{
    private static TextMatchCache Cache(int entries) =>
        new(Options.Create(new MarketplaceOptions { SearchTextCacheEntries = entries }));

    private static LuceneSearchIndex.TextMatch Found(params int[] ids) => Rented(ids, ids.Length);

    /// <summary>Matches as a search leaves them: in buffers larger than the hits.</summary>
    private static LuceneSearchIndex.TextMatch Rented(int[] ids, int count)
    {
        var buffer = new int[count + 8];
        ids.CopyTo(buffer, 0);
        return new LuceneSearchIndex.TextMatch(buffer, new float[count + 8], count, null, false, null);
    }

    [Test]
    public void The_same_text_at_the_same_version_is_kept_once()
    {
        var cache = Cache(4);
        Assert.That(cache.Get(7, "loi 25"), Is.Null);
        cache.Keep(7, "loi 25", Found(1, 2));
        Assert.That(cache.Get(7, "loi 25")!.ProviderIds, Is.EqualTo(new[] { 1, 2 }));
    }

    [Test]
    public void What_is_kept_is_a_copy_of_the_hits_only()
    {
        // The search returns its buffers to a pool after the page is made: the cache must not keep them.
        var cache = Cache(4);
        var fresh = Rented([5, 6, 7], 3);
        cache.Keep(1, "crm", fresh);
        fresh.ProviderIds[0] = 42;
        var kept = cache.Get(1, "crm")!;
        Assert.That(kept.ProviderIds, Is.EqualTo(new[] { 5, 6, 7 }));
        Assert.That(kept.Scores, Has.Length.EqualTo(3));
        Assert.That(kept.Count, Is.EqualTo(3));
    }

    [Test]
    public void A_new_index_version_forgets_every_match()
    {
        var cache = Cache(4);
        cache.Keep(7, "crm", Found(1));
        Assert.That(cache.Get(8, "crm"), Is.Null);
        cache.Keep(8, "crm", Found(1, 3));
        Assert.That(cache.Get(8, "crm")!.ProviderIds, Is.EqualTo(new[] { 1, 3 }));
        // A late answer for the old version is not kept over the new one.
        cache.Keep(7, "crm", Found(9));
        Assert.That(cache.Get(7, "crm"), Is.Null);
        Assert.That(cache.Get(8, "crm")!.ProviderIds, Is.EqualTo(new[] { 1, 3 }));
    }

    [Test]
    public void The_least_recently_used_text_goes_first_and_zero_entries_turns_it_off()
    {
        var cache = Cache(2);
        cache.Keep(1, "a", Found(1));
        cache.Keep(1, "b", Found(2));
        Assert.That(cache.Get(1, "a"), Is.Not.Null);   // a is now the most recent
        cache.Keep(1, "c", Found(3));                    // evicts b
        Assert.That(cache.Get(1, "b"), Is.Null);
        Assert.That(cache.Get(1, "a"), Is.Not.Null);
        Assert.That(cache.Get(1, "c"), Is.Not.Null);

        var off = Cache(0);
        off.Keep(1, "a", Found(1));
        Assert.That(off.Get(1, "a"), Is.Null);
    }
}
