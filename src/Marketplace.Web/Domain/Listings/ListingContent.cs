using Marketplace.Web.Domain.Providers;

namespace Marketplace.Web.Domain.Listings;

/// <summary>One service offering as the provider wrote it in a revision.</summary>
public sealed record OfferingContent(
    string CategoryKey,
    string DescriptionFr,
    string? DescriptionEn,
    PricingModel Pricing,
    DeliveryMode Delivery,
    bool ServesAllQuebec,
    IReadOnlyList<string> RegionCodes,
    IReadOnlyList<string> Languages,
    IReadOnlyList<string> FundingPrograms);

/// <summary>
/// What a provider writes about itself in a revision of its listing: the fields a provider may set, and nothing a
/// curator sets (status, verification dates). Stored whole with each revision as JSON, so any two versions can be
/// compared. Fields added later come last with a default, so revisions stored before them still read (ADR 0010).
/// </summary>
public sealed record ListingContent(
    string Name,
    LegalForm LegalForm,
    bool SocialEconomy,
    string? Neq,
    string? HeadOfficeRegion,
    string? Website,
    string DescriptionFr,
    string? DescriptionEn,
    IReadOnlyList<OfferingContent> Offerings,
    string? PublicEmail = null,
    string? PublicPhone = null,
    string? ContactPageUrl = null)
{
    public static ListingContent Empty(string name) =>
        new(name, LegalForm.Obnl, false, null, null, null, "", null, []);

    public static ListingContent Of(Provider provider) => new(
        provider.Name, provider.LegalForm, provider.SocialEconomy, provider.Neq, provider.HeadOfficeRegion, provider.Website,
        provider.DescriptionFr, provider.DescriptionEn,
        provider.Offerings.Select(o => new OfferingContent(o.CategoryKey, o.DescriptionFr, o.DescriptionEn, o.Pricing,
            o.Delivery, o.ServesAllQuebec, o.RegionCodes.ToArray(), o.Languages.ToArray(), o.FundingPrograms.ToArray())).ToArray(),
        provider.PublicEmail, provider.PublicPhone, provider.ContactPageUrl);

    /// <summary>
    /// Checks every rule a published listing must meet (the same guards as <see cref="Provider"/>) and throws a
    /// <see cref="DomainException"/> naming the first broken one.
    /// </summary>
    public void EnsurePublishable()
    {
        var probe = new Provider("verification", Name, LegalForm, SocialEconomy, DescriptionFr, DescriptionEn, Neq,
            HeadOfficeRegion, Website);
        probe.SetPublicContacts(PublicEmail, PublicPhone, ContactPageUrl, checkedAt: null);
        if (Offerings.Count == 0) throw new DomainException("A listing needs at least one service offering.");
        foreach (var o in Offerings)
            probe.AddOffering(o.CategoryKey, o.DescriptionFr, o.DescriptionEn, o.Pricing, o.Delivery, o.ServesAllQuebec,
                o.RegionCodes, o.Languages, o.FundingPrograms);
    }

    /// <summary>The names of the fields that differ from <paramref name="before"/>, in form order.</summary>
    public IReadOnlyList<string> ChangedFrom(ListingContent before)
    {
        var changed = new List<string>();
        if (Name != before.Name) changed.Add(nameof(Name));
        if (LegalForm != before.LegalForm) changed.Add(nameof(LegalForm));
        if (SocialEconomy != before.SocialEconomy) changed.Add(nameof(SocialEconomy));
        if (Neq != before.Neq) changed.Add(nameof(Neq));
        if (HeadOfficeRegion != before.HeadOfficeRegion) changed.Add(nameof(HeadOfficeRegion));
        if (Website != before.Website) changed.Add(nameof(Website));
        if (DescriptionFr != before.DescriptionFr) changed.Add(nameof(DescriptionFr));
        if (DescriptionEn != before.DescriptionEn) changed.Add(nameof(DescriptionEn));
        if (PublicEmail != before.PublicEmail) changed.Add(nameof(PublicEmail));
        if (PublicPhone != before.PublicPhone) changed.Add(nameof(PublicPhone));
        if (ContactPageUrl != before.ContactPageUrl) changed.Add(nameof(ContactPageUrl));
        if (!Offerings.SequenceEqual(before.Offerings, OfferingComparer.Instance)) changed.Add(nameof(Offerings));
        return changed;
    }

    private sealed class OfferingComparer : IEqualityComparer<OfferingContent>
    {
        public static readonly OfferingComparer Instance = new();

        public bool Equals(OfferingContent? a, OfferingContent? b) =>
            a is not null && b is not null
            && a.CategoryKey == b.CategoryKey && a.DescriptionFr == b.DescriptionFr && a.DescriptionEn == b.DescriptionEn
            && a.Pricing == b.Pricing && a.Delivery == b.Delivery && a.ServesAllQuebec == b.ServesAllQuebec
            && a.RegionCodes.SequenceEqual(b.RegionCodes) && a.Languages.SequenceEqual(b.Languages)
            && a.FundingPrograms.SequenceEqual(b.FundingPrograms);

        public int GetHashCode(OfferingContent o) => HashCode.Combine(o.CategoryKey, o.DescriptionFr, o.Pricing);
    }
}
