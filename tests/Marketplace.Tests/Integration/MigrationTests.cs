using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Tests.Integration;

/// <summary>The EF model and each provider's migrations agree (no database needed).</summary>
public sealed class MigrationTests
{
    [Test]
    public void The_sqlite_model_has_no_pending_changes()
    {
        using var db = new SqliteMarketplaceDbContext(new DbContextOptionsBuilder<SqliteMarketplaceDbContext>()
            .UseSqlite("Data Source=:memory:").Options);
        Assert.That(db.Database.HasPendingModelChanges(), Is.False);
        Assert.That(db.Database.GetMigrations(), Is.Not.Empty);
    }

    [Test]
    public void The_postgres_model_has_no_pending_changes()
    {
        using var db = new PostgresMarketplaceDbContext(new DbContextOptionsBuilder<PostgresMarketplaceDbContext>()
            .UseNpgsql("Host=localhost;Database=unused").Options);
        Assert.That(db.Database.HasPendingModelChanges(), Is.False);
        Assert.That(db.Database.GetMigrations(), Is.Not.Empty);
    }
}
