using Npgsql;

namespace Lode.Database.Generations;

/// <summary>
/// Reads the index's generations: which exist, which is current, and how far each is. Changes go through
/// <see cref="GenerationSwitch"/>.
/// </summary>
public sealed class IndexGenerations(NpgsqlDataSource dataSource)
{
    internal const string Columns = "id, model, dimensions, state, created_at, completed_at, current_since";

    /// <summary>Every generation (all of them are kept up to date by ingestion), oldest first.</summary>
    public async Task<IReadOnlyList<IndexGeneration>> ListAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM index_generations ORDER BY id");
        return await ReadAllAsync(command, ct);
    }

    /// <summary>The generation searches use; null only before start-up has created the first one.</summary>
    public async Task<IndexGeneration?> CurrentAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {Columns} FROM index_generations WHERE state = '{GenerationState.Current}'");
        return (await ReadAllAsync(command, ct)).SingleOrDefault();
    }

    /// <summary>
    /// Every generation with its progress, counted in one statement (one snapshot), so for each
    /// <c>Done + ToDo = Documents</c>: the documents the current generation holds.
    /// </summary>
    public async Task<IReadOnlyList<GenerationProgress>> ProgressAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"""
            WITH held AS (
                SELECT dg.document_id, dg.etag FROM document_generations dg
                JOIN index_generations g ON g.id = dg.generation AND g.state = '{GenerationState.Current}'
            )
            SELECT {Columns},
                   (SELECT count(*) FROM held),
                   (SELECT count(*) FROM held h JOIN document_generations dg
                        ON dg.document_id = h.document_id AND dg.generation = g.id AND dg.etag = h.etag),
                   (SELECT coalesce(sum(dg.chunk_count), 0) FROM document_generations dg WHERE dg.generation = g.id)
            FROM index_generations g
            ORDER BY id
            """);
        var progress = new List<GenerationProgress>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            progress.Add(new GenerationProgress(Read(reader), reader.GetInt64(7), reader.GetInt64(8), reader.GetInt64(9)));
        }
        return progress;
    }

    internal static async Task<IReadOnlyList<IndexGeneration>> ReadAllAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var generations = new List<IndexGeneration>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) generations.Add(Read(reader));
        return generations;
    }

    /// <summary>Reads <see cref="Columns"/>, in that order, from the start of the row.</summary>
    private static IndexGeneration Read(NpgsqlDataReader r) => new(
        Id: r.GetInt32(0),
        Model: r.GetString(1),
        Dimensions: r.GetInt32(2),
        State: r.GetString(3),
        CreatedAt: r.GetFieldValue<DateTimeOffset>(4),
        CompletedAt: r.IsDBNull(5) ? null : r.GetFieldValue<DateTimeOffset>(5),
        CurrentSince: r.IsDBNull(6) ? null : r.GetFieldValue<DateTimeOffset>(6));
}
