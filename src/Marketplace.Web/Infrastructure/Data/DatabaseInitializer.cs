using Marketplace.Web.Infrastructure.Seeding;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Web.Infrastructure.Data;

/// <summary>Applies pending migrations, and loads seed-data when the database has no provider and no taxonomy yet.</summary>
public sealed class DatabaseInitializer(MarketplaceDbContext db, SeedDataLoader seeds, ILogger<DatabaseInitializer> logger)
{
    public async Task MigrateAsync(CancellationToken cancellationToken)
    {
        var pending = (await db.Database.GetPendingMigrationsAsync(cancellationToken)).ToList();
        if (pending.Count > 0) logger.LogInformation("Applying {Count} migration(s): {Migrations}", pending.Count, string.Join(", ", pending));
        await db.Database.MigrateAsync(cancellationToken);
    }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await MigrateAsync(cancellationToken);
        var empty = !await db.Providers.AnyAsync(cancellationToken) && !await db.TaxonomyTerms.AnyAsync(cancellationToken);
        if (empty)
        {
            logger.LogInformation("Empty database: loading seed-data");
            await seeds.LoadAsync(cancellationToken);
        }
    }
}
