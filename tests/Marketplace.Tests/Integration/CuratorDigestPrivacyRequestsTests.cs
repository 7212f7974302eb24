using System.Net;
using Marketplace.Tests.Support;
using Marketplace.Web.Infrastructure.Data;

namespace Marketplace.Tests.Integration;

/// <summary>
/// Issue 14: the verification team's weekly digest counts what people asked of it under the Act: providers' review
/// requests (s. 12.1) with the nonprofits' ones, and withdrawal requests (s. 28.1) on a line of their own.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class CuratorDigestPrivacyRequestsTests(DatabaseProvider provider) : DigestFixture(provider)
{
    [Test]
    public async Task The_curators_digest_counts_provider_reviews_and_withdrawal_requests_waiting()
    {
        using var curator = await CurationJourneyTests.CuratorAsync(_factory, Address("equipe"));
        var (_, settings) = await curator.GetAsync("/fr/compte/parametres");
        await curator.SubmitAsync(settings, "form.stacked-form", new Dictionary<string, string> { ["digest"] = "true" });

        // A visitor asks for a listing to be withdrawn; a provider asks for a review of its list.
        const string slug = "retrait-resume";
        await _factory.AddProviderAsync(slug, "Fiche à retirer (résumé)", "Fiche.");
        using var visitor = new Browsing(_factory);
        var (_, form) = await visitor.GetAsync($"/fr/fournisseurs/{slug}/retrait");
        (await visitor.SubmitAsync(form, "form.withdrawal-form", new Dictionary<string, string> { ["email"] = Address("visiteur"), ["reason"] = "Je suis nommé." }))
            .Response.IsRedirectTo($"/fr/fournisseurs/{slug}/retrait?sent=True");
        using var coop = await SignUpAsync("coop", "Coop révision (résumé)", "Provider", digest: false);
        await NeedsJourneyTests.ManagedListingAsync(_factory, "Coop révision (résumé)", $"coop-{slug}", "loi-25");
        var (_, list) = await coop.GetAsync("/fr/compte/demandes");
        var (asked, _) = await coop.SubmitAsync(list, "form.provider-review-form", new Dictionary<string, string> { ["question"] = "Pourquoi rien?" });
        Assert.That(asked.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));

        await DigestAsync("2026-W50");
        var digest = Mailbox.For(Address("equipe")).Single();
        Assert.That(digest.Text, Does.Contain("Révisions par une personne demandées : 1"));
        Assert.That(digest.Text, Does.Contain("Demandes de retrait de fiches en attente : 1"));
    }
}
