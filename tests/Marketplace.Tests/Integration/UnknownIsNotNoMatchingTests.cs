using System.Net;
using Marketplace.Tests.Support;
using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Matching;
using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Features.Matching;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Tests.Integration;

/// <summary>
/// Issue 11, « Unknown is not "no" » and « Ranking of suggestions », on the seed data and a real database: a listing that
/// states no service area is suggested for a need with a region (with a reason saying it is to be confirmed), and a
/// provider covering every requested category ranks above those covering some. Both ways of running (one request asks
/// the database, many requests share a pool) give the same matches.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class UnknownIsNotNoMatchingTests(DatabaseProvider provider)
{
    private static readonly string[] MontrealLoi25 = ["juripop", "le-consortium", "coalition-interjeunes", "nord-ouvert"];
    private MarketplaceFactory _factory = null!;

    [OneTimeSetUp]
    public async Task Start() => _factory = await MarketplaceFactory.StartAsync(provider);

    [OneTimeTearDown]
    public async Task Stop() => await _factory.DisposeAsync();

    private Task<MatchingRun.Outcome> RunAsync(int? requestId) =>
        _factory.WithScopeAsync(sp => sp.GetRequiredService<MatchingRun>().RunAsync(requestId, new MatchWeights(), CancellationToken.None));

    private Task<int> OrganizationAsync(string name) => _factory.WithDbAsync(async db =>
    {
        var organization = await db.Organizations.FirstOrDefaultAsync(o => o.Name == name && o.Kind == OrganizationKind.Nonprofit);
        if (organization is null)
        {
            db.Organizations.Add(organization = new Organization(name, OrganizationKind.Nonprofit, DateTimeOffset.UtcNow));
            await db.SaveChangesAsync();
        }
        return organization.Id;
    });

    private Task<int> RequestAsync(int organizationId, string title, params string[] categories) => _factory.WithDbAsync(async db =>
    {
        var request = new NeedRequest(organizationId, title, "", categories, "06", DeliveryPreference.OnSite, "fr", BudgetRange.Unknown,
            Timeline.Flexible, ValuePreferences.None, DateTimeOffset.UtcNow);
        db.NeedRequests.Add(request);
        await db.SaveChangesAsync();
        return request.Id;
    });

    /// <summary>The stored matches of a request, best first, as (slug, score, categories matched).</summary>
    private Task<List<(string Slug, double Score, int Covered)>> RankedAsync(int requestId) => _factory.WithDbAsync(async db =>
        (await (from m in db.Matches
                join p in db.Providers on m.ProviderId equals p.Id
                where m.RequestId == requestId
                select new { p.Slug, m.Score, m.MatchedCategories }).ToListAsync())
        .OrderByDescending(m => m.Score).ThenBy(m => m.Slug)
        .Select(m => (m.Slug, m.Score, m.MatchedCategories.Count)).ToList());

    [Test]
    public async Task A_montreal_loi_25_need_is_suggested_the_real_organizations_whose_area_is_not_stated_with_a_reason_to_confirm()
    {
        using var nonprofit = await CurationJourneyTests.SignUpAsync(_factory, "loi25-mtl@exemple.invalid", "Carrefour familial Montréal (test)",
            "Nonprofit");
        var requestId = await RequestAsync(await OrganizationAsync("Carrefour familial Montréal (test)"), "Se conformer à la Loi 25", "loi-25");

        // One request: the hand-written query (or its LINQ fallback) asks the database for the candidates.
        await RunAsync(requestId);
        var alone = await RankedAsync(requestId);
        Assert.That(alone.Select(m => m.Slug), Is.SupersetOf(MontrealLoi25));

        // Many requests (a full recompute past MatchingRun.IndexFrom): the candidate pool in memory gives the same matches.
        var organizationId = await OrganizationAsync("Carrefour familial Montréal (test)");
        for (var i = 0; i < MatchingRun.IndexFrom; i++) await RequestAsync(organizationId, $"Loi 25, demande {i}", "loi-25");
        var full = await RunAsync(null);
        Assert.That(full.Requests, Is.GreaterThanOrEqualTo(MatchingRun.IndexFrom));
        Assert.That(await RankedAsync(requestId), Is.EqualTo(alone), "the pool ranks as the one-request query");

        // The reasons say the area is not stated, to be confirmed: for the three that state none, not for Nord Ouvert.
        var (response, page) = await nonprofit.GetAsync($"/fr/compte/besoins/{requestId}");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var cards = page.QuerySelectorAll("li.match").ToDictionary(
            li => li.QuerySelector("h3 a")!.GetAttribute("href")!.Split('/').Last(),
            li => li.QuerySelectorAll("ul.reasons li").Select(r => r.TextContent.Trim()).ToArray());
        foreach (var slug in new[] { "juripop", "le-consortium", "coalition-interjeunes" })
            Assert.That(cards[slug], Does.Contain("région desservie non précisée — à confirmer"), slug);
        Assert.That(cards["nord-ouvert"], Does.Not.Contain("région desservie non précisée — à confirmer"));
        Assert.That(cards["nord-ouvert"], Does.Contain("dessert tout le Québec"));

        var (_, english) = await nonprofit.GetAsync($"/en/account/needs/{requestId}");
        var juripop = english.QuerySelectorAll("li.match").Single(li => li.QuerySelector("h3 a")!.GetAttribute("href")!.EndsWith("/juripop"));
        Assert.That(juripop.QuerySelectorAll("ul.reasons li").Select(r => r.TextContent.Trim()),
            Does.Contain("service area not stated — to be confirmed"));
    }

    [Test]
    public async Task A_provider_covering_both_requested_categories_ranks_above_those_covering_one()
    {
        // Two providers at their best on every other factor, each offering one of the two categories in Montréal.
        foreach (var (slug, name, category) in new[]
                 {
                     ("formation-seulement-test", "Aaa Formation seulement (test)", "formation"),
                     ("loi-25-seulement-test", "Aaa Loi 25 seulement (test)", "loi-25"),
                 })
        {
            await _factory.WithScopeAsync(async sp =>
            {
                var db = sp.GetRequiredService<MarketplaceDbContext>();
                var listing = new Provider(slug, name, LegalForm.Cooperative, true, "Fournisseur créé pour les tests.", headOfficeRegion: "06",
                    origin: DataOrigin.Fictional);
                listing.AddOffering(category, "Offre de test.", null, PricingModel.Gratuit, DeliveryMode.SurPlace, false, ["06"], ["fr"]);
                listing.Publish(DateTimeOffset.UtcNow);
                db.Providers.Add(listing);
                await db.SaveChangesAsync();
                await sp.GetRequiredService<ISearchIndexer>().ProviderChangedAsync(listing.Id, CancellationToken.None);
            });
        }
        var organizationId = await OrganizationAsync("Maison des aînés de Montréal (test)");
        var requestId = await RequestAsync(organizationId, "Loi 25 et formation", "loi-25", "formation");

        await RunAsync(requestId);
        var alone = await RankedAsync(requestId);
        var rank = alone.Select(m => m.Slug).ToList();
        Assert.That(rank.IndexOf("nord-ouvert"), Is.GreaterThanOrEqualTo(0), "Nord Ouvert offers both, in all of Quebec");
        Assert.That(rank.IndexOf("nord-ouvert"), Is.LessThan(rank.IndexOf("formation-seulement-test")));
        Assert.That(rank.IndexOf("nord-ouvert"), Is.LessThan(rank.IndexOf("loi-25-seulement-test")));
        var covered = alone.Select(m => m.Covered).ToArray();
        Assert.That(covered, Is.Ordered.Descending, "every provider covering both ranks above every one covering one");

        for (var i = 0; i < MatchingRun.IndexFrom; i++) await RequestAsync(organizationId, $"Loi 25 et formation {i}", "loi-25", "formation");
        await RunAsync(null);
        Assert.That(await RankedAsync(requestId), Is.EqualTo(alone), "the pool ranks as the one-request query");

        var factors = await _factory.WithDbAsync(db => db.Matches.Where(m => m.RequestId == requestId).Select(m => m.Factors).ToListAsync());
        Assert.That(factors.All(f => f.Any(x => x.Factor == MatchFactor.Coverage)), "coverage is stored with the other factors");
    }
}
