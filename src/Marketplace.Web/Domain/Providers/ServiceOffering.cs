namespace Marketplace.Web.Domain.Providers;

/// <summary>One service a provider offers: a category, how it is priced and delivered, where and in which languages.</summary>
public sealed class ServiceOffering
{
    public const int DescriptionMaxLength = 2000;
    public const int KeyMaxLength = 64;

    private ServiceOffering() { }

    internal ServiceOffering(string categoryKey, string descriptionFr, string? descriptionEn, PricingModel pricing,
        DeliveryMode delivery, bool servesAllQuebec, IEnumerable<string> regionCodes, IEnumerable<string> languages,
        IEnumerable<string> fundingPrograms)
    {
        CategoryKey = Guard.Text(categoryKey, KeyMaxLength, nameof(categoryKey));
        DescriptionFr = Guard.Text(descriptionFr, DescriptionMaxLength, nameof(descriptionFr));
        DescriptionEn = Guard.OptionalText(descriptionEn, DescriptionMaxLength, nameof(descriptionEn));
        Pricing = pricing;
        Delivery = delivery;
        ServesAllQuebec = servesAllQuebec;
        var regions = regionCodes.Select(r => r.Trim()).Distinct().Order(StringComparer.Ordinal).ToList();
        var invalid = regions.FirstOrDefault(r => !Providers.RegionCodes.IsValid(r));
        if (invalid is not null) throw new DomainException($"'{invalid}' is not a Quebec region code (01-17).");
        RegionCodes = servesAllQuebec ? [] : regions;
        Languages = Keys(languages, nameof(languages));
        FundingPrograms = Keys(fundingPrograms, nameof(fundingPrograms));
    }

    public int Id { get; private set; }
    public int ProviderId { get; private set; }
    public string CategoryKey { get; private set; } = "";
    public string DescriptionFr { get; private set; } = "";
    public string? DescriptionEn { get; private set; }
    public PricingModel Pricing { get; private set; }
    public DeliveryMode Delivery { get; private set; }
    /// <summary>Serves every region of Quebec; <see cref="RegionCodes"/> is then empty.</summary>
    public bool ServesAllQuebec { get; private set; }
    public List<string> RegionCodes { get; private set; } = [];
    public List<string> Languages { get; private set; } = [];
    public List<string> FundingPrograms { get; private set; } = [];

    public IReadOnlyList<string> RegionsServed() => ServesAllQuebec ? Providers.RegionCodes.All : RegionCodes;

    private static List<string> Keys(IEnumerable<string> keys, string name)
    {
        var list = keys.Select(k => k.Trim()).Where(k => k.Length > 0).Distinct().ToList();
        if (list.Any(k => k.Length > KeyMaxLength)) throw new DomainException($"A key in {name} is too long.");
        return list;
    }
}
