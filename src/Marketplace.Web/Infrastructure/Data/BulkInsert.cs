using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace Marketplace.Web.Infrastructure.Data;

/// <summary>
/// Inserts many rows of one entity type without change tracking, in the context's current transaction (or in its own):
/// binary <c>COPY</c> on PostgreSQL, one prepared <c>INSERT</c> run again for each row on SQLite (EF Core sends one command
/// per row there). Columns and value conversions come from the EF Core model, so the rows read back exactly as if EF Core
/// had written them. With <c>withKeys</c> the store-generated key is written as given: a row deleted and written again
/// keeps its id.
/// </summary>
public static class BulkInsert
{
    public static async Task InsertAsync<T>(MarketplaceDbContext db, IReadOnlyCollection<T> rows, bool withKeys,
        CancellationToken cancellationToken) where T : class
    {
        if (rows.Count == 0) return;
        var entityType = db.Model.FindEntityType(typeof(T)) ?? throw new InvalidOperationException($"{typeof(T).Name} is not mapped.");
        var table = StoreObjectIdentifier.Table(entityType.GetTableName()!, entityType.GetSchema());
        var sql = db.GetService<ISqlGenerationHelper>();
        var columns = entityType.GetProperties()
            .Where(p => withKeys || p.ValueGenerated == ValueGenerated.Never)
            .Select(p => new Column(sql.DelimitIdentifier(p.GetColumnName(table)!), p.GetGetter(), p.GetRelationalTypeMapping()))
            .ToArray();
        var into = $"{sql.DelimitIdentifier(table.Name, table.Schema)} ({string.Join(", ", columns.Select(c => c.Name))})";

        await using var own = db.Database.CurrentTransaction is null ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
        var transaction = db.Database.CurrentTransaction!.GetDbTransaction();
        if (transaction.Connection is NpgsqlConnection postgres)
        {
            await using var writer = await postgres.BeginBinaryImportAsync($"COPY {into} FROM STDIN (FORMAT BINARY)", cancellationToken);
            foreach (var row in rows)
            {
                await writer.StartRowAsync(cancellationToken);
                foreach (var column in columns)
                {
                    if (column.Value(row) is { } value) await writer.WriteAsync(value, column.Mapping.StoreType, cancellationToken);
                    else await writer.WriteNullAsync(cancellationToken);
                }
            }
            await writer.CompleteAsync(cancellationToken);
        }
        else
        {
            await using var command = transaction.Connection!.CreateCommand();
            command.Transaction = transaction;
            command.CommandText = $"INSERT INTO {into} VALUES ({string.Join(", ", columns.Select((_, i) => "@p" + i))})";
            var parameters = columns.Select((_, i) =>
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = "@p" + i;
                command.Parameters.Add(parameter);
                return parameter;
            }).ToArray();
            foreach (var row in rows)
            {
                for (var i = 0; i < columns.Length; i++) parameters[i].Value = columns[i].Value(row) ?? DBNull.Value;
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
        }
        if (own is not null) await own.CommitAsync(cancellationToken);
    }

    private sealed record Column(string Name, IClrPropertyGetter Getter, RelationalTypeMapping Mapping)
    {
        public object? Value(object row)
        {
            var value = Getter.GetClrValue(row);
            return Mapping.Converter is { } converter ? converter.ConvertToProvider(value) : value;
        }
    }
}
