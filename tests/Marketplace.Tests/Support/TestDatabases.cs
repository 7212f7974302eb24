using Marketplace.Web.Infrastructure.Data;
using Npgsql;

namespace Marketplace.Tests.Support;

/// <summary>
/// Where the integration tests' databases live: a fresh SQLite file per fixture, or a fresh database in the run's one
/// PostgreSQL server (a container started once per run, or the server MARKETPLACE_TEST_POSTGRES names: TestServices).
/// </summary>
public static class TestDatabases
{
    public static string PostgresAdminConnectionString => TestServices.PostgresAdminConnectionString;

    public sealed record TestDatabase(DatabaseProvider Provider, string ConnectionString, string DataDirectory) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            if (Provider == DatabaseProvider.Postgres)
            {
                var name = new NpgsqlConnectionStringBuilder(ConnectionString).Database!;
                NpgsqlConnection.ClearAllPools();
                await using var admin = new NpgsqlConnection(PostgresAdminConnectionString);
                await admin.OpenAsync();
                await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
                await drop.ExecuteNonQueryAsync();
            }
            else
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            }
            try { Directory.Delete(DataDirectory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider)
    {
        var dataDirectory = Path.Combine(Path.GetTempPath(), "marketplace-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        if (provider == DatabaseProvider.Sqlite)
            return new TestDatabase(provider, $"Data Source={Path.Combine(dataDirectory, "marketplace.db")}", dataDirectory);

        var admin = await TestServices.PostgresAsync();
        var name = "mkt_" + Guid.NewGuid().ToString("N")[..16];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\" ENCODING 'UTF8' TEMPLATE template0", connection);
            await create.ExecuteNonQueryAsync();
        }
        var builder = new NpgsqlConnectionStringBuilder(admin) { Database = name };
        return new TestDatabase(provider, builder.ConnectionString, dataDirectory);
    }
}
