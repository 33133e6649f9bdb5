using Microsoft.Extensions.Logging;
using Npgsql;

namespace Lode.Database.Generations;

/// <summary>
/// Keeps one valid vector index (<see cref="GenerationVectorIndex"/>) per generation and none for generations that are
/// gone. Indexes are built and dropped CONCURRENTLY, so ingestion and searches go on meanwhile; a concurrent build
/// that was interrupted leaves an invalid index, which is dropped and built again.
/// </summary>
public sealed class GenerationVectorIndexes(NpgsqlDataSource dataSource, ILogger<GenerationVectorIndexes> logger)
{
    /// <summary>
    /// Builds the missing (and invalid) indexes of every generation and drops those of dropped generations. Instances
    /// take turns (a session advisory lock): the first to start builds, the others find the work done. Run at
    /// start-up, after the migrations and after a build's generation was created.
    /// </summary>
    public async Task EnsureAsync(CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await ExecuteAsync(connection, "SELECT pg_advisory_lock(hashtextextended('lode:generation-indexes', 0))", ct);
        try
        {
            await using var list = new NpgsqlCommand($"SELECT {IndexGenerations.Columns} FROM index_generations ORDER BY id", connection);
            var generations = await IndexGenerations.ReadAllAsync(list, ct);
            var existing = await ExistingAsync(connection, ct);
            foreach (var generation in generations)
            {
                var valid = existing.GetValueOrDefault(generation.Id);
                if (valid == true) continue;
                if (valid == false) await ExecuteAsync(connection, GenerationVectorIndex.DropSql(generation.Id, concurrently: true), ct);
                logger.LogInformation("Building the vector index of index generation {Generation} ({Model}, {Dimensions} dimensions)",
                    generation.Id, generation.Model, generation.Dimensions);
                await ExecuteAsync(connection, GenerationVectorIndex.CreateSql(generation.Id, generation.Dimensions, concurrently: true), ct);
            }
            foreach (var orphan in existing.Keys.Where(id => generations.All(g => g.Id != id)))
            {
                await ExecuteAsync(connection, GenerationVectorIndex.DropSql(orphan, concurrently: true), ct);
            }
        }
        finally
        {
            await ExecuteAsync(connection, "SELECT pg_advisory_unlock(hashtextextended('lode:generation-indexes', 0))", CancellationToken.None);
        }
    }

    /// <summary>Whether the generation's index exists and may be used by queries.</summary>
    public async Task<bool> IsValidAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, int generation, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "SELECT coalesce((SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass($1)), false)", connection, transaction);
        command.Parameters.Add(new() { Value = GenerationVectorIndex.Name(generation) });
        return await command.ExecuteScalarAsync(ct) is true;
    }

    /// <summary>The generation vector indexes on chunks, by generation: whether each is valid.</summary>
    private static async Task<Dictionary<int, bool>> ExistingAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE i.indrelid = 'chunks'::regclass
            """, connection);
        var found = new Dictionary<int, bool>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            if (GenerationVectorIndex.GenerationOf(reader.GetString(0)) is { } generation) found[generation] = reader.GetBoolean(1);
        }
        return found;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        // Building an HNSW index over many chunks takes far longer than any query.
        command.CommandTimeout = 0;
        await command.ExecuteNonQueryAsync(ct);
    }
}
