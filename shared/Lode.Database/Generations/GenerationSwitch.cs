using Npgsql;

namespace Lode.Database.Generations;

/// <summary>
/// Creates, switches and drops index generations. Every change is one transaction under a transaction-level advisory
/// lock, so instances take turns, and locks the generation rows FOR UPDATE, which waits for the job outcomes being
/// written (<see cref="IndexWriter"/> holds them FOR SHARE): a switch never interleaves with a document's write, so
/// <c>documents.chunk_count</c> and <c>embedding_model</c> always describe the current generation.
/// </summary>
public sealed class GenerationSwitch(NpgsqlDataSource dataSource, GenerationVectorIndexes vectorIndexes)
{
    private const string SerializeChanges = "SELECT pg_advisory_xact_lock(hashtextextended('lode:index-generations', 0))";

    /// <summary>Gives a fresh index its generation 1, of <paramref name="model"/>; an index that has generations is left as it is.</summary>
    public async Task EnsureFirstAsync(string model, int dimensions, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await ExecuteAsync(connection, transaction, SerializeChanges, ct);
        var created = await ExecuteAsync(connection, transaction, $"""
            INSERT INTO index_generations (id, model, dimensions, state, completed_at, current_since)
            SELECT 1, $1, $2, '{GenerationState.Current}', now(), now()
            WHERE NOT EXISTS (SELECT 1 FROM index_generations)
            """, ct, model, dimensions);
        if (created == 1) await RecordCurrentModelAsync(connection, transaction, model, dimensions, ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>
    /// Moves the index towards <paramref name="model"/> (start-up): nothing when it is current; a previous generation of
    /// it becomes current at once; otherwise a building generation is created (unless one is building already) and
    /// every document the current generation holds is queued for it, without showing as pending: documents keep
    /// serving from the current generation meanwhile.
    /// </summary>
    public async Task<ModelDecision> ApplyConfiguredModelAsync(string model, int dimensions, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await ExecuteAsync(connection, transaction, SerializeChanges, ct);
        var generations = await LockAllAsync(connection, transaction, ct);
        var current = generations.Single(g => g.IsCurrent);
        bool IsConfigured(IndexGeneration g) => g.Model == model && g.Dimensions == dimensions;

        ModelDecision decision;
        if (IsConfigured(current))
        {
            decision = new(ModelDecisionKind.AlreadyCurrent, current);
        }
        else if (generations.Where(g => g.State == GenerationState.Previous && IsConfigured(g)).MaxBy(g => g.Id) is { } previous)
        {
            decision = new(ModelDecisionKind.SwitchedBack, await MakeCurrentAsync(connection, transaction, previous, ct));
        }
        else if (generations.SingleOrDefault(g => g.IsBuilding) is { } building)
        {
            decision = new(IsConfigured(building) ? ModelDecisionKind.BuildUnderway : ModelDecisionKind.OtherBuildUnderway, building);
        }
        else
        {
            var id = generations.Max(g => g.Id) + 1;
            await ExecuteAsync(connection, transaction, $"""
                INSERT INTO index_generations (id, model, dimensions, state) VALUES ($1, $2, $3, '{GenerationState.Building}')
                """, ct, id, model, dimensions);
            var queued = await JobQueue.EnqueueGenerationBuildAsync(connection, transaction, current.Id,
                $"index generation {id} ({model})", ct);
            var created = (await LockAllAsync(connection, transaction, ct)).Single(g => g.Id == id);
            decision = new(ModelDecisionKind.BuildStarted, created, queued);
        }
        await transaction.CommitAsync(ct);
        return decision;
    }

    /// <summary>
    /// Makes the building generation current if it is complete: it holds every document the current generation holds,
    /// at the same version, and its vector index is built. Called after each job of a build (the last one completes
    /// it), at start-up and periodically (so a crash between the last job and the switch only delays it). Returns the
    /// new current generation, or null when there is nothing to switch to yet.
    /// </summary>
    public async Task<IndexGeneration?> CompleteBuildIfDoneAsync(CancellationToken ct)
    {
        // A cheap look without locks first: during a build, nearly every call finds documents still missing, and must
        // not hold up the job outcomes being written.
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        if (!await IsBuildCompleteAsync(connection, null, ct)) return null;

        await using var transaction = await connection.BeginTransactionAsync(ct);
        await ExecuteAsync(connection, transaction, SerializeChanges, ct);
        var generations = await LockAllAsync(connection, transaction, ct);
        // Again under the locks: another instance may have switched meanwhile, or a job removed a document or added one.
        if (generations.SingleOrDefault(g => g.IsBuilding) is not { } building
            || !await IsBuildCompleteAsync(connection, transaction, ct))
        {
            return null;
        }
        var current = await MakeCurrentAsync(connection, transaction, building, ct);
        await transaction.CommitAsync(ct);
        return current;
    }

    /// <summary>
    /// Drops a generation that is not current, with its chunks and vector index. Dropping a building generation
    /// abandons the build (the documents queued for it find nothing to do).
    /// </summary>
    public async Task<GenerationDropOutcome> DropAsync(int id, CancellationToken ct)
    {
        await using (var connection = await dataSource.OpenConnectionAsync(ct))
        await using (var transaction = await connection.BeginTransactionAsync(ct))
        {
            await ExecuteAsync(connection, transaction, SerializeChanges, ct);
            var generation = (await LockAllAsync(connection, transaction, ct)).SingleOrDefault(g => g.Id == id);
            if (generation is null) return GenerationDropOutcome.NotFound;
            if (generation.IsCurrent) return GenerationDropOutcome.IsCurrent;
            await ExecuteAsync(connection, transaction, "DELETE FROM chunks WHERE generation = $1", ct, id);
            // Its document_generations rows go with it (ON DELETE CASCADE).
            await ExecuteAsync(connection, transaction, "DELETE FROM index_generations WHERE id = $1", ct, id);
            await transaction.CommitAsync(ct);
        }
        // After the commit and concurrently, so no search waits on it; an index left by a crash here is dropped at the
        // next start-up (GenerationVectorIndexes.EnsureAsync).
        await GenerationVectorIndex.DropAsync(dataSource, id, concurrently: true, ct);
        return GenerationDropOutcome.Dropped;
    }

    // Every generation row, locked in id order (as IndexWriter takes them, FOR SHARE), so nothing can deadlock on them.
    private static async Task<IReadOnlyList<IndexGeneration>> LockAllAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"SELECT {IndexGenerations.Columns} FROM index_generations ORDER BY id FOR UPDATE", connection, transaction);
        return await IndexGenerations.ReadAllAsync(command, ct);
    }

    private async Task<bool> IsBuildCompleteAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken ct)
    {
        // Stops at the first document missing. The vector index must be valid too (a concurrent build that failed
        // leaves an invalid one, which start-up builds again), or searches on the new generation would scan every chunk.
        await using var command = new NpgsqlCommand($"""
            SELECT b.id FROM index_generations b
            WHERE b.state = '{GenerationState.Building}'
              AND NOT EXISTS (
                  SELECT 1 FROM document_generations held
                  JOIN index_generations c ON c.id = held.generation AND c.state = '{GenerationState.Current}'
                  WHERE NOT EXISTS (
                      SELECT 1 FROM document_generations dg
                      WHERE dg.document_id = held.document_id AND dg.generation = b.id AND dg.etag = held.etag))
            """, connection, transaction);
        return await command.ExecuteScalarAsync(ct) is int id && await vectorIndexes.IsValidAsync(connection, transaction, id, ct);
    }

    /// <summary>
    /// The switch itself: <paramref name="target"/> becomes current, the current one previous, and documents show the
    /// target's chunk counts and model, all in the caller's transaction.
    /// </summary>
    private static async Task<IndexGeneration> MakeCurrentAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        IndexGeneration target, CancellationToken ct)
    {
        await ExecuteAsync(connection, transaction, $"""
            UPDATE index_generations SET state = '{GenerationState.Previous}' WHERE state = '{GenerationState.Current}'
            """, ct);
        await ExecuteAsync(connection, transaction, $"""
            UPDATE index_generations SET state = '{GenerationState.Current}', completed_at = coalesce(completed_at, now()),
                current_since = now()
            WHERE id = $1
            """, ct, target.Id);
        await ExecuteAsync(connection, transaction, """
            UPDATE documents d SET chunk_count = dg.chunk_count, embedding_model = $2
            FROM document_generations dg
            WHERE dg.document_id = d.id AND dg.generation = $1
              AND (d.chunk_count IS DISTINCT FROM dg.chunk_count OR d.embedding_model IS DISTINCT FROM $2)
            """, ct, target.Id, target.Model);
        await RecordCurrentModelAsync(connection, transaction, target.Model, target.Dimensions, ct);
        return (await LockAllAsync(connection, transaction, ct)).Single(g => g.Id == target.Id);
    }

    // index_settings keeps naming the model searches use, for operators and tools that read it.
    private static Task RecordCurrentModelAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string model,
        int dimensions, CancellationToken ct) =>
        ExecuteAsync(connection, transaction, $"""
            INSERT INTO index_settings (name, value) VALUES ('{IndexSettings.EmbeddingModel}', $1), ('{IndexSettings.EmbeddingDimensions}', $2)
            ON CONFLICT (name) DO UPDATE SET value = excluded.value
            """, ct, model, dimensions.ToString(System.Globalization.CultureInfo.InvariantCulture));

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql,
        CancellationToken ct, params object[] values)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        foreach (var value in values) command.Parameters.Add(new() { Value = value });
        return await command.ExecuteNonQueryAsync(ct);
    }
}
