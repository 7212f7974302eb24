using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Infrastructure.Data;
using Marketplace.Web.Infrastructure.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Marketplace.Tests.Support;

/// <summary>Known listings a test creates itself, through the domain and the indexer as the site does.</summary>
public static class TestData
{
    public static async Task<int> AddProviderAsync(this MarketplaceFactory factory, string slug, string name, string description,
        string category = "formation", string offeringDescription = "Offre de test.", bool publish = true,
        string[]? regions = null, string[]? languages = null, DateTimeOffset? verifiedAt = null,
        LegalForm legalForm = LegalForm.Obnl, bool socialEconomy = true)
    {
        return await factory.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<MarketplaceDbContext>();
            var provider = new Provider(slug, name, legalForm, socialEconomy, description, origin: DataOrigin.Fictional);
            provider.AddOffering(category, offeringDescription, null, PricingModel.Gratuit, DeliveryMode.ADistance, false,
                regions ?? ["06"], languages ?? ["fr"]);
            if (publish) provider.Publish(verifiedAt ?? new DateTimeOffset(2026, 1, 15, 12, 0, 0, TimeSpan.Zero));
            db.Providers.Add(provider);
            await db.SaveChangesAsync();
            await sp.GetRequiredService<ISearchIndexer>().ProviderChangedAsync(provider.Id, CancellationToken.None);
            return provider.Id;
        });
    }

    public static async Task ChangeAsync(this MarketplaceFactory factory, string slug, Action<Provider> change)
    {
        await factory.WithScopeAsync(async sp =>
        {
            var db = sp.GetRequiredService<MarketplaceDbContext>();
            var provider = await db.Providers.Include(p => p.Offerings).SingleAsync(p => p.Slug == slug);
            change(provider);
            await db.SaveChangesAsync();
            await sp.GetRequiredService<ISearchIndexer>().ProviderChangedAsync(provider.Id, CancellationToken.None);
        });
    }
}
