using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Search;
using Marketplace.Web.Infrastructure.Web;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Web.Features.Directory;

/// <summary>
/// A published provider's public page; null for anything not published (drafts and archives are never shown). Everything
/// it shows changes with the search version (a listing change, renewed contacts or verification, a claim accepted), so
/// pages are kept under it (<see cref="ProviderPageCache"/>, ADR 0025); what depends on the visitor is in the view.
/// </summary>
public sealed class ProviderPage(MarketplaceDbContext db, Vocabulary vocabulary, RequestSearchVersion version, ProviderPageCache pages)
{
    public sealed record View(
        string Slug,
        string Name,
        string Description,
        bool DescriptionIsFallback,
        string LegalForm,
        bool SocialEconomy,
        string? Neq,
        string? HeadOfficeRegion,
        string? Website,
        DataOrigin Origin,
        DateTimeOffset? VerifiedAt,
        IReadOnlyList<Offering> Offerings,
        int Id = 0,
        string? PublicEmail = null,
        string? PublicPhone = null,
        string? ContactPageUrl = null,
        DateTimeOffset? ContactsCheckedAt = null,
        bool Managed = false);

    public sealed record Offering(
        string Category,
        string Description,
        bool DescriptionIsFallback,
        string Pricing,
        string Delivery,
        bool ServesAllQuebec,
        IReadOnlyList<string> Regions,
        IReadOnlyList<string> Languages,
        IReadOnlyList<string> FundingPrograms);

    public async Task<View?> HandleAsync(string slug, CancellationToken cancellationToken)
    {
        var key = $"{(Cultures.IsEnglish ? "en" : "fr")}|{slug}";
        // The version before the page: a page is never kept under a version newer than what it shows.
        var current = await version.CurrentAsync(cancellationToken);
        if (pages.Get(current, key) is { } cached) return cached;
        var view = await LoadAsync(slug, cancellationToken);
        if (view is not null) pages.Set(current, key, view); // not what is missing: any slug could fill the cache
        return view;
    }

    /// <summary>The name of an archived (withdrawn) listing with this slug; null when there is none.</summary>
    public Task<string?> ArchivedNameAsync(string slug, CancellationToken cancellationToken) =>
        db.Providers.AsNoTracking().Where(x => x.Slug == slug && x.Status == ListingStatus.Archived).Select(x => x.Name).SingleOrDefaultAsync(cancellationToken);

    private async Task<View?> LoadAsync(string slug, CancellationToken cancellationToken)
    {
        var p = await db.Providers.AsNoTracking()
            .Where(x => x.Slug == slug && x.Status == ListingStatus.Published)
            .Select(x => new
            {
                x.Slug, x.Name, x.DescriptionFr, x.DescriptionEn, x.LegalForm, x.SocialEconomy, x.Neq, x.HeadOfficeRegion,
                x.Website, x.Origin, x.VerifiedAt, x.Id, x.PublicEmail, x.PublicPhone, x.ContactPageUrl, x.ContactsCheckedAt,
                Managed = db.Organizations.Any(o => o.ProviderId == x.Id),
                Offerings = x.Offerings.OrderBy(o => o.Id).Select(o => new
                {
                    o.CategoryKey, o.DescriptionFr, o.DescriptionEn, o.Pricing, o.Delivery, o.ServesAllQuebec, o.RegionCodes,
                    o.Languages, o.FundingPrograms,
                }).ToList(),
            })
            .SingleOrDefaultAsync(cancellationToken);
        if (p is null) return null;

        var english = Cultures.IsEnglish;
        var terms = await vocabulary.TermsAsync(cancellationToken);
        string Label(Facet facet, string key) => terms[facet].FirstOrDefault(t => t.Key == key)?.Label ?? key;
        var categoryOrder = terms[Facet.Category].Select((t, i) => (t.Key, i)).ToDictionary(x => x.Key, x => x.i);

        var offerings = p.Offerings
            .OrderBy(o => categoryOrder.GetValueOrDefault(o.CategoryKey, int.MaxValue))
            .Select(o => new Offering(
                Label(Facet.Category, o.CategoryKey),
                english ? o.DescriptionEn ?? o.DescriptionFr : o.DescriptionFr,
                english && o.DescriptionEn is null,
                Label(Facet.Pricing, EnumKeys<PricingModel>.Key(o.Pricing)),
                Label(Facet.Delivery, EnumKeys<DeliveryMode>.Key(o.Delivery)),
                o.ServesAllQuebec,
                o.RegionCodes.Order().Select(r => Label(Facet.Region, r)).ToArray(),
                o.Languages.Select(l => Label(Facet.Language, l)).ToArray(),
                o.FundingPrograms.Select(f => Label(Facet.Funding, f)).ToArray()))
            .ToArray();

        return new View(p.Slug, p.Name,
            english ? p.DescriptionEn ?? p.DescriptionFr : p.DescriptionFr,
            english && p.DescriptionEn is null,
            Label(Facet.LegalForm, EnumKeys<LegalForm>.Key(p.LegalForm)),
            p.SocialEconomy, p.Neq,
            p.HeadOfficeRegion is null ? null : await vocabulary.RegionNameAsync(p.HeadOfficeRegion, cancellationToken),
            p.Website, p.Origin, p.VerifiedAt, offerings, p.Id, p.PublicEmail, p.PublicPhone, p.ContactPageUrl, p.ContactsCheckedAt, p.Managed);
    }
}

/// <summary>
/// Provider pages of the latest search version seen, for the whole process, at most
/// <see cref="Infrastructure.MarketplaceOptions.SearchPageCacheEntries"/> (0: none); when full it starts over.
/// </summary>
public sealed class ProviderPageCache(Microsoft.Extensions.Options.IOptions<Infrastructure.MarketplaceOptions> options)
{
    private readonly Lock _lock = new();
    private long _version = long.MinValue;
    private Dictionary<string, ProviderPage.View> _pages = new(StringComparer.Ordinal);

    private int Capacity => options.Value.SearchPageCacheEntries;

    public ProviderPage.View? Get(long version, string key)
    {
        lock (_lock) return version == _version && _pages.TryGetValue(key, out var page) ? page : null;
    }

    public void Set(long version, string key, ProviderPage.View page)
    {
        if (Capacity <= 0) return;
        lock (_lock)
        {
            if (version > _version)
            {
                _pages = new Dictionary<string, ProviderPage.View>(StringComparer.Ordinal);
                _version = version;
            }
            if (version != _version) return;
            if (_pages.Count >= Capacity) _pages.Clear();
            _pages[key] = page;
        }
    }
}
