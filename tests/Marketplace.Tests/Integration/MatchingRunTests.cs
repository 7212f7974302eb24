using Marketplace.Tests.Support;
using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Matching;
using Marketplace.Web.Features.Matching;
using Marketplace.Web.Infrastructure.Cli;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Tests.Integration;

/// <summary>Stored matches on a real database: added, kept without churn, added for a new listing, removed on archive.</summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class MatchingRunTests(DatabaseProvider provider)
{
    private MarketplaceFactory _factory = null!;

    [OneTimeSetUp]
    public async Task Start() => _factory = await MarketplaceFactory.StartAsync(provider);

    [OneTimeTearDown]
    public async Task Stop() => await _factory.DisposeAsync();

    private Task<MatchingRun.Outcome> RunAsync(int requestId) =>
        _factory.WithScopeAsync(sp => sp.GetRequiredService<MatchingRun>().RunAsync(requestId, new MatchWeights(), CancellationToken.None));

    [Test]
    public async Task Matches_are_stored_kept_without_churn_added_and_removed()
    {
        var requestId = await _factory.WithDbAsync(async db =>
        {
            var organization = new Organization("Maison de la famille (fictif)", OrganizationKind.Nonprofit, DateTimeOffset.UtcNow);
            db.Organizations.Add(organization);
            await db.SaveChangesAsync();
            var request = new NeedRequest(organization.Id, "Former le personnel au numérique", "", ["formation"], "06",
                DeliveryPreference.Either, "fr", BudgetRange.Unknown, Timeline.Flexible, new ValuePreferences(true, false, false, null), DateTimeOffset.UtcNow);
            db.NeedRequests.Add(request);
            await db.SaveChangesAsync();
            return request.Id;
        });

        var first = await RunAsync(requestId);
        Assert.That(first.Added, Is.GreaterThan(0), "seed-data has training providers for Montréal or remote");
        Assert.That((first.Changed, first.Removed), Is.EqualTo((0, 0)));
        var before = await _factory.WithDbAsync(db => db.Matches.Where(m => m.RequestId == requestId).AsNoTracking()
            .Select(m => new { m.ProviderId, m.FirstMatchedAt, m.LastChangedAt }).OrderBy(m => m.ProviderId).ToListAsync());
        var factors = await _factory.WithDbAsync(db => db.Matches.Where(m => m.RequestId == requestId).Select(m => m.Factors).FirstAsync());
        Assert.That(factors.Select(f => f.Factor), Does.Contain(MatchFactor.ValueAlignment), "each factor's contribution is stored");

        var again = await RunAsync(requestId);
        Assert.That((again.Added, again.Changed, again.Removed), Is.EqualTo((0, 0, 0)), "re-running changes nothing");
        var after = await _factory.WithDbAsync(db => db.Matches.Where(m => m.RequestId == requestId).AsNoTracking()
            .Select(m => new { m.ProviderId, m.FirstMatchedAt, m.LastChangedAt }).OrderBy(m => m.ProviderId).ToListAsync());
        Assert.That(after, Is.EqualTo(before), "no churn in dates");

        // A new fitting listing (social economy, verified today: it ranks first) is added; archived, it is removed.
        var id = await _factory.AddProviderAsync("atelier-koala", "Atelier Koala", "Formations.", category: "formation",
            regions: ["06"], verifiedAt: DateTimeOffset.UtcNow);
        var added = await RunAsync(requestId);
        Assert.That(added.Added, Is.EqualTo(1));
        Assert.That(await _factory.WithDbAsync(db => db.Matches.AnyAsync(m => m.RequestId == requestId && m.ProviderId == id)));

        await _factory.ChangeAsync("atelier-koala", p => p.Archive());
        var removed = await RunAsync(requestId);
        Assert.That(removed.Removed, Is.GreaterThanOrEqualTo(1));
        Assert.That(await _factory.WithDbAsync(db => db.Matches.AnyAsync(m => m.RequestId == requestId && m.ProviderId == id)), Is.False);
    }

    [Test]
    public async Task The_command_runs_a_full_recompute_and_says_what_it_did()
    {
        using var output = new StringWriter();
        var code = await CommandLine.RunAsync(_factory.Services, ["jobs", "run", "matching"], output, CancellationToken.None);
        Assert.That(code, Is.Zero, output.ToString());
        Assert.That(output.ToString(), Does.Contain("candidats évalués / candidates scored:").And.Contain("ajoutées / added:"));
        using var bad = new StringWriter();
        Assert.That(await CommandLine.RunAsync(_factory.Services, ["jobs", "run", "tout"], bad, CancellationToken.None), Is.EqualTo(1));
    }

    [Test]
    public async Task A_fresh_site_has_fictional_nonprofits_whose_requests_already_have_matches()
    {
        var seeded = await _factory.WithDbAsync(db => (from r in db.NeedRequests
                                                       join o in db.Organizations on r.OrganizationId equals o.Id
                                                       where o.Name.EndsWith("(fictif)")
                                                       select r.Id).ToListAsync());
        Assert.That(seeded, Has.Count.EqualTo(3));
        foreach (var id in seeded)
            Assert.That(await _factory.WithDbAsync(db => db.Matches.CountAsync(m => m.RequestId == id)), Is.GreaterThan(0), $"request {id}");
    }
}
