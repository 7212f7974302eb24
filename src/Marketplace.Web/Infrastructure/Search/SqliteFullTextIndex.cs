using System.Data.Common;
using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace Marketplace.Web.Infrastructure.Search;

/// <summary>
/// SQLite FTS5 (table <c>provider_text</c>, created by a migration). Text is stored normalized (lower case, no
/// accents) and terms are matched as prefixes of their light stem (TextQuery.Prefixes).
/// </summary>
public sealed class SqliteFullTextIndex(MarketplaceDbContext db) : IFullTextIndex
{
    public async Task<int[]> MatchAsync(IReadOnlyList<string> terms, CancellationToken cancellationToken)
    {
        if (terms.Count == 0) return [];
        var match = string.Join(" AND ", terms.Select(term =>
            "(" + string.Join(" OR ", TextQuery.Prefixes(term).Select(p => $"\"{p}\"*")) + ")"));

        await using var command = await CommandAsync("SELECT rowid FROM provider_text WHERE provider_text MATCH $match", cancellationToken);
        AddParameter(command, "$match", match);
        var ids = new List<int>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) ids.Add(reader.GetInt32(0));
        return ids.ToArray();
    }

    public async Task ReplaceAllAsync(IReadOnlyList<TextDocument> documents, CancellationToken cancellationToken)
    {
        await using (var delete = await CommandAsync("DELETE FROM provider_text", cancellationToken))
            await delete.ExecuteNonQueryAsync(cancellationToken);
        await using var insert = await InsertCommandAsync(cancellationToken);
        foreach (var document in documents) await InsertAsync(insert, document, cancellationToken);
    }

    public async Task UpsertAsync(TextDocument document, CancellationToken cancellationToken)
    {
        await RemoveAsync(document.ProviderId, cancellationToken);
        await using var insert = await InsertCommandAsync(cancellationToken);
        await InsertAsync(insert, document, cancellationToken);
    }

    public async Task RemoveAsync(int providerId, CancellationToken cancellationToken)
    {
        await using var command = await CommandAsync("DELETE FROM provider_text WHERE rowid = $id", cancellationToken);
        AddParameter(command, "$id", providerId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<DbCommand> InsertCommandAsync(CancellationToken cancellationToken)
    {
        var command = await CommandAsync(
            "INSERT INTO provider_text(rowid, name, categories, body) VALUES ($id, $name, $categories, $body)", cancellationToken);
        foreach (var name in new[] { "$id", "$name", "$categories", "$body" }) AddParameter(command, name, null);
        return command;
    }

    private static async Task InsertAsync(DbCommand insert, TextDocument document, CancellationToken cancellationToken)
    {
        insert.Parameters[0].Value = document.ProviderId;
        insert.Parameters[1].Value = TextQuery.Normalize(document.Name);
        insert.Parameters[2].Value = TextQuery.Normalize(document.Categories);
        insert.Parameters[3].Value = TextQuery.Normalize(document.Body);
        await insert.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<DbCommand> CommandAsync(string sql, CancellationToken cancellationToken)
    {
        var connection = db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) await db.Database.OpenConnectionAsync(cancellationToken);
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = db.Database.CurrentTransaction?.GetDbTransaction();
        return command;
    }

    private static void AddParameter(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
    }
}
