using Npgsql;

namespace Lode.Database;

/// <summary>
/// Counts job outcomes into the reindex runs waiting for them, and closes a run once every job it queued has one. Runs
/// inside the transactions that complete jobs (<see cref="IndexWriter"/>) and that end listings
/// (<see cref="ReindexRunStore"/>), so the counts can never disagree with the jobs.
/// </summary>
internal static class ReindexRunProgress
{
    public static async Task CountOutcomeAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, long jobId,
        JobOutcome outcome, CancellationToken ct)
    {
        var column = outcome switch
        {
            JobOutcome.Indexed => "indexed",
            JobOutcome.Skipped => "skipped",
            JobOutcome.Failed => "failed",
            JobOutcome.Removed => "removed",
            _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, null),
        };
        // Runs are locked in id order, so two jobs that both feed the same runs cannot deadlock on them.
        await using var command = new NpgsqlCommand($"""
            WITH waiting AS (DELETE FROM ingest_job_runs WHERE job_id = $1 RETURNING run_id),
            locked AS (
                SELECT id FROM reindex_runs WHERE id IN (SELECT run_id FROM waiting) ORDER BY id FOR UPDATE
            )
            UPDATE reindex_runs r SET {column} = r.{column} + 1
            FROM locked WHERE r.id = locked.id
            RETURNING r.id
            """, connection, transaction);
        command.Parameters.Add(new() { Value = jobId });
        var runs = new List<Guid>();
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct)) runs.Add(reader.GetGuid(0));
        }
        if (runs.Count > 0) await CloseSettledAsync(connection, transaction, [.. runs], ct);
    }

    /// <summary>Marks done the runs whose listing has ended and whose every queued job has an outcome.</summary>
    public static async Task CloseSettledAsync(NpgsqlConnection connection, NpgsqlTransaction transaction, Guid[] runIds,
        CancellationToken ct)
    {
        await using var command = new NpgsqlCommand($"""
            UPDATE reindex_runs SET status = '{ReindexRunStatus.Done}', finished_at = now()
            WHERE id = ANY($1) AND status = '{ReindexRunStatus.ListingDone}'
              AND indexed + skipped + failed + removed >= queued
            """, connection, transaction);
        command.Parameters.Add(new() { Value = runIds });
        await command.ExecuteNonQueryAsync(ct);
    }
}
