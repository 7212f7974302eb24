using System.Net;
using Marketplace.Tests.Support;
using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Tests.Integration;

/// <summary>
/// Issue 12, defect 6 (messages): a nonprofit's messages to providers are emails to organizations that did not ask for
/// them; an account sends only so many per hour, an organization only so many to one listing per day. A refused message
/// is a 429 with a clear sentence, kept in the form, and nothing is written or emailed.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class MessageLimitTests(DatabaseProvider provider)
{
    private const string Centre = "centre-canadien-resilience-numerique-obnl";
    private MarketplaceFactory _factory = null!;

    [OneTimeSetUp]
    public async Task Start() => _factory = await MarketplaceFactory.StartAsync(provider, new Dictionary<string, string>
    {
        ["Messages:PerAccountPerHour"] = "4", ["Messages:PerProviderPerDay"] = "3",
    });

    [OneTimeTearDown]
    public async Task Stop() => await _factory.DisposeAsync();

    private Task<(int Messages, int Emails)> CountsAsync() =>
        _factory.WithDbAsync(async db => (await db.Set<Marketplace.Web.Domain.Conversations.ConversationMessage>().CountAsync(), await db.OutboxEmails.CountAsync()));

    [Test]
    public async Task Messages_to_providers_are_limited_per_listing_and_per_account_and_a_refused_one_stays_in_the_form()
    {
        using var nonprofit = await CurationJourneyTests.SignUpAsync(_factory, $"limites-{provider}@exemple.invalid".ToLowerInvariant(),
            $"Organisme pressé ({provider})", "Nonprofit");
        // Two more listings that can be written to (a public email each), besides the Centre.
        var others = await _factory.WithDbAsync(async db =>
        {
            var slugs = await db.Providers.Where(p => p.Status == ListingStatus.Published && p.Slug != Centre && p.PublicEmail == null)
                .OrderBy(p => p.Id).Select(p => p.Slug).Take(2).ToListAsync();
            await db.Providers.Where(p => slugs.Contains(p.Slug)).ExecuteUpdateAsync(u => u.SetProperty(p => p.PublicEmail, "contact@exemple.invalid"));
            return slugs;
        });

        async Task<(HttpResponseMessage Response, AngleSharp.Html.Dom.IHtmlDocument Page)> WriteAsync(string slug, string text)
        {
            var (_, form) = await nonprofit.GetAsync($"/fr/fournisseurs/{slug}/ecrire");
            return await nonprofit.SubmitAsync(form, "form.stacked-form", new Dictionary<string, string> { ["message"] = text });
        }

        // Three to the Centre in a row: accepted (the third through the thread's reply form).
        Assert.That((await WriteAsync(Centre, "Premier message au Centre.")).Response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var (second, _) = await WriteAsync(Centre, "Deuxième message au Centre.");
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        var thread = second.Headers.Location!.OriginalString;
        var (_, threadPage) = await nonprofit.GetAsync(thread);
        Assert.That((await nonprofit.SubmitAsync(threadPage, "form.stacked-form", new Dictionary<string, string> { ["message"] = "Troisième message." }))
            .Item1.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));

        // The fourth to the same listing the same day: refused, from the thread and from the provider's page alike.
        var before = await CountsAsync();
        (_, threadPage) = await nonprofit.GetAsync(thread);
        var (refused, refusedPage) = await nonprofit.SubmitAsync(threadPage, "form.stacked-form",
            new Dictionary<string, string> { ["message"] = "Quatrième message, tapé avec soin." });
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(refusedPage.QuerySelector(".alert, .errors, [role=alert]")!.TextContent, Does.Contain("à ce fournisseur en 24 heures"));
        Assert.That(refusedPage.QuerySelector("textarea[name=message]")!.TextContent.Trim(), Is.EqualTo("Quatrième message, tapé avec soin."));
        var (refusedNew, refusedNewPage) = await WriteAsync(Centre, "Encore un, par la page du fournisseur.");
        Assert.That(refusedNew.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(refusedNewPage.QuerySelector("textarea[name=message]")!.TextContent.Trim(), Is.EqualTo("Encore un, par la page du fournisseur."));
        Assert.That(await CountsAsync(), Is.EqualTo(before), "nothing written, nothing emailed");

        // Another listing: the fourth message of the hour goes; the fifth reaches the account's limit.
        Assert.That((await WriteAsync(others[0], "Un message à un autre fournisseur.")).Response.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        before = await CountsAsync();
        var (overAccount, overAccountPage) = await WriteAsync(others[1], "Un de trop pour l'heure.");
        Assert.That(overAccount.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(overAccountPage.QuerySelector(".alert, .errors, [role=alert]")!.TextContent, Does.Contain("qu'un compte peut envoyer aux fournisseurs en une heure"));
        Assert.That(overAccountPage.QuerySelector("textarea[name=message]")!.TextContent.Trim(), Is.EqualTo("Un de trop pour l'heure."));
        Assert.That(await CountsAsync(), Is.EqualTo(before));

        // In English, the same refusal in English.
        var (_, englishForm) = await nonprofit.GetAsync($"/en/providers/{others[1]}/write");
        var (english, englishPage) = await nonprofit.SubmitAsync(englishForm, "form.stacked-form", new Dictionary<string, string> { ["message"] = "One too many." });
        Assert.That(english.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(englishPage.QuerySelector(".alert, .errors, [role=alert]")!.TextContent, Does.Contain("an account may send to providers in one hour"));
    }

    [Test]
    public async Task Contacting_a_suggested_provider_from_a_request_counts_toward_the_same_limit()
    {
        var organization = $"Organisme qui relance ({provider})";
        using var nonprofit = await CurationJourneyTests.SignUpAsync(_factory, $"relance-{provider}@exemple.invalid".ToLowerInvariant(), organization, "Nonprofit");
        var requestId = await _factory.WithDbAsync(async db =>
        {
            var organizationId = await db.Organizations.Where(o => o.Name == organization).Select(o => o.Id).SingleAsync();
            var request = new Marketplace.Web.Domain.Matching.NeedRequest(organizationId, "Former notre équipe", "Description de la demande de test.",
                ["formation"], "06", Marketplace.Web.Domain.Matching.DeliveryPreference.Either, "fr", Marketplace.Web.Domain.Matching.BudgetRange.Under1000,
                Marketplace.Web.Domain.Matching.Timeline.Flexible, Marketplace.Web.Domain.Matching.ValuePreferences.None, DateTimeOffset.UtcNow);
            db.NeedRequests.Add(request);
            await db.SaveChangesAsync();
            return request.Id;
        });
        using (var output = new StringWriter())
            Assert.That(await Marketplace.Web.Infrastructure.Cli.CommandLine.RunAsync(_factory.Services, ["jobs", "run", "matching", "--request", requestId.ToString()],
                output, CancellationToken.None), Is.Zero, output.ToString());
        var providerId = await _factory.WithDbAsync(db => db.Matches.Where(m => m.RequestId == requestId).OrderBy(m => m.ProviderId).Select(m => m.ProviderId).FirstAsync());
        await _factory.WithDbAsync(db => db.Providers.Where(p => p.Id == providerId && p.PublicEmail == null)
            .ExecuteUpdateAsync(u => u.SetProperty(p => p.PublicEmail, "suggestion@exemple.invalid")));
        var contactUrl = $"/fr/compte/besoins/{requestId}/fournisseurs/{providerId}/contacter";

        for (var n = 1; n <= 3; n++)
        {
            var (_, contact) = await nonprofit.GetAsync(contactUrl);
            var (sent, _) = await nonprofit.SubmitAsync(contact, "form.stacked-form", new Dictionary<string, string> { ["message"] = $"Relance numéro {n}." });
            Assert.That(sent.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), $"message {n}");
        }
        var before = await CountsAsync();
        var (_, last) = await nonprofit.GetAsync(contactUrl);
        var (refused, refusedPage) = await nonprofit.SubmitAsync(last, "form.stacked-form", new Dictionary<string, string> { ["message"] = "Relance de trop." });
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
        Assert.That(refusedPage.QuerySelector("[role=alert]")!.TextContent, Does.Contain("à ce fournisseur en 24 heures"));
        Assert.That(refusedPage.QuerySelector("textarea[name=message]")!.TextContent.Trim(), Is.EqualTo("Relance de trop."));
        Assert.That(await CountsAsync(), Is.EqualTo(before), "nothing written, nothing emailed");
    }
}
