using Marketplace.Web.Domain;
using Marketplace.Web.Domain.Providers;

namespace Marketplace.Tests.Unit;

public sealed class ProviderTests
{
    private static Provider NewProvider() =>
        new("coop-test", "Coop Test", LegalForm.Cooperative, true, "Une coopérative de test.");

    private static void AddOffering(Provider provider, bool allQuebec = false, params string[] regions) =>
        provider.AddOffering("formation", "Formations.", null, PricingModel.Forfait, DeliveryMode.Hybride, allQuebec, regions, ["fr"]);

    [Test]
    public void A_new_listing_is_a_draft() => Assert.That(NewProvider().Status, Is.EqualTo(ListingStatus.Draft));

    [Test]
    public void Publishing_records_the_verification_date()
    {
        var provider = NewProvider();
        AddOffering(provider, false, "06");
        var when = new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);
        provider.Publish(when);
        Assert.That(provider.Status, Is.EqualTo(ListingStatus.Published));
        Assert.That(provider.VerifiedAt, Is.EqualTo(when));
    }

    [Test]
    public void A_listing_without_offering_cannot_be_published() =>
        Assert.Throws<DomainException>(() => NewProvider().Publish(DateTimeOffset.UnixEpoch));

    [Test]
    public void An_archived_listing_cannot_be_published_or_archived_again()
    {
        var provider = NewProvider();
        AddOffering(provider, false, "06");
        provider.Archive();
        Assert.Throws<DomainException>(() => provider.Publish(DateTimeOffset.UnixEpoch));
        Assert.Throws<DomainException>(() => provider.Archive());
    }

    [TestCase("Majuscules")]
    [TestCase("avec espace")]
    [TestCase("-tiret")]
    [TestCase("accentué")]
    [TestCase("")]
    public void Slugs_are_lower_case_ascii_words_joined_by_dashes(string slug) =>
        Assert.Throws<DomainException>(() => new Provider(slug, "Nom", LegalForm.Obnl, true, "Description."));

    [TestCase("123")]
    [TestCase("12345678901")]
    [TestCase("12345abcde")]
    public void A_neq_has_ten_digits(string neq) =>
        Assert.Throws<DomainException>(() => new Provider("x", "Nom", LegalForm.Obnl, true, "Description.", neq: neq));

    [Test]
    public void A_valid_neq_and_website_are_kept()
    {
        var provider = new Provider("x", "Nom", LegalForm.Obnl, true, "Description.", neq: "1234 567 890", website: "https://exemple.invalid/x");
        Assert.That(provider.Neq, Is.EqualTo("1234567890"));
        Assert.That(provider.Website, Is.EqualTo("https://exemple.invalid/x"));
    }

    [TestCase("javascript:alert(1)")]
    [TestCase("ftp://exemple.invalid")]
    [TestCase("pas une adresse")]
    public void A_website_must_be_http_or_https(string website) =>
        Assert.Throws<DomainException>(() => new Provider("x", "Nom", LegalForm.Obnl, true, "Description.", website: website));

    [TestCase("00")]
    [TestCase("18")]
    [TestCase("6")]
    public void Regions_are_the_seventeen_official_codes(string code)
    {
        var provider = NewProvider();
        Assert.Throws<DomainException>(() => AddOffering(provider, false, code));
        Assert.Throws<DomainException>(() => new Provider("x", "Nom", LegalForm.Obnl, true, "Description.", headOfficeRegion: code));
    }

    [Test]
    public void All_of_quebec_serves_every_region()
    {
        var provider = NewProvider();
        AddOffering(provider, true);
        Assert.That(provider.RegionsServed(), Has.Count.EqualTo(17));
        Assert.That(provider.Offerings[0].RegionCodes, Is.Empty);
    }

    [Test]
    public void A_french_description_is_required_and_english_is_optional()
    {
        Assert.Throws<DomainException>(() => new Provider("x", "Nom", LegalForm.Obnl, true, "  "));
        Assert.That(new Provider("x", "Nom", LegalForm.Obnl, true, "Description.", "  ").DescriptionEn, Is.Null);
    }

    [Test]
    public void Enum_keys_round_trip()
    {
        Assert.That(EnumKeys<PricingModel>.Key(PricingModel.TarifReduitObnl), Is.EqualTo("tarif-reduit-obnl"));
        Assert.That(EnumKeys<DeliveryMode>.Key(DeliveryMode.ADistance), Is.EqualTo("a-distance"));
        foreach (var value in Enum.GetValues<LegalForm>())
            Assert.That(EnumKeys<LegalForm>.Parse(EnumKeys<LegalForm>.Key(value)), Is.EqualTo(value));
        Assert.That(EnumKeys<LegalForm>.TryParse("nope", out _), Is.False);
    }
}
