using System.Net;
using AngleSharp.Html.Parser;
using Marketplace.Tests.Support;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Tests.Integration;

/// <summary>
/// What the directory pages keep between requests (issue 13, page cost): only what changes with the search version,
/// and never past a change of it.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class DirectoryPageCostTests(DatabaseProvider provider)
{
    private const string Training = "formation";
    private MarketplaceFactory _factory = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _factory = await MarketplaceFactory.StartAsync(provider);
        _client = _factory.CreateClient();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _client.Dispose();
        await _factory.DisposeAsync();
    }

    private async Task<string[]> CategoryLabelsAsync(string url)
    {
        var response = await _client.GetAsync(url);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), url);
        var page = new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());
        return page.QuerySelectorAll(".facet .label, .category-name").Select(e => e.TextContent.Trim()).ToArray();
    }

    private Task RenameTrainingAsync(string french, string english) => _factory.WithDbAsync(db =>
        db.TaxonomyTerms.Where(t => t.Key == Training)
            .ExecuteUpdateAsync(s => s.SetProperty(t => t.LabelFr, french).SetProperty(t => t.LabelEn, english)));

    // What seeding does after changing the taxonomy: the index is rebuilt, which moves the search version.
    private Task MoveTheSearchVersionAsync() =>
        _factory.WithScopeAsync(sp => sp.GetRequiredService<ISearchIndexer>().RebuildAsync(CancellationToken.None));

    [Test]
    public async Task The_taxonomy_is_read_once_per_search_version_and_again_after_it_moves()
    {
        foreach (var url in new[] { "/fr/recherche", "/fr", "/en/search", "/en" })
            Assert.That(await CategoryLabelsAsync(url), Has.Some.Contains("Formation et compétences numériques").Or.Some.Contains("Training and digital skills"), url);
        try
        {
            // A label changed in the database without moving the version is not read again: pages keep the one they have.
            await RenameTrainingAsync("Formation renommée", "Renamed training");
            Assert.That(await CategoryLabelsAsync("/fr/recherche"), Has.Some.EqualTo("Formation et compétences numériques"));
            Assert.That(await CategoryLabelsAsync("/en/search"), Has.Some.EqualTo("Training and digital skills"));

            await MoveTheSearchVersionAsync();
            foreach (var url in new[] { "/fr/recherche", "/fr" })
                Assert.That(await CategoryLabelsAsync(url), Has.Some.EqualTo("Formation renommée").And.None.EqualTo("Formation et compétences numériques"), url);
            foreach (var url in new[] { "/en/search", "/en" })
                Assert.That(await CategoryLabelsAsync(url), Has.Some.EqualTo("Renamed training").And.None.EqualTo("Training and digital skills"), url);
            var provider = await _factory.WithDbAsync(db => db.Providers
                .Where(p => p.Status == Marketplace.Web.Domain.Providers.ListingStatus.Published && p.Offerings.Any(o => o.CategoryKey == Training))
                .OrderBy(p => p.Id).Select(p => p.Slug).FirstAsync());
            var page = new HtmlParser().ParseDocument(await _client.GetStringAsync($"/fr/fournisseurs/{provider}"));
            Assert.That(page.QuerySelectorAll(".offering h3").Select(h => h.TextContent.Trim()), Has.Some.EqualTo("Formation renommée"),
                "the provider page labels its offerings with the new label too");
        }
        finally
        {
            await RenameTrainingAsync("Formation et compétences numériques", "Training and digital skills");
            await MoveTheSearchVersionAsync();
        }
    }

    [Test]
    public async Task The_home_page_counts_follow_a_published_change()
    {
        static int Count(string html) =>
            int.Parse(new HtmlParser().ParseDocument(html).QuerySelector(".hero .muted")!.TextContent.Where(char.IsDigit).ToArray());
        var before = Count(await _client.GetStringAsync("/fr"));
        var slug = await _factory.WithDbAsync(db => db.Providers.Where(p => p.Status == Marketplace.Web.Domain.Providers.ListingStatus.Published)
            .OrderBy(p => p.Id).Select(p => p.Slug).FirstAsync());
        var id = await _factory.WithDbAsync(db => db.Providers.Where(p => p.Slug == slug).Select(p => p.Id).FirstAsync());
        await _factory.WithDbAsync(db => db.Providers.Where(p => p.Id == id)
            .ExecuteUpdateAsync(s => s.SetProperty(p => p.Status, Marketplace.Web.Domain.Providers.ListingStatus.Archived)));
        try
        {
            await _factory.WithScopeAsync(sp => sp.GetRequiredService<ISearchIndexer>().ProviderChangedAsync(id, CancellationToken.None));
            Assert.That(Count(await _client.GetStringAsync("/fr")), Is.EqualTo(before - 1));
        }
        finally
        {
            await _factory.WithDbAsync(db => db.Providers.Where(p => p.Id == id)
                .ExecuteUpdateAsync(s => s.SetProperty(p => p.Status, Marketplace.Web.Domain.Providers.ListingStatus.Published)));
            await _factory.WithScopeAsync(sp => sp.GetRequiredService<ISearchIndexer>().ProviderChangedAsync(id, CancellationToken.None));
        }
        Assert.That(Count(await _client.GetStringAsync("/fr")), Is.EqualTo(before));
    }

    [Test]
    public async Task A_results_page_is_kept_until_the_search_version_moves()
    {
        var (id, name) = await _factory.WithDbAsync(async db => await db.Providers
            .Where(p => p.Status == Marketplace.Web.Domain.Providers.ListingStatus.Published && p.Offerings.Any(o => o.CategoryKey == Training))
            .OrderBy(p => p.Id).Select(p => new { p.Id, p.Name }).FirstAsync() is var p ? (p.Id, p.Name) : default);
        const string url = "/fr/recherche?category=formation&sort=name&pageSize=100";
        async Task<string[]> NamesAsync() => new HtmlParser().ParseDocument(await _client.GetStringAsync(url))
            .QuerySelectorAll("ol.cards h3").Select(h => h.TextContent.Trim()).ToArray();
        Assert.That(await NamesAsync(), Has.Member(name));
        try
        {
            // Changed in the database without moving the version: the page kept for this search does not change.
            await _factory.WithDbAsync(db => db.Providers.Where(p => p.Id == id).ExecuteUpdateAsync(s => s.SetProperty(p => p.Name, "Nom changé sans l'index")));
            Assert.That(await NamesAsync(), Has.Member(name).And.No.Member("Nom changé sans l'index"));

            await _factory.WithScopeAsync(sp => sp.GetRequiredService<ISearchIndexer>().ProviderChangedAsync(id, CancellationToken.None));
            Assert.That(await NamesAsync(), Has.Member("Nom changé sans l'index").And.No.Member(name));
        }
        finally
        {
            await _factory.WithDbAsync(db => db.Providers.Where(p => p.Id == id).ExecuteUpdateAsync(s => s.SetProperty(p => p.Name, name)));
            await _factory.WithScopeAsync(sp => sp.GetRequiredService<ISearchIndexer>().ProviderChangedAsync(id, CancellationToken.None));
        }
    }

    [Test]
    public async Task A_provider_page_no_longer_invites_to_claim_the_listing_once_a_claim_is_accepted()
    {
        var (id, slug) = await _factory.WithDbAsync(async db => await db.Providers
            .Where(p => p.Status == Marketplace.Web.Domain.Providers.ListingStatus.Published && !db.Organizations.Any(o => o.ProviderId == p.Id))
            .OrderByDescending(p => p.Id).Select(p => new { p.Id, p.Slug }).FirstAsync() is var p ? (p.Id, p.Slug) : default);
        async Task<bool> InvitesToClaimAsync() =>
            new HtmlParser().ParseDocument(await _client.GetStringAsync($"/fr/fournisseurs/{slug}")).QuerySelector("p.claim") is not null;
        Assert.That(await InvitesToClaimAsync(), Is.True);
        Assert.That(await InvitesToClaimAsync(), Is.True, "and again, from the page kept for the version");

        var email = $"reclamation-{provider.ToString().ToLowerInvariant()}@example.org";
        using (await CurationJourneyTests.SignUpAsync(_factory, email, "Organisme qui réclame", "Provider")) { }
        await _factory.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<MarketplaceDbContext>();
            var user = await db.Users.Where(u => u.Email == email).Select(u => new { u.Id, u.OrganizationId }).SingleAsync();
            var now = DateTimeOffset.UtcNow;
            var claim = new Marketplace.Web.Domain.Listings.ListingClaim(id, user.OrganizationId!.Value, user.Id,
                Marketplace.Web.Domain.Listings.ClaimMethod.Review, "Nous sommes cet organisme.", now);
            db.ListingClaims.Add(claim);
            await db.SaveChangesAsync();
            var accepted = await sp.GetRequiredService<Marketplace.Web.Features.Claims.ClaimDecisions>()
                .AcceptAsync(claim, () => claim.Accept(user.Id, null, now), user.Id, null, CancellationToken.None);
            Assert.That(accepted, Is.True);
        });
        Assert.That(await InvitesToClaimAsync(), Is.False);
    }
}
