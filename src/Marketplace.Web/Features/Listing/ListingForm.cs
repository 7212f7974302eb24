using Marketplace.Web.Domain.Listings;
using Marketplace.Web.Domain.Providers;
using Microsoft.Extensions.Localization;

namespace Marketplace.Web.Features.Listing;

/// <summary>One service offering as posted by the listing form; a slot without a category is left out.</summary>
public sealed class OfferingForm
{
    public string? CategoryKey { get; set; }
    public string? DescriptionFr { get; set; }
    public string? DescriptionEn { get; set; }
    public string Pricing { get; set; } = EnumKeys<PricingModel>.Key(PricingModel.NonPrecise);
    public string Delivery { get; set; } = EnumKeys<DeliveryMode>.Key(DeliveryMode.NonPrecise);
    public bool ServesAllQuebec { get; set; }
    public List<string> Regions { get; set; } = [];
    public List<string> Languages { get; set; } = [];
    public List<string> Funding { get; set; } = [];
}

/// <summary>
/// The provider's listing form: only the fields a provider may set (no status, no verification date: those are not
/// even bound). Turned into <see cref="ListingContent"/>, with every problem as a message in the current language.
/// </summary>
public sealed class ListingForm
{
    public const int OfferingSlots = 4;

    public int Version { get; set; }
    public string? Name { get; set; }
    public string LegalForm { get; set; } = EnumKeys<Domain.Providers.LegalForm>.Key(Domain.Providers.LegalForm.Autre);
    public bool SocialEconomy { get; set; }
    public string? Neq { get; set; }
    public string? HeadOfficeRegion { get; set; }
    public string? Website { get; set; }
    public string? DescriptionFr { get; set; }
    public string? DescriptionEn { get; set; }
    public string? PublicEmail { get; set; }
    public string? PublicPhone { get; set; }
    public string? ContactPageUrl { get; set; }
    public List<OfferingForm> Offerings { get; set; } = [];

    public static ListingForm From(ListingContent content, int version)
    {
        var form = new ListingForm
        {
            Version = version, Name = content.Name, LegalForm = EnumKeys<Domain.Providers.LegalForm>.Key(content.LegalForm),
            SocialEconomy = content.SocialEconomy, Neq = content.Neq, HeadOfficeRegion = content.HeadOfficeRegion,
            Website = content.Website, DescriptionFr = content.DescriptionFr, DescriptionEn = content.DescriptionEn,
            PublicEmail = content.PublicEmail, PublicPhone = content.PublicPhone, ContactPageUrl = content.ContactPageUrl,
            Offerings = content.Offerings.Select(o => new OfferingForm
            {
                CategoryKey = o.CategoryKey, DescriptionFr = o.DescriptionFr, DescriptionEn = o.DescriptionEn,
                Pricing = EnumKeys<PricingModel>.Key(o.Pricing), Delivery = EnumKeys<DeliveryMode>.Key(o.Delivery),
                ServesAllQuebec = o.ServesAllQuebec, Regions = o.RegionCodes.ToList(), Languages = o.Languages.ToList(),
                Funding = o.FundingPrograms.ToList(),
            }).ToList(),
        };
        form.PadOfferings();
        return form;
    }

    /// <summary>Blank slots up to <see cref="OfferingSlots"/> (at least one), so the page works without JavaScript.</summary>
    public void PadOfferings()
    {
        while (Offerings.Count < OfferingSlots) Offerings.Add(new OfferingForm());
    }

    /// <summary>
    /// The content, and the problems that would keep it from being submitted. A draft may be saved with problems
    /// (<paramref name="forSubmission"/> false) as long as its values are well-formed.
    /// </summary>
    public (ListingContent? Content, List<string> Problems) ToContent(IStringLocalizer text, IReadOnlySet<string> categories,
        IReadOnlySet<string> languages, IReadOnlySet<string> funding, bool forSubmission)
    {
        var problems = new List<string>();
        var formProblems = new List<string>();
        if (!EnumKeys<Domain.Providers.LegalForm>.TryParse(LegalForm, out var legalForm)) formProblems.Add(text["Listing.Problem.LegalForm"]);
        var neq = Neq?.Replace(" ", "").Trim();
        if (!string.IsNullOrEmpty(neq) && (neq.Length != Provider.NeqLength || !neq.All(char.IsAsciiDigit))) formProblems.Add(text["Listing.Problem.Neq"]);
        if (!string.IsNullOrWhiteSpace(HeadOfficeRegion) && !RegionCodes.IsValid(HeadOfficeRegion)) formProblems.Add(text["Listing.Problem.Region"]);
        var website = Blank(Website);
        if (website is not null && !Provider.IsValidWebAddress(website)) formProblems.Add(text["Listing.Problem.Website"]);
        // The same rules as the verification team's contact form (Provider), so what a provider may submit, the team may keep.
        var (email, phone, contactPage) = (Blank(PublicEmail), Blank(PublicPhone), Blank(ContactPageUrl));
        if (email is not null && !Provider.IsValidEmail(email)) formProblems.Add(text["Listing.Problem.PublicEmail"]);
        if (phone is not null && !Provider.IsValidPhone(phone)) formProblems.Add(text["Listing.Problem.PublicPhone"]);
        if (contactPage is not null && !Provider.IsValidWebAddress(contactPage)) formProblems.Add(text["Listing.Problem.ContactPage"]);
        if ((Name?.Trim().Length ?? 0) > Provider.NameMaxLength || (DescriptionFr?.Length ?? 0) > Provider.DescriptionMaxLength
            || (DescriptionEn?.Length ?? 0) > Provider.DescriptionMaxLength)
            formProblems.Add(text["Listing.Problem.TooLong"]);

        var offerings = new List<OfferingContent>();
        var number = 0;
        foreach (var o in Offerings.Where(o => !string.IsNullOrWhiteSpace(o.CategoryKey)))
        {
            number++;
            if (!categories.Contains(o.CategoryKey!)) { formProblems.Add(text["Listing.Problem.Category", number]); continue; }
            if (!EnumKeys<PricingModel>.TryParse(o.Pricing, out var pricing) || !EnumKeys<DeliveryMode>.TryParse(o.Delivery, out var delivery))
            { formProblems.Add(text["Listing.Problem.Offering", number]); continue; }
            var regions = o.ServesAllQuebec ? [] : o.Regions.Where(r => !string.IsNullOrEmpty(r)).Distinct().ToList();
            if (regions.Any(r => !RegionCodes.IsValid(r)) || o.Languages.Any(l => !languages.Contains(l)) || o.Funding.Any(f => !funding.Contains(f))
                || (o.DescriptionFr?.Length ?? 0) > ServiceOffering.DescriptionMaxLength || (o.DescriptionEn?.Length ?? 0) > ServiceOffering.DescriptionMaxLength)
            { formProblems.Add(text["Listing.Problem.Offering", number]); continue; }
            if (string.IsNullOrWhiteSpace(o.DescriptionFr)) problems.Add(text["Listing.Problem.OfferingDescription", number]);
            if (o.Languages.Count == 0) problems.Add(text["Listing.Problem.OfferingLanguage", number]);
            if (!o.ServesAllQuebec && regions.Count == 0) problems.Add(text["Listing.Problem.OfferingRegion", number]);
            offerings.Add(new OfferingContent(o.CategoryKey!, o.DescriptionFr?.Trim() ?? "", Blank(o.DescriptionEn), pricing, delivery,
                o.ServesAllQuebec, regions.Order(StringComparer.Ordinal).ToArray(), o.Languages.Distinct().ToArray(), o.Funding.Distinct().ToArray()));
        }
        if (formProblems.Count > 0) return (null, formProblems);

        if (string.IsNullOrWhiteSpace(Name)) problems.Insert(0, text["Listing.Problem.Name"]);
        if (string.IsNullOrWhiteSpace(DescriptionFr)) problems.Add(text["Listing.Problem.DescriptionFr"]);
        if (offerings.Count == 0) problems.Add(text["Listing.Problem.NoOffering"]);
        var content = new ListingContent(Name?.Trim() ?? "", legalForm, SocialEconomy, Blank(neq), Blank(HeadOfficeRegion), website,
            DescriptionFr?.Trim() ?? "", Blank(DescriptionEn), offerings, email, phone, contactPage);
        return (content, forSubmission ? problems : []);
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
