using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Marketplace.Web.Infrastructure.Data;

/// <summary>
/// Lets SQLite itself wait for a lock held by another connection (<c>PRAGMA busy_timeout</c>) on every connection the
/// site opens. SQLite allows one writer at a time. Microsoft.Data.Sqlite sets no busy timeout (the pragma reads 0), so a
/// statement that meets another connection's write gets SQLITE_BUSY at once and the library retries it after a sleep of
/// its own: with eight digest sender loops claiming batches beside the writer that records sent emails, 90 to 160
/// statements of one 10,000-message run took 100 to 300 ms each, and every loop waited behind them; with the pragma, about
/// ten took over 20 ms, none over 60 ms, and the run went from about 50 s to 35 s (ADR 0013, docs/benchmarks.md). SQLite's
/// own busy handler retries within milliseconds of the lock being released.
/// </summary>
public sealed class SqliteBusyTimeout : DbConnectionInterceptor
{
    /// <summary>As long as Microsoft.Data.Sqlite's default command timeout (30 s): a lock held longer is an error.</summary>
    public const int DefaultMilliseconds = 30_000;

    public override void ConnectionOpened(DbConnection connection, ConnectionEndEventData eventData) => Set(connection);

    public override Task ConnectionOpenedAsync(DbConnection connection, ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        // Microsoft.Data.Sqlite runs commands synchronously whatever the API; the pragma takes microseconds.
        Set(connection);
        return Task.CompletedTask;
    }

    private static void Set(DbConnection connection)
    {
        using var command = connection.CreateCommand();
        command.CommandText = $"PRAGMA busy_timeout = {DefaultMilliseconds};";
        command.ExecuteNonQuery();
    }
}
