using System.Net;
using Marketplace.Tests.Support;
using Marketplace.Web.Domain.Accounts;
using Marketplace.Web.Domain.Matching;
using Marketplace.Web.Features.Matching;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Tests.Integration;

/// <summary>
/// Issue 11, defect 7: an organization account writes to no one and submits nothing before its address is confirmed;
/// the refusal is a 403 that keeps what was typed and offers a new confirmation link, which the sign-in side and the
/// account settings also offer (the same answer for any address, a few per account and per hour).
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class EmailConfirmationTests(DatabaseProvider provider)
{
    private MarketplaceFactory _factory = null!;

    [OneTimeSetUp]
    public async Task Start() => _factory = await MarketplaceFactory.StartAsync(provider);

    [OneTimeTearDown]
    public async Task Stop() => await _factory.DisposeAsync();

    private string Address(string name) => $"{name}-{provider.ToString().ToLowerInvariant()}@exemple.invalid";

    private Task<int> ConfirmationEmailsAsync(string email) =>
        _factory.WithDbAsync(db => db.OutboxEmails.CountAsync(e => e.To == email && e.TextBody.Contains("/compte/confirmer?")));

    private Task SetConfirmedAsync(string email, bool confirmed) =>
        _factory.WithScopeAsync(async sp =>
        {
            var users = sp.GetRequiredService<UserManager<MarketplaceUser>>();
            var user = (await users.FindByEmailAsync(email))!;
            user.EmailConfirmed = confirmed;
            await users.UpdateAsync(user);
        });

    [Test]
    public async Task An_unconfirmed_nonprofit_cannot_create_or_edit_a_need_and_keeps_what_it_typed()
    {
        var email = Address("obnl-non-confirme");
        using var nonprofit = await CurationJourneyTests.SignUpAsync(_factory, email, "Maison non confirmée", "Nonprofit", confirm: false);
        var (_, form) = await nonprofit.GetAsync("/fr/compte/besoins/nouveau");
        var (refused, page) = await nonprofit.SubmitAsync(form, "form.stacked-form", new Dictionary<string, string>
        {
            ["Title"] = "Se conformer à la Loi 25 sans confirmer", ["Categories"] = "loi-25", ["Region"] = "06", ["Delivery"] = "Either",
            ["Description"] = "Une description tapée avec soin.",
        });
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(page.QuerySelector(".alert")!.TextContent, Does.Contain("Confirmez d'abord votre adresse courriel"));
        Assert.That(page.QuerySelector("input[name=Title]")!.GetAttribute("value"), Is.EqualTo("Se conformer à la Loi 25 sans confirmer"));
        Assert.That(page.QuerySelector("textarea[name=Description]")!.TextContent.Trim(), Is.EqualTo("Une description tapée avec soin."));
        Assert.That(page.QuerySelectorAll("input[name=Categories]:checked").Select(i => i.GetAttribute("value")), Is.EqualTo(new[] { "loi-25" }));
        Assert.That(await _factory.WithDbAsync(db => db.NeedRequests.AnyAsync(r => r.Title == "Se conformer à la Loi 25 sans confirmer")), Is.False);

        // The way out is on the refusal itself: a new link, by email.
        var before = await ConfirmationEmailsAsync(email);
        var (resent, _) = await nonprofit.SubmitAsync(page, "form.resend-confirmation");
        resent.IsRedirectTo("/fr/compte/parametres");
        Assert.That(await ConfirmationEmailsAsync(email), Is.EqualTo(before + 1));

        // Confirmed, it creates the request; unconfirmed again (say, a changed address), it cannot edit it.
        await SetConfirmedAsync(email, true);
        var (created, _) = await nonprofit.SubmitAsync(page, "form.stacked-form");
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Redirect));
        await SetConfirmedAsync(email, false);
        var (_, edit) = await nonprofit.GetAsync(created.Headers.Location!.OriginalString + "/modifier");
        var (refusedEdit, editPage) = await nonprofit.SubmitAsync(edit, "form.stacked-form", new Dictionary<string, string> { ["Title"] = "Titre changé sans confirmer" });
        Assert.That(refusedEdit.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(editPage.QuerySelector("input[name=Title]")!.GetAttribute("value"), Is.EqualTo("Titre changé sans confirmer"));
        Assert.That(await _factory.WithDbAsync(db => db.NeedRequests.AnyAsync(r => r.Title == "Titre changé sans confirmer")), Is.False);
    }

    [Test]
    public async Task Unconfirmed_accounts_can_neither_contact_nor_share_nor_say_they_are_interested()
    {
        var providerEmail = Address("coop-non-confirmee");
        var nonprofitEmail = Address("obnl-contact");
        var (providerBrowsing, providerId) = await NeedsJourneyTests.ProviderWithListingAsync(_factory, providerEmail,
            $"coop-confirmation-{provider.ToString().ToLowerInvariant()}", $"Coop Confirmation {provider} (test)", "loi-25");
        using var _p = providerBrowsing;
        using var nonprofit = await CurationJourneyTests.SignUpAsync(_factory, nonprofitEmail, "Organisme du contact", "Nonprofit");
        var (_, form) = await nonprofit.GetAsync("/fr/compte/besoins/nouveau");
        var (created, _) = await nonprofit.SubmitAsync(form, "form.stacked-form", new Dictionary<string, string>
        {
            ["Title"] = "Loi 25 pour la confirmation", ["Categories"] = "loi-25", ["Region"] = "16", ["Delivery"] = "Either",
        });
        var requestUrl = created.Headers.Location!.OriginalString;
        var requestId = int.Parse(requestUrl.Split('/').Last());
        await _factory.WithScopeAsync(sp => sp.GetRequiredService<MatchingRun>().RunAsync(null, new MatchWeights(), CancellationToken.None));
        await SetConfirmedAsync(nonprofitEmail, false);
        var outbox = await _factory.WithDbAsync(db => db.OutboxEmails.CountAsync());

        var (_, contact) = await nonprofit.GetAsync($"{requestUrl}/fournisseurs/{providerId}/contacter");
        var (contactRefused, contactPage) = await nonprofit.SubmitAsync(contact, "form.stacked-form",
            new Dictionary<string, string> { ["message"] = "Bonjour, un message tapé avant de confirmer." });
        Assert.That(contactRefused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(contactPage.QuerySelector("textarea[name=message]")!.TextContent, Does.Contain("un message tapé avant de confirmer"));
        Assert.That(contactPage.QuerySelector("form.resend-confirmation"), Is.Not.Null);

        var (_, show) = await nonprofit.GetAsync(requestUrl);
        var (shareRefused, _) = await nonprofit.SubmitAsync(show, $"form[action$='/fournisseurs/{providerId}/partager']");
        Assert.That(shareRefused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));

        await SetConfirmedAsync(providerEmail, false);
        var (_, opportunity) = await providerBrowsing.GetAsync($"/fr/compte/demandes/{requestId}");
        var (interestRefused, interestPage) = await providerBrowsing.SubmitAsync(opportunity, "form[action$='/interesse']");
        Assert.That(interestRefused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(interestPage.QuerySelector(".alert")!.TextContent, Does.Contain("Confirmez d'abord votre adresse courriel"));

        Assert.That(await _factory.WithDbAsync(db => db.OutboxEmails.CountAsync()), Is.EqualTo(outbox), "nothing was written to anyone");
        Assert.That(await _factory.WithDbAsync(db => db.MatchResponses.AnyAsync(r => r.RequestId == requestId
            && (r.ContactedAt != null || r.InterestedAt != null || r.DetailsSharedAt != null))), Is.False);
    }

    [Test]
    public async Task The_sign_in_side_resends_the_confirmation_with_the_same_answer_for_any_address_and_a_limit_per_account()
    {
        var email = Address("renvoi");
        using var person = await CurationJourneyTests.SignUpAsync(_factory, email, "Organisme du renvoi", "Nonprofit", confirm: false);
        using var visitor = new Browsing(_factory);
        var (_, login) = await visitor.GetAsync("/fr/connexion");
        var link = login.QuerySelectorAll("main a").Single(a => a.TextContent.Trim() == "Renvoyer le courriel de confirmation");
        var (_, form) = await visitor.GetAsync(link.GetAttribute("href")!);

        var (unknown, _) = await visitor.SubmitAsync(form, "form.stacked-form", new Dictionary<string, string> { ["email"] = Address("personne") });
        unknown.IsRedirectTo("/fr/connexion");
        var (_, unknownNotice) = await visitor.GetAsync(unknown.Headers.Location!.OriginalString);
        var (known, _) = await visitor.SubmitAsync(form, "form.stacked-form", new Dictionary<string, string> { ["email"] = email });
        known.IsRedirectTo("/fr/connexion");
        var (_, knownNotice) = await visitor.GetAsync(known.Headers.Location!.OriginalString);
        Assert.That(knownNotice.QuerySelector(".notice")!.TextContent, Is.EqualTo(unknownNotice.QuerySelector(".notice")!.TextContent),
            "the answer does not tell whether the address has an account");
        Assert.That(await ConfirmationEmailsAsync(email), Is.EqualTo(2), "the sign-up email and the new one");
        Assert.That(await _factory.WithDbAsync(db => db.OutboxEmails.AnyAsync(e => e.To == Address("personne"))), Is.False);

        for (var i = 0; i < 4; i++) await visitor.SubmitAsync(form, "form.stacked-form", new Dictionary<string, string> { ["email"] = email });
        Assert.That(await ConfirmationEmailsAsync(email), Is.EqualTo(3), "at most three per account and per hour");

        // The link of the last email works.
        var body = await _factory.WithDbAsync(db => db.OutboxEmails.Where(e => e.To == email).OrderByDescending(e => e.Id).Select(e => e.TextBody).FirstAsync());
        var confirm = new Uri(System.Text.RegularExpressions.Regex.Match(_factory.Reveal(body), @"https?://\S+/fr/compte/confirmer\S+").Value);
        var (confirmed, _) = await visitor.GetAsync(confirm.PathAndQuery);
        Assert.That(confirmed.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await _factory.WithDbAsync(db => db.Users.Where(u => u.Email == email).Select(u => u.EmailConfirmed).SingleAsync()), Is.True);
    }

    [Test]
    public async Task The_account_settings_say_whether_the_address_is_confirmed_and_resend_the_link()
    {
        var email = Address("parametres");
        using var person = await CurationJourneyTests.SignUpAsync(_factory, email, "Fournisseur des paramètres", "Provider", confirm: false);
        // Unconfirmed, a provider cannot invite a colleague either (an invitation writes to someone).
        var (_, listing) = await person.GetAsync("/fr/compte/fiche");
        var (inviteRefused, _) = await person.SubmitAsync(listing, "form[action$='/inviter']",
            new Dictionary<string, string> { ["email"] = Address("collegue"), ["name"] = "Sam" });
        Assert.That(inviteRefused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await _factory.WithDbAsync(db => db.OutboxEmails.AnyAsync(e => e.To == Address("collegue"))), Is.False);

        var (_, settings) = await person.GetAsync("/fr/compte/parametres");
        Assert.That(settings.QuerySelector("main")!.TextContent, Does.Contain("n'est pas encore confirmée"));
        var (resent, _) = await person.SubmitAsync(settings, "form.resend-confirmation");
        resent.IsRedirectTo("/fr/compte/parametres");
        var (_, after) = await person.GetAsync("/fr/compte/parametres");
        Assert.That(after.QuerySelector(".notice")!.TextContent, Does.Contain("Un nouveau lien de confirmation vient d'être envoyé à " + email));
        Assert.That(await ConfirmationEmailsAsync(email), Is.EqualTo(2));
    }
}
