using Marketplace.Web.Infrastructure.Search;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace Marketplace.Web.Infrastructure.Data;

public static class DataServiceCollectionExtensions
{
    /// <summary>Registers the DbContext of the configured provider (Database:Provider) and its search engine.</summary>
    public static IServiceCollection AddMarketplaceData(this IServiceCollection services, IConfiguration configuration,
        MarketplaceOptions options)
    {
        var provider = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>()?.Provider ?? DatabaseProvider.Sqlite;
        var connectionString = configuration.GetConnectionString("Marketplace");

        switch (provider)
        {
            case DatabaseProvider.Sqlite:
                if (string.IsNullOrWhiteSpace(connectionString))
                    connectionString = $"Data Source={Path.Combine(options.DataDirectory, "marketplace.db")}";
                services.AddDbContext<SqliteMarketplaceDbContext>(o => o.UseSqlite(connectionString,
                    sqlite => sqlite.MigrationsAssembly(typeof(MarketplaceDbContext).Assembly.FullName)));
                services.AddScoped<MarketplaceDbContext>(sp => sp.GetRequiredService<SqliteMarketplaceDbContext>());
                services.AddScoped<IFullTextIndex, SqliteFullTextIndex>();
                break;
            case DatabaseProvider.Postgres:
                if (string.IsNullOrWhiteSpace(connectionString))
                    throw new OptionsValidationException("ConnectionStrings:Marketplace", typeof(DatabaseOptions),
                        ["Database:Provider is Postgres but ConnectionStrings:Marketplace is empty."]);
                services.AddDbContext<PostgresMarketplaceDbContext>(o => o.UseNpgsql(connectionString));
                services.AddScoped<MarketplaceDbContext>(sp => sp.GetRequiredService<PostgresMarketplaceDbContext>());
                services.AddScoped<IFullTextIndex, PostgresFullTextIndex>();
                break;
            default:
                throw new OptionsValidationException("Database:Provider", typeof(DatabaseOptions), [$"Unknown provider {provider}."]);
        }

        services.AddSingleton<SearchSnapshotHolder>();
        services.AddSingleton<TextMatchCache>();
        services.AddScoped<SearchDocuments>();
        services.AddScoped<DatabaseSearchEngine>();
        services.AddScoped<IProviderSearch>(sp => sp.GetRequiredService<DatabaseSearchEngine>());
        services.AddScoped<ISearchIndexer>(sp => sp.GetRequiredService<DatabaseSearchEngine>());
        return services;
    }
}
