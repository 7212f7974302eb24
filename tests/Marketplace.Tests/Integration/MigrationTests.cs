using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Marketplace.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

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

/// <summary>
/// Quartz created its own tables with <c>ProvisionSchema()</c> until issue 15; the migration I15Hangfire drops them all.
/// The tables below are Quartz 4.7.3's (its embedded schema), with the foreign keys that make the order of the drops
/// matter and a row in each table that has one, as a database that ran Quartz has.
/// </summary>
[TestFixture(DatabaseProvider.Sqlite)]
[TestFixture(DatabaseProvider.Postgres)]
public sealed class QuartzTablesMigrationTests(DatabaseProvider provider)
{
    // Unquoted: PostgreSQL folds them to lower case, as Quartz's PostgreSQL script named them; SQLite keeps the upper case.
    private static readonly string[] QuartzSchema =
    [
        "CREATE TABLE QRTZ_JOB_DETAILS (SCHED_NAME VARCHAR(120) NOT NULL, JOB_NAME VARCHAR(150) NOT NULL, JOB_GROUP VARCHAR(150) NOT NULL, PRIMARY KEY (SCHED_NAME, JOB_NAME, JOB_GROUP))",
        "CREATE TABLE QRTZ_TRIGGERS (SCHED_NAME VARCHAR(120) NOT NULL, TRIGGER_NAME VARCHAR(150) NOT NULL, TRIGGER_GROUP VARCHAR(150) NOT NULL, JOB_NAME VARCHAR(150) NOT NULL, JOB_GROUP VARCHAR(150) NOT NULL, PRIMARY KEY (SCHED_NAME, TRIGGER_NAME, TRIGGER_GROUP), FOREIGN KEY (SCHED_NAME, JOB_NAME, JOB_GROUP) REFERENCES QRTZ_JOB_DETAILS (SCHED_NAME, JOB_NAME, JOB_GROUP))",
        .. new[] { "SIMPLE_TRIGGERS", "CRON_TRIGGERS", "SIMPROP_TRIGGERS", "BLOB_TRIGGERS" }.Select(t =>
            $"CREATE TABLE QRTZ_{t} (SCHED_NAME VARCHAR(120) NOT NULL, TRIGGER_NAME VARCHAR(150) NOT NULL, TRIGGER_GROUP VARCHAR(150) NOT NULL, PRIMARY KEY (SCHED_NAME, TRIGGER_NAME, TRIGGER_GROUP), FOREIGN KEY (SCHED_NAME, TRIGGER_NAME, TRIGGER_GROUP) REFERENCES QRTZ_TRIGGERS (SCHED_NAME, TRIGGER_NAME, TRIGGER_GROUP))"),
        .. new[] { "CALENDARS", "PAUSED_TRIGGER_GRPS", "PAUSED_JOB_GRPS", "FIRED_TRIGGERS", "SCHEDULER_STATE", "LOCKS", "EXECUTION_HISTORY", "MISFIRE_HISTORY", "JOB_STATUS" }
            .Select(t => $"CREATE TABLE QRTZ_{t} (SCHED_NAME VARCHAR(120) NOT NULL)"),
        "INSERT INTO QRTZ_JOB_DETAILS VALUES ('QuartzScheduler', 'matching', 'DEFAULT')",
        "INSERT INTO QRTZ_TRIGGERS VALUES ('QuartzScheduler', 'matching-nightly', 'DEFAULT', 'matching', 'DEFAULT')",
        "INSERT INTO QRTZ_CRON_TRIGGERS VALUES ('QuartzScheduler', 'matching-nightly', 'DEFAULT')",
        "INSERT INTO QRTZ_LOCKS VALUES ('QuartzScheduler')",
    ];

    [Test]
    public async Task Migrating_a_database_that_ran_Quartz_leaves_no_Quartz_table()
    {
        await using var database = await TestDatabases.CreateAsync(provider);
        await using (var db = Context(database))
        {
            var migrations = db.Database.GetMigrations().ToList();
            var hangfire = migrations.FindIndex(m => m.EndsWith("_I15Hangfire", StringComparison.Ordinal));
            Assert.That(hangfire, Is.GreaterThan(0), "the migration I15Hangfire exists");
            var migrator = db.GetInfrastructure().GetRequiredService<Microsoft.EntityFrameworkCore.Migrations.IMigrator>();
            await migrator.MigrateAsync(migrations[hangfire - 1]);
            foreach (var sql in QuartzSchema) await db.Database.ExecuteSqlRawAsync(sql);
            Assert.That(await QuartzTablesAsync(db), Has.Count.EqualTo(15));

            await migrator.MigrateAsync();
            Assert.That(await QuartzTablesAsync(db), Is.Empty);
        }
    }

    private MarketplaceDbContext Context(Support.TestDatabases.TestDatabase database) => provider == DatabaseProvider.Sqlite
        ? new SqliteMarketplaceDbContext(new DbContextOptionsBuilder<SqliteMarketplaceDbContext>().UseSqlite(database.ConnectionString).Options)
        : new PostgresMarketplaceDbContext(new DbContextOptionsBuilder<PostgresMarketplaceDbContext>().UseNpgsql(database.ConnectionString).Options);

    private async Task<List<string>> QuartzTablesAsync(MarketplaceDbContext db)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = provider == DatabaseProvider.Sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'table' AND upper(name) LIKE 'QRTZ%'"
            : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND upper(table_name) LIKE 'QRTZ%'";
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) names.Add(reader.GetString(0));
        return names;
    }
}
