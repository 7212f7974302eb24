using Marketplace.Web.Domain.Providers;
using Marketplace.Web.Domain.Taxonomy;
using Marketplace.Web.Infrastructure.Search;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Web.Infrastructure.Data;

/// <summary>
/// The one unit of work of the site. Abstract: each database provider has a sealed subclass with its own migrations
/// (see docs/decisions/0002-two-database-providers.md). Features use it directly, without repositories.
/// </summary>
public abstract class MarketplaceDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<Provider> Providers => Set<Provider>();
    public DbSet<ServiceOffering> ServiceOfferings => Set<ServiceOffering>();
    public DbSet<TaxonomyTerm> TaxonomyTerms => Set<TaxonomyTerm>();
    public DbSet<SearchIndexState> SearchIndexStates => Set<SearchIndexState>();

    public abstract DatabaseProvider DatabaseProvider { get; }

    protected override void OnModelCreating(ModelBuilder modelBuilder) =>
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(MarketplaceDbContext).Assembly,
            t => t.Namespace == typeof(MarketplaceDbContext).Namespace + ".Configurations");
}

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

public sealed class SqliteMarketplaceDbContext(DbContextOptions<SqliteMarketplaceDbContext> options) : MarketplaceDbContext(options)
{
    public override DatabaseProvider DatabaseProvider => DatabaseProvider.Sqlite;

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder)
    {
        // SQLite has no date type that sorts and compares in SQL; store instants as UTC ticks.
        configurationBuilder.Properties<DateTimeOffset>().HaveConversion<DateTimeOffsetToUtcTicksConverter>();
    }
}

public sealed class PostgresMarketplaceDbContext(DbContextOptions<PostgresMarketplaceDbContext> options) : MarketplaceDbContext(options)
{
    public override DatabaseProvider DatabaseProvider => DatabaseProvider.Postgres;
}
