using Marketplace.Web.Infrastructure.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Marketplace.Web.Infrastructure.Search;

/// <summary>
/// PostgreSQL full-text search (table <c>provider_text</c>, created by a migration) with the <c>fr_unaccent</c>
/// configuration: French stemming and no accents. Weights: name A, categories B, descriptions D.
/// </summary>
public sealed class PostgresFullTextIndex(MarketplaceDbContext db) : IFullTextIndex
{
    private const string Vector =
        "setweight(to_tsvector('fr_unaccent', t.name), 'A') || setweight(to_tsvector('fr_unaccent', t.categories), 'B') || " +
        "setweight(to_tsvector('fr_unaccent', t.body), 'D')";

    public async Task<int[]> MatchAsync(IReadOnlyList<string> terms, CancellationToken cancellationToken)
    {
        if (terms.Count == 0) return [];
        // Terms are already [a-z0-9]+ (TextQuery.Normalize), so they cannot carry tsquery operators.
        await using var command = await CommandAsync(
            "SELECT provider_id FROM provider_text WHERE document @@ to_tsquery('fr_unaccent', @q)", cancellationToken);
        command.Parameters.AddWithValue("q", string.Join(" & ", terms.Select(t => t + ":*")));
        var ids = new List<int>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) ids.Add(reader.GetInt32(0));
        return ids.ToArray();
    }

    public async Task ReplaceAllAsync(IReadOnlyList<TextDocument> documents, CancellationToken cancellationToken)
    {
        await using (var delete = await CommandAsync("DELETE FROM provider_text", cancellationToken))
            await delete.ExecuteNonQueryAsync(cancellationToken);
        foreach (var batch in documents.Chunk(1000)) await InsertAsync(batch, cancellationToken);
    }

    public async Task UpsertAsync(TextDocument document, CancellationToken cancellationToken) =>
        await InsertAsync([document], cancellationToken);

    public async Task RemoveAsync(int providerId, CancellationToken cancellationToken)
    {
        await using var command = await CommandAsync("DELETE FROM provider_text WHERE provider_id = @id", cancellationToken);
        command.Parameters.AddWithValue("id", providerId);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task InsertAsync(IReadOnlyCollection<TextDocument> batch, CancellationToken cancellationToken)
    {
        await using var command = await CommandAsync(
            $"INSERT INTO provider_text(provider_id, document) SELECT t.id, {Vector} " +
            "FROM unnest(@ids, @names, @categories, @bodies) AS t(id, name, categories, body) " +
            "ON CONFLICT (provider_id) DO UPDATE SET document = EXCLUDED.document", cancellationToken);
        command.Parameters.Add(new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Integer) { Value = batch.Select(d => d.ProviderId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("names", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = batch.Select(d => d.Name).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("categories", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = batch.Select(d => d.Categories).ToArray() });
        command.Parameters.Add(new NpgsqlParameter("bodies", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = batch.Select(d => d.Body).ToArray() });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private async Task<NpgsqlCommand> CommandAsync(string sql, CancellationToken cancellationToken)
    {
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        if (connection.State != System.Data.ConnectionState.Open) await db.Database.OpenConnectionAsync(cancellationToken);
        return new NpgsqlCommand(sql, connection) { Transaction = (NpgsqlTransaction?)db.Database.CurrentTransaction?.GetDbTransaction() };
    }
}
