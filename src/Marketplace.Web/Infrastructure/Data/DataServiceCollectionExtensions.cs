using Marketplace.Web.Infrastructure.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Marketplace.Web.Infrastructure.Data;

public static class DataServiceCollectionExtensions
{
    private static readonly SqliteBusyTimeout BusyTimeout = new();

    /// <summary>The configured provider and its connection string (SQLite defaults to a file in the data directory).</summary>
    public static (DatabaseProvider Provider, string? ConnectionString) Connection(IConfiguration configuration, MarketplaceOptions options)
    {
        var provider = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>()?.Provider ?? DatabaseProvider.Sqlite;
        var connectionString = configuration.GetConnectionString("Marketplace");
        if (provider == DatabaseProvider.Sqlite && string.IsNullOrWhiteSpace(connectionString))
            connectionString = $"Data Source={Path.Combine(options.DataDirectory, "marketplace.db")}";
        return (provider, connectionString);
    }

    /// <summary>
    /// A list of values in a query (<c>ids.Contains(p.Id)</c>) is sent as one array parameter (<c>json_each</c> on SQLite,
    /// <c>= ANY</c> on PostgreSQL), as EF did before version 10: the query's SQL is then the same whatever the list, and EF
    /// writes it once instead of again for every search page (ADR 0037).
    /// </summary>
    private const ParameterTranslationMode CollectionsAsOneParameter = ParameterTranslationMode.Parameter;

    /// <summary>Registers the DbContext of the configured provider (Database:Provider) and its search engine.</summary>
    public static IServiceCollection AddMarketplaceData(this IServiceCollection services, IConfiguration configuration,
        MarketplaceOptions options)
    {
        var (provider, connectionString) = Connection(configuration, options);

        switch (provider)
        {
            case DatabaseProvider.Sqlite:
                services.AddDbContextPool<SqliteMarketplaceDbContext>(o => o.UseSqlite(connectionString,
                    sqlite => sqlite.MigrationsAssembly(typeof(MarketplaceDbContext).Assembly.FullName)
                        .UseParameterizedCollectionMode(CollectionsAsOneParameter)).AddInterceptors(BusyTimeout));
                services.AddScoped<MarketplaceDbContext>(sp => sp.GetRequiredService<SqliteMarketplaceDbContext>());
                break;
            case DatabaseProvider.Postgres:
                if (string.IsNullOrWhiteSpace(connectionString))
                    throw new OptionsValidationException("ConnectionStrings:Marketplace", typeof(DatabaseOptions),
                        ["Database:Provider is Postgres but ConnectionStrings:Marketplace is empty."]);
                services.AddDbContextPool<PostgresMarketplaceDbContext>(o => o.UseNpgsql(connectionString,
                    postgres => postgres.UseParameterizedCollectionMode(CollectionsAsOneParameter)));
                services.AddScoped<MarketplaceDbContext>(sp => sp.GetRequiredService<PostgresMarketplaceDbContext>());
                break;
            default:
                throw new OptionsValidationException("Database:Provider", typeof(DatabaseOptions), [$"Unknown provider {provider}."]);
        }

        services.AddSingleton<LuceneSearchIndex>();
        services.AddSingleton<TextMatchCache>();
        services.AddScoped<SearchDocuments>();
        services.AddScoped<LuceneSearchEngine>();
        services.AddScoped<IProviderSearch>(sp => sp.GetRequiredService<LuceneSearchEngine>());
        services.AddScoped<ISearchIndexer>(sp => sp.GetRequiredService<LuceneSearchEngine>());
        services.AddScoped<ISearchVersion>(sp => sp.GetRequiredService<LuceneSearchEngine>());
        return services;
    }
}
