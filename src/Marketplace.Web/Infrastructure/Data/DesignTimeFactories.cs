using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Marketplace.Web.Infrastructure.Data;

// Used only by `dotnet ef` (built with -p:EfDesign=true); the connection strings are never opened to generate migrations.
internal sealed class SqliteDesignTimeFactory : IDesignTimeDbContextFactory<SqliteMarketplaceDbContext>
{
    public SqliteMarketplaceDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteMarketplaceDbContext>().UseSqlite("Data Source=design-time.db").Options);
}

internal sealed class PostgresDesignTimeFactory : IDesignTimeDbContextFactory<PostgresMarketplaceDbContext>
{
    public PostgresMarketplaceDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresMarketplaceDbContext>().UseNpgsql("Host=localhost;Database=design_time").Options);
}
