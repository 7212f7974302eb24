using Marketplace.Web.Domain;
using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Infrastructure.Data;

namespace Marketplace.Tests.Unit;

/// <summary>A listing's public contact channels in revisions: stored JSON, field-by-field diff, publishing rules, approval dates.</summary>
public sealed class ListingContactChannelsTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 7, 14, 0, 0, TimeSpan.Zero);

    /// <summary><see cref="ListingRevisionTests.Complete"/> exactly as <c>listing_revisions.Content</c> held it before the channels existed.</summary>
    private const string StoredBeforeChannels =
        @"{""name"":""Atelier Num\u00E9rique"",""legalForm"":""Cooperative"",""socialEconomy"":true,""neq"":null,""headOfficeRegion"":""06"",""website"":""https://exemple.invalid/atelier"",""descriptionFr"":""Formations en litt\u00E9ratie num\u00E9rique pour les organismes."",""descriptionEn"":null,""offerings"":[{""categoryKey"":""formation"",""descriptionFr"":""Ateliers sur mesure."",""descriptionEn"":null,""pricing"":""TarifReduitObnl"",""delivery"":""Hybride"",""servesAllQuebec"":false,""regionCodes"":[""06"",""13""],""languages"":[""fr""],""fundingPrograms"":[]}]}";

    private static ListingContent WithChannels(string? email = "info@atelier.invalid", string? phone = "514 555-0199",
        string? page = "https://atelier.invalid/joindre") =>
        ListingRevisionTests.Complete() with { PublicEmail = email, PublicPhone = phone, ContactPageUrl = page };

    [Test]
    public void A_revision_stored_before_the_contact_channels_existed_still_reads_with_none()
    {
        var converter = JsonValue.Converter<ListingContent>();
        var content = (ListingContent)converter.ConvertFromProvider(StoredBeforeChannels)!;
        Assert.That((content.PublicEmail, content.PublicPhone, content.ContactPageUrl), Is.EqualTo(((string?)null, (string?)null, (string?)null)));
        Assert.That(content.ChangedFrom(ListingRevisionTests.Complete()), Is.Empty, "every other field reads as before");

        var stored = (string)converter.ConvertToProvider(WithChannels())!;
        var read = (ListingContent)converter.ConvertFromProvider(stored)!;
        Assert.That((read.PublicEmail, read.PublicPhone, read.ContactPageUrl),
            Is.EqualTo(("info@atelier.invalid", "514 555-0199", "https://atelier.invalid/joindre")));
    }

    [Test]
    public void Changed_contact_channels_are_named_in_the_field_by_field_diff()
    {
        var before = WithChannels();
        Assert.That(WithChannels().ChangedFrom(before), Is.Empty);
        Assert.That(WithChannels(email: "bonjour@atelier.invalid").ChangedFrom(before), Is.EqualTo(new[] { "PublicEmail" }));
        Assert.That(WithChannels(phone: null, page: "https://atelier.invalid/contact").ChangedFrom(before),
            Is.EqualTo(new[] { "PublicPhone", "ContactPageUrl" }));
    }

    [Test]
    public void A_revision_with_a_malformed_channel_cannot_be_submitted()
    {
        Assert.DoesNotThrow(() => WithChannels().EnsurePublishable());
        Assert.Throws<DomainException>(() => WithChannels(email: "Atelier <info@atelier.invalid>").EnsurePublishable());
        Assert.Throws<DomainException>(() => WithChannels(phone: "appelez-nous").EnsurePublishable());
        Assert.Throws<DomainException>(() => WithChannels(page: "javascript:alert(1)").EnsurePublishable());
    }

    [Test]
    public void An_edit_starts_from_the_published_channels()
    {
        var provider = Provider.FromContent("atelier", WithChannels(), T0);
        Assert.That(ListingContent.Of(provider).ChangedFrom(WithChannels()), Is.Empty);
    }

    [Test]
    public void Approval_dates_changed_channels_and_keeps_the_check_date_of_unchanged_ones()
    {
        var none = Provider.FromContent("sans-coordonnees", ListingRevisionTests.Complete(), T0);
        Assert.That(none.ContactsCheckedAt, Is.Null, "no channel, nothing checked");

        var provider = Provider.FromContent("atelier", WithChannels(), T0);
        Assert.That((provider.PublicEmail, provider.ContactsCheckedAt), Is.EqualTo(("info@atelier.invalid", (DateTimeOffset?)T0)));

        // The same channels, the page written as the site stores it or not: the team's earlier check stands.
        provider.ApplyContent(WithChannels(page: "HTTPS://Atelier.invalid/joindre") with { DescriptionFr = "Autre description." }, T0.AddDays(30));
        Assert.That(provider.ContactsCheckedAt, Is.EqualTo(T0));

        provider.ApplyContent(WithChannels(phone: "418 555-0123"), T0.AddDays(60));
        Assert.That((provider.PublicPhone, provider.ContactsCheckedAt), Is.EqualTo(("418 555-0123", (DateTimeOffset?)T0.AddDays(60))));

        provider.ApplyContent(WithChannels(email: null, phone: null, page: null), T0.AddDays(90));
        Assert.That((provider.PublicEmail, provider.PublicPhone, provider.ContactPageUrl, provider.ContactsCheckedAt),
            Is.EqualTo(((string?)null, (string?)null, (string?)null, (DateTimeOffset?)null)), "no channel left, no check date");
    }
}
