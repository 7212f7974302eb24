using Marketplace.Tests.Support;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Tests.Integration;

/// <summary>How the site's SQLite connections are set up (PostgreSQL waits for its locks by itself).</summary>
public sealed class SqliteConnectionTests
{
    [Test]
    public async Task Every_sqlite_connection_of_the_site_lets_sqlite_wait_for_a_lock_itself()
    {
        await using var factory = await MarketplaceFactory.StartAsync(DatabaseProvider.Sqlite);
        var timeouts = await factory.WithDbAsync(async db =>
        {
            // Two openings: the interceptor runs on each, not only on the first connection of the pool.
            var read = new List<long>();
            for (var i = 0; i < 2; i++)
            {
                await db.Database.OpenConnectionAsync();
                await using (var command = db.Database.GetDbConnection().CreateCommand())
                {
                    command.CommandText = "PRAGMA busy_timeout;";
                    read.Add((long)(await command.ExecuteScalarAsync())!);
                }
                await db.Database.CloseConnectionAsync();
            }
            return read;
        });
        Assert.That(timeouts, Is.All.EqualTo(SqliteBusyTimeout.DefaultMilliseconds));
    }
}
