using System.Text.RegularExpressions;

namespace Marketplace.Web.Domain.Providers;

/// <summary>
/// A provider's listing: who they are and the service offerings they publish. The aggregate root guards its own rules;
/// only a <see cref="ListingStatus.Published"/> listing is ever visible to the public.
/// </summary>
public sealed partial class Provider
{
    public const int NameMaxLength = 200;
    public const int SlugMaxLength = 80;
    public const int DescriptionMaxLength = 4000;
    public const int WebsiteMaxLength = 300;
    public const int NeqLength = 10;
    public const int EmailMaxLength = 254;
    public const int PhoneMaxLength = 40;

    private readonly List<ServiceOffering> _offerings = [];

    private Provider() { }

    public Provider(string slug, string name, LegalForm legalForm, bool socialEconomy, string descriptionFr,
        string? descriptionEn = null, string? neq = null, string? headOfficeRegion = null, string? website = null,
        DataOrigin origin = DataOrigin.Provider)
    {
        Slug = ValidSlug(slug);
        Origin = origin;
        Status = ListingStatus.Draft;
        Describe(name, legalForm, socialEconomy, descriptionFr, descriptionEn, neq, headOfficeRegion, website);
    }

    public int Id { get; private set; }
    public string Slug { get; private set; } = "";
    public string Name { get; private set; } = "";
    public LegalForm LegalForm { get; private set; }
    public string? Neq { get; private set; }
    public bool SocialEconomy { get; private set; }
    public string? HeadOfficeRegion { get; private set; }
    public string? Website { get; private set; }
    public string DescriptionFr { get; private set; } = "";
    public string? DescriptionEn { get; private set; }
    public ListingStatus Status { get; private set; }
    public DataOrigin Origin { get; private set; }
    /// <summary>When a person last confirmed this listing (the last human approval).</summary>
    public DateTimeOffset? VerifiedAt { get; private set; }
    public IReadOnlyList<ServiceOffering> Offerings => _offerings;

    /// <summary>The organization's public email: where a message goes while nobody manages the listing.</summary>
    public string? PublicEmail { get; private set; }
    public string? PublicPhone { get; private set; }
    /// <summary>A page of the organization's own site for contacting it (a form, a list of addresses).</summary>
    public string? ContactPageUrl { get; private set; }
    /// <summary>When a person last checked the public contact channels against the organization's own sources.</summary>
    public DateTimeOffset? ContactsCheckedAt { get; private set; }

    /// <summary>True when the listing gives at least one way to reach the organization.</summary>
    public bool HasContactChannel => PublicEmail is not null || PublicPhone is not null || ContactPageUrl is not null || Website is not null;

    /// <summary>
    /// The organization's public contact channels, as a curator (or the organization itself) set them;
    /// <paramref name="checkedAt"/> is when a person checked them (null: not checked).
    /// </summary>
    public void SetPublicContacts(string? email, string? phone, string? contactPageUrl, DateTimeOffset? checkedAt)
    {
        PublicEmail = ValidEmail(email);
        PublicPhone = ValidPhone(phone);
        ContactPageUrl = ValidUrl(contactPageUrl, "contact page");
        ContactsCheckedAt = checkedAt;
    }

    public void Describe(string name, LegalForm legalForm, bool socialEconomy, string descriptionFr, string? descriptionEn,
        string? neq, string? headOfficeRegion, string? website)
    {
        Name = Guard.Text(name, NameMaxLength, nameof(name));
        LegalForm = legalForm;
        SocialEconomy = socialEconomy;
        DescriptionFr = Guard.Text(descriptionFr, DescriptionMaxLength, nameof(descriptionFr));
        DescriptionEn = Guard.OptionalText(descriptionEn, DescriptionMaxLength, nameof(descriptionEn));
        Neq = ValidNeq(neq);
        HeadOfficeRegion = ValidOptionalRegion(headOfficeRegion);
        Website = ValidWebsite(website);
    }

    public ServiceOffering AddOffering(string categoryKey, string descriptionFr, string? descriptionEn, PricingModel pricing,
        DeliveryMode delivery, bool servesAllQuebec, IEnumerable<string> regionCodes, IEnumerable<string> languages,
        IEnumerable<string>? fundingPrograms = null)
    {
        var offering = new ServiceOffering(categoryKey, descriptionFr, descriptionEn, pricing, delivery, servesAllQuebec,
            regionCodes, languages, fundingPrograms ?? []);
        _offerings.Add(offering);
        return offering;
    }

    /// <summary>
    /// A new listing from the first approved revision of a provider organization; its public contact channels count as
    /// checked at <paramref name="approvedAt"/> (the verification team checked them when approving).
    /// </summary>
    public static Provider FromContent(string slug, Listings.ListingContent content, DateTimeOffset approvedAt)
    {
        var provider = new Provider(slug, content.Name, content.LegalForm, content.SocialEconomy, content.DescriptionFr,
            content.DescriptionEn, content.Neq, content.HeadOfficeRegion, content.Website);
        provider.ReplaceOfferings(content.Offerings);
        provider.ApplyPublicContacts(content, approvedAt);
        return provider;
    }

    /// <summary>
    /// An approved edit replaces what the listing says, offerings and public contact channels included. Changed channels
    /// count as checked at <paramref name="approvedAt"/>; unchanged ones keep the date a person last checked them.
    /// </summary>
    public void ApplyContent(Listings.ListingContent content, DateTimeOffset approvedAt)
    {
        if (Status == ListingStatus.Archived) throw new DomainException("An archived listing cannot be edited.");
        Describe(content.Name, content.LegalForm, content.SocialEconomy, content.DescriptionFr, content.DescriptionEn,
            content.Neq, content.HeadOfficeRegion, content.Website);
        ReplaceOfferings(content.Offerings);
        ApplyPublicContacts(content, approvedAt);
    }

    private void ApplyPublicContacts(Listings.ListingContent content, DateTimeOffset approvedAt)
    {
        // Compared as they would be stored (a contact page URL is normalized), so an untouched channel is not a change.
        var unchanged = ValidEmail(content.PublicEmail) == PublicEmail && ValidPhone(content.PublicPhone) == PublicPhone
                        && ValidUrl(content.ContactPageUrl, "contact page") == ContactPageUrl;
        if (unchanged) return;
        var anyChannel = content.PublicEmail is not null || content.PublicPhone is not null || content.ContactPageUrl is not null;
        SetPublicContacts(content.PublicEmail, content.PublicPhone, content.ContactPageUrl, anyChannel ? approvedAt : null);
    }

    private void ReplaceOfferings(IReadOnlyList<Listings.OfferingContent> offerings)
    {
        _offerings.Clear();
        foreach (var o in offerings)
            AddOffering(o.CategoryKey, o.DescriptionFr, o.DescriptionEn, o.Pricing, o.Delivery, o.ServesAllQuebec,
                o.RegionCodes, o.Languages, o.FundingPrograms);
    }

    /// <summary>Publishes the listing after a person has checked it; the verification date is that check.</summary>
    public void Publish(DateTimeOffset verifiedAt)
    {
        if (Status == ListingStatus.Archived) throw new DomainException("An archived listing cannot be published again.");
        if (_offerings.Count == 0) throw new DomainException("A listing needs at least one service offering to be published.");
        Status = ListingStatus.Published;
        VerifiedAt = verifiedAt;
    }

    public void Archive()
    {
        if (Status == ListingStatus.Archived) throw new DomainException("The listing is already archived.");
        Status = ListingStatus.Archived;
    }

    /// <summary>
    /// Undoes an archive (a curator's decision, ADR 0016): the listing is published again as it was, with the verification
    /// date it had; a listing no person ever verified cannot come back this way.
    /// </summary>
    public void Restore()
    {
        if (Status != ListingStatus.Archived) throw new DomainException("Only an archived listing can be restored.");
        if (VerifiedAt is null) throw new DomainException("A listing nobody ever verified cannot be restored to publication.");
        if (_offerings.Count == 0) throw new DomainException("A listing needs at least one service offering to be published.");
        Status = ListingStatus.Published;
    }

    /// <summary>A person checked the published listing again and found it current: the verification date is that check.</summary>
    public void RenewVerification(DateTimeOffset now)
    {
        if (Status != ListingStatus.Published) throw new DomainException("Only a published listing can have its verification renewed.");
        VerifiedAt = now;
    }

    /// <summary>How long a verification vouches for a listing.</summary>
    public const int VerificationValidMonths = 12;

    /// <summary>Verifications made before this instant are due for renewal.</summary>
    public static DateTimeOffset VerificationDueBefore(DateTimeOffset now) => now.AddMonths(-VerificationValidMonths);

    /// <summary>
    /// The one rule for every page and email: a verification over 12 months old is no longer shown as a date claim but as
    /// « vérification à renouveler », and puts the listing on the curators' « à revérifier » list.
    /// </summary>
    public static bool VerificationIsStale(DateTimeOffset verifiedAt, DateTimeOffset now) => verifiedAt < VerificationDueBefore(now);

    /// <summary>Regions served by at least one offering; "all of Quebec" counts as every region.</summary>
    public IReadOnlyCollection<string> RegionsServed() =>
        _offerings.Any(o => o.ServesAllQuebec)
            ? RegionCodes.All.ToArray()
            : _offerings.SelectMany(o => o.RegionCodes).Distinct().Order(StringComparer.Ordinal).ToArray();

    public static bool IsValidSlug(string? slug) => slug is { Length: > 0 and <= SlugMaxLength } && SlugPattern().IsMatch(slug);

    private static string ValidSlug(string slug) =>
        IsValidSlug(slug) ? slug : throw new DomainException($"'{slug}' is not a valid slug (lower-case letters, digits and dashes).");

    private static string? ValidNeq(string? neq)
    {
        var value = neq?.Replace(" ", "").Trim();
        if (string.IsNullOrEmpty(value)) return null;
        return value.Length == NeqLength && value.All(char.IsAsciiDigit)
            ? value
            : throw new DomainException("A NEQ has exactly 10 digits.");
    }

    private static string? ValidOptionalRegion(string? code)
    {
        if (string.IsNullOrWhiteSpace(code)) return null;
        return RegionCodes.IsValid(code) ? code : throw new DomainException($"'{code}' is not a Quebec region code (01-17).");
    }

    private static string? ValidWebsite(string? website) => ValidUrl(website, "website");

    /// <summary>The one rule for a website or a contact page: an absolute http or https address of at most 300 characters.</summary>
    public static bool IsValidWebAddress(string? url) =>
        url is { Length: > 0 and <= WebsiteMaxLength } && Uri.TryCreate(url, UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp);

    private static string? ValidUrl(string? url, string name)
    {
        var value = Guard.OptionalText(url, WebsiteMaxLength, name);
        if (value is null) return null;
        return IsValidWebAddress(value)
            ? new Uri(value, UriKind.Absolute).ToString()
            : throw new DomainException($"A {name} must be an http or https address.");
    }

    /// <summary>True for one plain address (no display name, no list): the only shape a public email may take.</summary>
    public static bool IsValidEmail(string? email) =>
        email is { Length: > 0 and <= EmailMaxLength } && EmailPattern().IsMatch(email);

    private static string? ValidEmail(string? email)
    {
        var value = Guard.OptionalText(email, EmailMaxLength, nameof(email));
        if (value is null) return null;
        return IsValidEmail(value) ? value : throw new DomainException("A public email must be one plain address.");
    }

    public static bool IsValidPhone(string? phone) =>
        phone is { Length: > 0 and <= PhoneMaxLength } && PhonePattern().IsMatch(phone) && phone.Count(char.IsAsciiDigit) >= 7;

    private static string? ValidPhone(string? phone)
    {
        var value = Guard.OptionalText(phone, PhoneMaxLength, nameof(phone));
        if (value is null) return null;
        return IsValidPhone(value) ? value : throw new DomainException("A phone number has digits, spaces, dashes, dots, parentheses or a leading +.");
    }

    [GeneratedRegex(@"^[^@\s<>(),;:""\[\]]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$")]
    private static partial Regex EmailPattern();

    [GeneratedRegex(@"^\+?[0-9 ().-]+(?: ?(?:poste|ext\.?|x) ?[0-9]{1,6})?$")]
    private static partial Regex PhonePattern();

    [GeneratedRegex("^[a-z0-9]+(-[a-z0-9]+)*$")]
    private static partial Regex SlugPattern();
}
