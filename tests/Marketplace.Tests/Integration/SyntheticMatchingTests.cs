using Marketplace.Tests.Support;
using Marketplace.Web.Domain.Matching;
using Marketplace.Web.Features.Matching;
using Marketplace.Web.Infrastructure.Cli;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Seeding;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Tests.Integration;

/// <summary>
/// The matching benchmark's set-up in small (200 synthetic providers, 50 synthetic requests) on a real database: the
/// full recompute (candidates from the index in memory) stores matches, a second one changes nothing, it agrees with
/// the one-request path (candidates from the database), and <c>jobs run matching --request ID</c> touches only that request.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class SyntheticMatchingTests(DatabaseProvider provider)
{
    private MarketplaceFactory _factory = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _factory = await MarketplaceFactory.StartAsync(provider);
        var (code, output) = await RunAsync("seed", "--synthetic", "200", "--synthetic-requests", "50");
        Assert.That(code, Is.Zero, output);
        Assert.That(output, Does.Contain("200 fournisseurs synthétiques").And.Contain("50 demandes synthétiques ajoutées"));
    }

    [OneTimeTearDown]
    public async Task Stop() => await _factory.DisposeAsync();

    private async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        using var output = new StringWriter();
        var code = await CommandLine.RunAsync(_factory.Services, args, output, CancellationToken.None);
        return (code, output.ToString());
    }

    private static int Count(string output, string label) =>
        int.Parse(System.Text.RegularExpressions.Regex.Match(output, $@"{label}: (\d+)").Groups[1].Value);

    private Task<List<(int RequestId, int ProviderId, double Score, DateTimeOffset First, DateTimeOffset Changed)>> SnapshotAsync() =>
        _factory.WithDbAsync(async db => (await db.Matches.AsNoTracking()
                .Select(m => new { m.RequestId, m.ProviderId, m.Score, m.FirstMatchedAt, m.LastChangedAt }).ToListAsync())
            .Select(m => (m.RequestId, m.ProviderId, m.Score, m.FirstMatchedAt, m.LastChangedAt))
            .OrderBy(m => m.RequestId).ThenBy(m => m.ProviderId).ToList());

    private Task<List<int>> SyntheticRequestIdsAsync() =>
        _factory.WithDbAsync(db => (from r in db.NeedRequests
                                    join o in db.Organizations on r.OrganizationId equals o.Id
                                    where o.Name.StartsWith(SyntheticRequests.OrganizationPrefix)
                                    orderby r.Id
                                    select r.Id).ToListAsync());

    [Test, Order(1)]
    public async Task Synthetic_requests_are_open_varied_and_clearly_synthetic()
    {
        var requests = await _factory.WithDbAsync(db => (from r in db.NeedRequests
                                                         join o in db.Organizations on r.OrganizationId equals o.Id
                                                         where o.Name.StartsWith(SyntheticRequests.OrganizationPrefix)
                                                         select new { r.Title, r.Categories, r.Region, r.Status, r.Language, r.Delivery, Organization = o.Name })
            .ToListAsync());
        Assert.That(requests, Has.Count.EqualTo(50));
        Assert.That(requests.All(r => r.Status == RequestStatus.Open && r.Title.Contains("synthétique")), Is.True);
        Assert.That(requests.All(r => r.Categories.Count is >= 1 and <= 3), Is.True);
        Assert.That(requests.Select(r => r.Region).Distinct().Count(), Is.GreaterThan(3), "several regions");
        Assert.That(requests.Select(r => r.Delivery).Distinct().Count(), Is.GreaterThan(1), "several delivery preferences");
        Assert.That(requests.Count(r => r.Language == "fr"), Is.GreaterThan(25), "mostly French");
        Assert.That(requests.Select(r => r.Organization), Has.All.Match(@"^Organisme synthétique \d{5}$"));
    }

    [Test, Order(2)]
    public async Task A_full_recompute_stores_matches_and_a_second_one_changes_nothing()
    {
        var (code, first) = await RunAsync("jobs", "run", "matching");
        Assert.That(code, Is.Zero, first);
        Assert.That(first, Does.Match(@"durée / elapsed: \d+ ms"));
        Assert.That(Count(first, "added"), Is.GreaterThan(50), first);
        var ids = await SyntheticRequestIdsAsync();
        var perRequest = await _factory.WithDbAsync(db => db.Matches.GroupBy(m => m.RequestId).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(g => g.Key, g => g.Count));
        Assert.That(ids.Count(perRequest.ContainsKey), Is.GreaterThan(40), "most synthetic requests find providers");
        Assert.That(perRequest.Values, Has.All.LessThanOrEqualTo(MatchingRun.TopCount));
        var before = await SnapshotAsync();

        var (againCode, again) = await RunAsync("jobs", "run", "matching");
        Assert.That(againCode, Is.Zero, again);
        Assert.That(again, Does.Contain("ajoutées / added: 0, modifiées / changed: 0, retirées / removed: 0"));
        Assert.That(Count(again, "candidates scored"), Is.EqualTo(Count(first, "candidates scored")));
        Assert.That(await SnapshotAsync(), Is.EqualTo(before), "no duplicates, no churn in dates");
    }

    [Test, Order(3)]
    public async Task The_one_request_path_agrees_with_the_full_recompute()
    {
        // The full recompute ranks from the pool in memory (which skips candidates that cannot enter), a single request
        // from the database: each request run on its own after a full recompute must find the same matches.
        await RunAsync("jobs", "run", "matching");
        var before = await SnapshotAsync();
        foreach (var id in await _factory.WithDbAsync(db => db.NeedRequests.OrderBy(r => r.Id).Select(r => r.Id).ToListAsync()))
        {
            var one = await _factory.WithScopeAsync(sp => sp.GetRequiredService<MatchingRun>().RunAsync(id, new MatchWeights(), CancellationToken.None));
            Assert.That((one.Requests, one.Added, one.Changed, one.Removed), Is.EqualTo((1, 0, 0, 0)), $"request {id}");
        }
        Assert.That(await SnapshotAsync(), Is.EqualTo(before));
    }

    [Test, Order(4)]
    public async Task Without_a_bound_both_paths_score_the_same_candidates_and_agree()
    {
        // A negative weight leaves the pool no bound: it scores every candidate of the index, as the one-request path does.
        var weights = new MatchWeights(ValueAlignment: 3, PricingFit: 2, FundingFit: 2, LocalPresence: 2, RecentlyVerified: 1, DismissalFeedback: -1);
        var full = await _factory.WithScopeAsync(sp => sp.GetRequiredService<MatchingRun>().RunAsync(null, weights, CancellationToken.None));
        Assert.That(full.Changed, Is.GreaterThan(0), "other weights, other scores");
        var scored = 0;
        foreach (var id in await _factory.WithDbAsync(db => db.NeedRequests.OrderBy(r => r.Id).Select(r => r.Id).ToListAsync()))
        {
            var one = await _factory.WithScopeAsync(sp => sp.GetRequiredService<MatchingRun>().RunAsync(id, weights, CancellationToken.None));
            Assert.That((one.Added, one.Changed, one.Removed), Is.EqualTo((0, 0, 0)), $"request {id}");
            scored += one.CandidatesScored;
        }
        Assert.That(scored, Is.EqualTo(full.CandidatesScored), "without a bound both paths score every candidate of the index");
        await RunAsync("jobs", "run", "matching"); // back to the default weights for the next tests
    }

    [Test, Order(5)]
    public async Task A_changed_match_keeps_its_id_and_first_date_and_moves_its_last_change()
    {
        await RunAsync("jobs", "run", "matching");
        // A matched provider verified long ago is verified again today: its score rises in every request that lists it.
        var (providerId, slug) = await _factory.WithDbAsync(async db =>
        {
            var old = DateTimeOffset.UtcNow.AddDays(-100);
            var p = await db.Providers.Where(p => p.Slug.StartsWith("synthetique-") && p.VerifiedAt < old
                                                  && db.Matches.Any(m => m.ProviderId == p.Id))
                .OrderBy(p => p.Id).Select(p => new { p.Id, p.Slug }).FirstAsync();
            return (p.Id, p.Slug);
        });
        var before = await _factory.WithDbAsync(db => db.Matches.AsNoTracking().Where(m => m.ProviderId == providerId)
            .Select(m => new { m.Id, m.RequestId, m.Score, m.FirstMatchedAt, m.LastChangedAt }).ToListAsync());
        await _factory.ChangeAsync(slug, p => p.Publish(DateTimeOffset.UtcNow));

        var (code, output) = await RunAsync("jobs", "run", "matching");
        Assert.That(code, Is.Zero, output);
        Assert.That(Count(output, "changed"), Is.EqualTo(before.Count), output);
        var after = await _factory.WithDbAsync(db => db.Matches.AsNoTracking().Where(m => m.ProviderId == providerId)
            .Select(m => new { m.Id, m.RequestId, m.Score, m.FirstMatchedAt, m.LastChangedAt }).ToListAsync());
        foreach (var b in before)
        {
            var a = after.Single(m => m.RequestId == b.RequestId);
            Assert.That((a.Id, a.FirstMatchedAt), Is.EqualTo((b.Id, b.FirstMatchedAt)), "the same row, first matched at the same time");
            Assert.That(a.Score, Is.GreaterThan(b.Score));
            Assert.That(a.LastChangedAt, Is.GreaterThan(b.LastChangedAt));
        }
        var (_, again) = await RunAsync("jobs", "run", "matching");
        Assert.That(again, Does.Contain("ajoutées / added: 0, modifiées / changed: 0, retirées / removed: 0"));
        var pairs = await _factory.WithDbAsync(db => db.Matches.Select(m => new { m.RequestId, m.ProviderId }).ToListAsync());
        Assert.That(pairs.Distinct().Count(), Is.EqualTo(pairs.Count), "no duplicates");
    }

    [Test, Order(6)]
    public async Task Jobs_run_matching_with_a_request_touches_only_that_request()
    {
        await RunAsync("jobs", "run", "matching");
        var (seedCode, seeded) = await RunAsync("seed", "--synthetic-requests", "1");
        Assert.That(seedCode, Is.Zero, seeded);
        var id = int.Parse(System.Text.RegularExpressions.Regex.Match(seeded, @"ids (\d+) to (\d+)").Groups[1].Value);
        Assert.That((await SyntheticRequestIdsAsync()).Max(), Is.EqualTo(id));
        var before = await SnapshotAsync();
        Assert.That(before.Any(m => m.RequestId == id), Is.False, "seeding does not match");

        var (code, output) = await RunAsync("jobs", "run", "matching", "--request", id.ToString());
        Assert.That(code, Is.Zero, output);
        Assert.That(output, Does.Contain("demandes / requests: 1,").And.Match(@"durée / elapsed: \d+ ms"));
        var after = await SnapshotAsync();
        Assert.That(after.Where(m => m.RequestId != id), Is.EqualTo(before), "other requests' matches are untouched");
        Assert.That(after.Count(m => m.RequestId == id), Is.EqualTo(Count(output, "added")));

        // --warm-up first runs the same recompute in a transaction that is rolled back: the timed run then adds the same.
        var (_, seededAgain) = await RunAsync("seed", "--synthetic-requests", "1");
        var other = int.Parse(System.Text.RegularExpressions.Regex.Match(seededAgain, @"ids (\d+) to").Groups[1].Value);
        var (warmCode, warm) = await RunAsync("jobs", "run", "matching", "--request", other.ToString(), "--warm-up");
        Assert.That(warmCode, Is.Zero, warm);
        var stored = await _factory.WithDbAsync(db => db.Matches.CountAsync(m => m.RequestId == other));
        Assert.That(Count(warm, "added"), Is.GreaterThan(0).And.EqualTo(stored), "the rolled-back try left nothing behind");

        var (unknownCode, unknown) = await RunAsync("jobs", "run", "matching", "--request", "999999");
        Assert.That(unknownCode, Is.EqualTo(1));
        Assert.That(unknown, Does.Contain("unknown request"));
    }
}
