using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;

namespace Marketplace.Tests.Support;

/// <summary>The tables and text columns of a test database, read from its own catalogue (not from the EF model).</summary>
public static class DatabaseCatalogue
{
    public static Task<List<string>> TablesAsync(this MarketplaceFactory factory) => factory.WithDbAsync(async db =>
    {
        var sql = factory.Database.Provider == DatabaseProvider.Sqlite
            ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            : "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'";
        return await ReadAsync(db, sql);
    });

    /// <summary>Every (table, column) whose type holds text.</summary>
    public static Task<List<(string Table, string Column)>> TextColumnsAsync(this MarketplaceFactory factory) => factory.WithDbAsync(async db =>
    {
        var result = new List<(string, string)>();
        foreach (var table in await factory.TablesAsync())
        {
            var sql = factory.Database.Provider == DatabaseProvider.Sqlite
                ? $"SELECT name FROM pragma_table_info('{table}') WHERE upper(type) LIKE '%TEXT%' OR upper(type) LIKE '%CHAR%' OR type = ''"
                : $"SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = '{table}' " +
                  "AND data_type IN ('text', 'character varying', 'character', 'jsonb', 'json', 'ARRAY')";
            result.AddRange((await ReadAsync(db, sql)).Select(column => (table, column)));
        }
        return result;
    });

    private static async Task<List<string>> ReadAsync(MarketplaceDbContext db, string sql)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        var names = new List<string>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) names.Add(reader.GetString(0));
        return names;
    }
}
