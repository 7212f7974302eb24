using System.Net;
using AngleSharp.Html.Dom;
using Marketplace.Tests.Support;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using static Marketplace.Tests.Integration.CurationJourneyTests;

namespace Marketplace.Tests.Integration;

/// <summary>
/// A provider keeps its own public contact channels (email, phone, contact page) through the revision workflow, with the
/// real forms: the editor, the team's field-by-field review, the approval and the public page (ADR 0018).
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class ProviderContactChannelsTests(DatabaseProvider provider)
{
    private MarketplaceFactory _factory = null!;

    [OneTimeSetUp]
    public async Task Start() => _factory = await MarketplaceFactory.StartAsync(provider);

    [OneTimeTearDown]
    public async Task Stop() => await _factory.DisposeAsync();

    private static string? Input(IHtmlDocument page, string selector) => (page.QuerySelector(selector) as IHtmlInputElement)?.Value;

    private static string? ChangedFields(IHtmlDocument review) =>
        review.QuerySelectorAll("p").Select(p => p.TextContent.Trim()).FirstOrDefault(t => t.StartsWith("Champs modifiés"));

    /// <summary>Signs up a provider and has its first revision approved; returns the owner and the curator, signed in.</summary>
    private async Task<(Browsing Owner, Browsing Curator)> PublishedListingAsync(string name, string word, string person,
        IReadOnlyDictionary<string, string>? extra = null)
    {
        var suffix = provider.ToString().ToLowerInvariant();
        var owner = await SignUpAsync(_factory, $"{person}-{suffix}@exemple.invalid", name, "Provider");
        var curator = await CuratorAsync(_factory, $"verif-{person}-{suffix}@exemple.invalid");
        var editor = await OpenEditorAsync(owner);
        var values = Listing(name, word);
        foreach (var (key, value) in extra ?? new Dictionary<string, string>()) values[key] = value;
        values["submit"] = "1";
        var (submitted, page) = await owner.SubmitAsync(editor, "form.stacked-form", values);
        Assert.That(submitted.StatusCode, Is.EqualTo(HttpStatusCode.Redirect), page.QuerySelector(".alert")?.TextContent);
        await DecideAsync(curator, name, "Approve");
        return (owner, curator);
    }

    [Test]
    public async Task A_provider_sets_its_public_email_in_a_revision_the_team_sees_it_changed_and_approval_publishes_it()
    {
        var (owner, curator) = await PublishedListingAsync("Coop Hérisson", "herissonun", "herisson");
        using var _ = owner;
        using var __ = curator;

        // The edit starts from what is published (no public email yet) and shows the channels in their own fieldset.
        var editor = await OpenEditorAsync(owner);
        Assert.That(editor.QuerySelectorAll("fieldset legend").Select(l => l.TextContent.Trim()), Has.Member("Coordonnées publiques"));
        Assert.That(Input(editor, "#public-email"), Is.Empty);

        // A malformed phone is refused with its message; everything typed is still there.
        var (refused, refusedPage) = await owner.SubmitAsync(editor, "form.stacked-form", new Dictionary<string, string>
        {
            ["PublicEmail"] = "bonjour@herisson.invalid", ["PublicPhone"] = "appelez-nous", ["ContactPageUrl"] = "https://herisson.invalid/joindre",
            ["DescriptionFr"] = "Coopérative de soutien herissondeux pour les organismes.", ["submit"] = "1",
        });
        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(refusedPage.QuerySelector(".alert")?.TextContent, Does.Contain("téléphone public"));
        Assert.That((Input(refusedPage, "#public-email"), Input(refusedPage, "#public-phone"), Input(refusedPage, "#contact-page")),
            Is.EqualTo(("bonjour@herisson.invalid", "appelez-nous", "https://herisson.invalid/joindre")));
        Assert.That((refusedPage.QuerySelector("#description-fr") as IHtmlTextAreaElement)?.Value, Does.Contain("herissondeux"));

        // The same refusal reads in English on the English page.
        var englishPath = refusedPage.QuerySelector("form.stacked-form")!.GetAttribute("action")!
            .Replace("/fr/compte/fiche/revisions/", "/en/account/listing/revisions/");
        var (_, englishEditor) = await owner.GetAsync(englishPath);
        var (englishRefused, englishPage) = await owner.SubmitAsync(englishEditor, "form.stacked-form",
            new Dictionary<string, string> { ["PublicPhone"] = "appelez-nous", ["save"] = "1" });
        Assert.That(englishRefused.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        Assert.That(englishPage.QuerySelector(".alert")?.TextContent, Does.Contain("public phone"));

        // Corrected and submitted: nothing is public before the team approves.
        var (submitted, _) = await owner.SubmitAsync(refusedPage, "form.stacked-form",
            new Dictionary<string, string> { ["PublicPhone"] = "", ["submit"] = "1" });
        submitted.IsRedirectTo("/fr/compte/fiche");
        var (_, before) = await owner.GetAsync("/fr/fournisseurs/coop-herisson");
        Assert.That(before.QuerySelector(".contact-box a[href^='mailto:']"), Is.Null);

        // The team's review marks the channels as changed, field by field.
        var (_, review) = await curator.GetAsync(await ReviewLinkAsync(curator, "Coop Hérisson"));
        Assert.That(ChangedFields(review), Is.EqualTo("Champs modifiés : description en français, courriel public, page de contact"));
        var marked = review.QuerySelectorAll(".compare dt.changed").Select(dt => dt.TextContent.Trim()).ToArray();
        Assert.That(marked, Has.Some.StartsWith("Courriel public"));
        Assert.That(marked, Has.None.StartsWith("Téléphone public"), "an unchanged channel is not marked");
        Assert.That(review.QuerySelector(".notice[role=note]")?.TextContent, Does.Contain("vous confirmez avoir vérifié les coordonnées publiques"),
            "the team is told that approving dates the channels as checked");
        await DecideAsync(curator, "Coop Hérisson", "Approve");

        // Published: the public page shows the email, checked by the team when it approved.
        var (_, after) = await owner.GetAsync("/fr/fournisseurs/coop-herisson");
        Assert.That(after.QuerySelector(".contact-box a[href^='mailto:']")?.TextContent, Is.EqualTo("bonjour@herisson.invalid"));
        Assert.That(after.QuerySelector(".contact-box")!.TextContent, Does.Contain("Coordonnées vérifiées par l'équipe de vérification le"));
        var (checkedAt, approvedAt) = await _factory.WithDbAsync(async db =>
        {
            var listing = await db.Providers.SingleAsync(p => p.Slug == "coop-herisson");
            var approved = await db.ListingRevisions.Where(r => r.ProviderId == listing.Id).OrderByDescending(r => r.Id).FirstAsync();
            return (listing.ContactsCheckedAt, approved.DecidedAt);
        });
        Assert.That(checkedAt, Is.Not.Null.And.EqualTo(approvedAt));
    }

    [Test]
    public async Task An_approved_revision_that_leaves_the_contacts_alone_keeps_the_date_they_were_checked()
    {
        var (owner, curator) = await PublishedListingAsync("Coop Tatou", "tatouun", "tatou",
            new Dictionary<string, string> { ["PublicPhone"] = "514 555-0199", ["ContactPageUrl"] = "https://tatou.invalid/contact" });
        using var _ = owner;
        using var __ = curator;
        var (_, published) = await owner.GetAsync("/fr/fournisseurs/coop-tatou");
        Assert.That(published.QuerySelector(".contact-box a[href^='tel:']")?.TextContent, Is.EqualTo("514 555-0199"),
            "the first revision's channels are published with the listing");
        Assert.That(await _factory.WithDbAsync(db => db.Providers.Where(p => p.Slug == "coop-tatou").Select(p => p.ContactsCheckedAt).SingleAsync()),
            Is.Not.Null);

        // The team checked them long ago; an edit of the description alone must not claim a fresh check.
        var longAgo = new DateTimeOffset(2026, 1, 15, 15, 0, 0, TimeSpan.Zero);
        await _factory.WithDbAsync(db => db.Providers.Where(p => p.Slug == "coop-tatou")
            .ExecuteUpdateAsync(u => u.SetProperty(p => p.ContactsCheckedAt, longAgo)));
        var editor = await OpenEditorAsync(owner);
        Assert.That((Input(editor, "#public-phone"), Input(editor, "#contact-page")),
            Is.EqualTo(("514 555-0199", "https://tatou.invalid/contact")), "the edit starts from the published channels");
        var (submitted, _) = await owner.SubmitAsync(editor, "form.stacked-form",
            new Dictionary<string, string> { ["DescriptionFr"] = "Coopérative de soutien tatoudeux pour les organismes.", ["submit"] = "1" });
        submitted.IsRedirectTo("/fr/compte/fiche");
        var (_, review) = await curator.GetAsync(await ReviewLinkAsync(curator, "Coop Tatou"));
        Assert.That(ChangedFields(review), Is.EqualTo("Champs modifiés : description en français"));
        Assert.That(review.QuerySelector(".notice[role=note]"), Is.Null, "no channel changes, nothing to check");
        await DecideAsync(curator, "Coop Tatou", "Approve");

        var listing = await _factory.WithDbAsync(db => db.Providers.Where(p => p.Slug == "coop-tatou")
            .Select(p => new { p.PublicPhone, p.ContactPageUrl, p.ContactsCheckedAt, p.DescriptionFr }).SingleAsync());
        Assert.That(listing.DescriptionFr, Does.Contain("tatoudeux"));
        Assert.That((listing.PublicPhone, listing.ContactPageUrl), Is.EqualTo(("514 555-0199", "https://tatou.invalid/contact")));
        Assert.That(listing.ContactsCheckedAt, Is.EqualTo(longAgo));
        var (_, after) = await owner.GetAsync("/fr/fournisseurs/coop-tatou");
        Assert.That(after.QuerySelector(".contact-box")!.TextContent, Does.Contain("le 15 janvier 2026"));
    }
}
