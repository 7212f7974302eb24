using System.Net;
using Marketplace.Tests.Support;
using Marketplace.Web.Domain.Matching;
using Marketplace.Web.Features.Matching;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Tests.Integration;

/// <summary>
/// Who may reach each page and form of issue 4, on nonprofit A's request R: anonymous, nonprofit A (its owner),
/// nonprofit B, provider A (matched to R), provider B (not matched), a curator. A nonprofit sees only its own requests;
/// a provider only the anonymized requests matched to it; someone else's id is a 404.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class NeedsAuthorizationTests(DatabaseProvider provider)
{
    private MarketplaceFactory _factory = null!;
    private readonly Dictionary<string, Browsing> _people = [];
    private int _request, _providerA, _providerB, _review;

    private static readonly string[] People = ["anonymous", "nonprofitA", "nonprofitB", "providerA", "providerB", "curator"];

    [OneTimeSetUp]
    public async Task Start()
    {
        _factory = await MarketplaceFactory.StartAsync(provider);
        _people["anonymous"] = new Browsing(_factory);
        _people["nonprofitA"] = await CurationJourneyTests.SignUpAsync(_factory, "obnl-a@exemple.invalid", "Organisme A", "Nonprofit");
        _people["nonprofitB"] = await CurationJourneyTests.SignUpAsync(_factory, "obnl-b@exemple.invalid", "Organisme B", "Nonprofit");
        (_people["providerA"], _providerA) = await NeedsJourneyTests.ProviderWithListingAsync(_factory, "fa@exemple.invalid", "fournisseur-a-test",
            "Fournisseur A (test)", "formation");
        (_people["providerB"], _providerB) = await NeedsJourneyTests.ProviderWithListingAsync(_factory, "fb@exemple.invalid", "fournisseur-b-test",
            "Fournisseur B (test)", "crm");
        _people["curator"] = await CurationJourneyTests.CuratorAsync(_factory, "curator-needs@exemple.invalid");

        var (_, form) = await _people["nonprofitA"].GetAsync("/fr/compte/besoins/nouveau");
        var (created, _) = await _people["nonprofitA"].SubmitAsync(form, "form.stacked-form", new Dictionary<string, string>
        {
            ["Title"] = "Former l'équipe d'Organisme A", ["Categories"] = "formation", ["Region"] = "16", ["Delivery"] = "Either",
        });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        _request = int.Parse(created.Headers.Location!.OriginalString.Split('/').Last());
        await _factory.WithScopeAsync(sp => sp.GetRequiredService<MatchingRun>().RunAsync(_request, new MatchWeights(), CancellationToken.None));
        Assert.That(await _factory.WithDbAsync(db => db.Matches.AnyAsync(m => m.RequestId == _request && m.ProviderId == _providerA)), Is.True);
        Assert.That(await _factory.WithDbAsync(db => db.Matches.AnyAsync(m => m.RequestId == _request && m.ProviderId == _providerB)), Is.False);

        var (_, page) = await _people["nonprofitA"].GetAsync($"/fr/compte/besoins/{_request}");
        var (asked, _) = await _people["nonprofitA"].SubmitAsync(page, "form[action$='/revision']");
        Assert.That(asked.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        _review = await _factory.WithDbAsync(db => db.HumanReviews.Where(r => r.RequestId == _request).Select(r => r.Id).SingleAsync());
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        foreach (var person in _people.Values) person.Dispose();
        await _factory.DisposeAsync();
    }

    private string Url(string path) => path.Replace("{R}", _request.ToString()).Replace("{PA}", _providerA.ToString())
        .Replace("{PB}", _providerB.ToString()).Replace("{V}", _review.ToString());

    // Expected status per person, in the order of People. 302 = sent to the sign-in page.
    [TestCase("/fr/diagnostic", 200, 200, 200, 200, 200, 200)]
    [TestCase("/en/diagnostic/result?training=much", 200, 200, 200, 200, 200, 200)]
    [TestCase("/fr/compte/besoins", 302, 200, 200, 404, 404, 404)]
    [TestCase("/en/account/needs", 302, 200, 200, 404, 404, 404)]
    [TestCase("/fr/compte/besoins/nouveau", 302, 200, 200, 404, 404, 404)]
    [TestCase("/fr/compte/besoins/{R}", 302, 200, 404, 404, 404, 404)]
    [TestCase("/en/account/needs/{R}", 302, 200, 404, 404, 404, 404)]
    [TestCase("/fr/compte/besoins/{R}/modifier", 302, 200, 404, 404, 404, 404)]
    [TestCase("/en/account/needs/{R}/edit", 302, 200, 404, 404, 404, 404)]
    [TestCase("/fr/compte/besoins/{R}/fournisseurs/{PA}/contacter", 302, 200, 404, 404, 404, 404)]
    [TestCase("/fr/compte/besoins/{R}/fournisseurs/{PB}/contacter", 302, 404, 404, 404, 404, 404)]
    [TestCase("/fr/compte/besoins/999999", 302, 404, 404, 404, 404, 404)]
    [TestCase("/fr/compte/demandes", 302, 404, 404, 200, 200, 404)]
    [TestCase("/en/account/requests", 302, 404, 404, 200, 200, 404)]
    [TestCase("/fr/compte/demandes/{R}", 302, 404, 404, 200, 404, 404)]
    [TestCase("/en/account/requests/{R}", 302, 404, 404, 200, 404, 404)]
    [TestCase("/fr/compte/demandes/999999", 302, 404, 404, 404, 404, 404)]
    [TestCase("/fr/conservation/revisions-humaines/{V}", 302, 404, 404, 404, 404, 200)]
    [TestCase("/en/curation/human-reviews/{V}", 302, 404, 404, 404, 404, 200)]
    [TestCase("/fr/conservation/revisions-humaines/999999", 302, 404, 404, 404, 404, 404)]
    public async Task Get(string path, int anonymous, int nonprofitA, int nonprofitB, int providerA, int providerB, int curator)
    {
        var expected = new[] { anonymous, nonprofitA, nonprofitB, providerA, providerB, curator };
        var url = Url(path);
        for (var i = 0; i < People.Length; i++)
        {
            var (response, page) = await _people[People[i]].GetAsync(url);
            Assert.That((int)response.StatusCode, Is.EqualTo(expected[i]), $"{People[i]} GET {url}");
            if (expected[i] == 302) Assert.That(response.Headers.Location?.ToString(), Does.Contain(url.StartsWith("/en") ? "/en/login" : "/fr/connexion"));
            if (People[i].StartsWith("provider") && expected[i] == 200)
                Assert.That(page.Body!.TextContent, Does.Not.Contain("Organisme A").And.Not.Contain("Former l'équipe d'Organisme A"), "anonymized");
        }
    }

    // Each form posted with a valid token of the person's own session, and input that changes nothing when accepted.
    [TestCase("/fr/compte/besoins/nouveau", 302, 400, 400, 404, 404, 404)]
    [TestCase("/fr/compte/besoins/{R}/modifier", 302, 400, 404, 404, 404, 404)]
    [TestCase("/fr/compte/besoins/{R}/statut", 302, 400, 404, 404, 404, 404)]
    [TestCase("/fr/compte/besoins/{R}/revision", 302, 400, 404, 404, 404, 404)]
    [TestCase("/fr/compte/besoins/{R}/fournisseurs/{PA}/ecarter", 302, 400, 404, 404, 404, 404)]
    [TestCase("/fr/compte/besoins/{R}/fournisseurs/{PA}/retablir", 302, 409, 404, 404, 404, 404)]
    [TestCase("/fr/compte/besoins/{R}/fournisseurs/{PA}/contacter", 302, 400, 404, 404, 404, 404)]
    [TestCase("/fr/compte/besoins/{R}/fournisseurs/{PB}/contacter", 302, 404, 404, 404, 404, 404)]
    [TestCase("/fr/compte/besoins/{R}/fournisseurs/{PB}/partager", 302, 404, 404, 404, 404, 404)]
    [TestCase("/fr/compte/demandes/{R}/interesse", 302, 404, 404, 302, 404, 404)]
    [TestCase("/fr/conservation/revisions-humaines/{V}", 302, 404, 404, 404, 404, 400)]
    public async Task Post(string path, int anonymous, int nonprofitA, int nonprofitB, int providerA, int providerB, int curator)
    {
        var expected = new[] { anonymous, nonprofitA, nonprofitB, providerA, providerB, curator };
        var url = Url(path);
        for (var i = 0; i < People.Length; i++)
        {
            var person = _people[People[i]];
            var (_, page) = await person.GetAsync("/fr/connexion"); // any page with a form gives this session's token
            var token = page.QuerySelector("input[name=__RequestVerificationToken]")!.GetAttribute("value")!;
            var response = await person.Http.PostAsync(url, new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["__RequestVerificationToken"] = token, ["Title"] = "", ["change"] = "nothing", ["reason"] = "nothing", ["message"] = "",
                ["answer"] = "", ["question"] = new string('x', HumanReview.TextMaxLength + 1),
            }));
            Assert.That((int)response.StatusCode, Is.EqualTo(expected[i]), $"{People[i]} POST {url}");
        }
        var request = await _factory.WithDbAsync(db => db.NeedRequests.SingleAsync(r => r.Id == _request));
        Assert.That((request.Title, request.Status), Is.EqualTo(("Former l'équipe d'Organisme A", RequestStatus.Open)), "nobody changed R");
        Assert.That(await _factory.WithDbAsync(db => db.MatchResponses.CountAsync(r => r.DismissedAt != null || r.DetailsSharedAt != null || r.ContactedAt != null)),
            Is.Zero, "nothing dismissed, shared or sent");
        Assert.That(await _factory.WithDbAsync(db => db.HumanReviews.CountAsync(r => r.AnsweredAt != null)), Is.Zero);
    }

    [Test]
    public async Task Every_post_without_a_token_is_refused()
    {
        foreach (var (person, path) in new[]
                 {
                     ("nonprofitA", "/fr/compte/besoins/nouveau"), ("nonprofitA", "/fr/compte/besoins/{R}/modifier"),
                     ("nonprofitA", "/fr/compte/besoins/{R}/statut"), ("nonprofitA", "/fr/compte/besoins/{R}/revision"),
                     ("nonprofitA", "/fr/compte/besoins/{R}/fournisseurs/{PA}/ecarter"), ("nonprofitA", "/fr/compte/besoins/{R}/fournisseurs/{PA}/retablir"),
                     ("nonprofitA", "/fr/compte/besoins/{R}/fournisseurs/{PA}/contacter"), ("nonprofitA", "/fr/compte/besoins/{R}/fournisseurs/{PA}/partager"),
                     ("providerA", "/fr/compte/demandes/{R}/interesse"), ("curator", "/fr/conservation/revisions-humaines/{V}"),
                 })
        {
            var url = Url(path);
            var response = await _people[person].Http.PostAsync(url, new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["change"] = "close", ["reason"] = "Price", ["message"] = "Bonjour", ["answer"] = "Réponse", ["Title"] = "Titre",
            }));
            Assert.That((int)response.StatusCode, Is.EqualTo(400), $"POST {url} without a token");
        }
        var request = await _factory.WithDbAsync(db => db.NeedRequests.SingleAsync(r => r.Id == _request));
        Assert.That(request.Status, Is.EqualTo(RequestStatus.Open));
    }
}
