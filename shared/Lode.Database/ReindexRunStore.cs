using Npgsql;
using NpgsqlTypes;

namespace Lode.Database;

/// <summary>
/// Reindex runs in PostgreSQL: created by the API, listed page by page by whichever instance holds the run's lock, and
/// counted as their jobs complete. Every write is one short transaction.
/// </summary>
public sealed class ReindexRunStore(NpgsqlDataSource dataSource)
{
    private const string Columns = """
        id, bucket, prefix, force, requested_by, created_at, status, listed, queued, indexed, skipped, failed, removed,
        listed_through, error, finished_at
        """;

    public async Task<ReindexRun> CreateAsync(string bucket, string? prefix, bool force, string requestedBy, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"""
            INSERT INTO reindex_runs (id, bucket, prefix, force, requested_by) VALUES ($1, $2, $3, $4, $5)
            RETURNING {Columns}
            """);
        command.Parameters.Add(new() { Value = Guid.CreateVersion7() });
        command.Parameters.Add(new() { Value = bucket });
        command.Parameters.Add(new() { Value = (object?)prefix ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = force });
        command.Parameters.Add(new() { Value = requestedBy });
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return Read(reader);
    }

    public async Task<ReindexRun?> GetAsync(Guid id, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM reindex_runs WHERE id = $1");
        command.Parameters.Add(new() { Value = id });
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    /// <summary>Runs whose listing has not ended, oldest first: new ones, and those a dead instance left behind.</summary>
    public async Task<IReadOnlyList<ReindexRun>> ListingAsync(CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {Columns} FROM reindex_runs WHERE status = '{ReindexRunStatus.Running}' ORDER BY created_at, id");
        var runs = new List<ReindexRun>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) runs.Add(Read(reader));
        return runs;
    }

    /// <summary>
    /// Enqueues one listed page for the run and moves its continuation marker from <paramref name="previous"/> to
    /// <paramref name="listedThrough"/>, in one transaction: after a crash, a page is either wholly recorded (and not
    /// listed again) or not at all. False, with nothing recorded, when the marker is no longer <paramref name="previous"/>:
    /// another instance has taken the listing over.
    /// </summary>
    public async Task<bool> RecordPageAsync(Guid runId, IReadOnlyCollection<JobRequest> page, string? previous, string listedThrough,
        CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var queued = await JobQueue.EnqueueAsync(connection, transaction, page, runId, ct);
        // Last, after the job rows: a job completing now holds its job row before it locks the run.
        await using var progress = new NpgsqlCommand($"""
            UPDATE reindex_runs SET listed = listed + $2, queued = queued + $3, listed_through = $4, error = NULL
            WHERE id = $1 AND status = '{ReindexRunStatus.Running}' AND listed_through IS NOT DISTINCT FROM $5
            """, connection, transaction);
        progress.Parameters.Add(new() { Value = runId });
        progress.Parameters.Add(new() { Value = (long)page.Count });
        progress.Parameters.Add(new() { Value = (long)queued });
        progress.Parameters.Add(new() { Value = listedThrough });
        progress.Parameters.Add(new() { Value = (object?)previous ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        if (await progress.ExecuteNonQueryAsync(ct) == 0) return false; // rolled back on dispose
        await transaction.CommitAsync(ct);
        return true;
    }

    /// <summary>The whole prefix is listed: the run is done as soon as (or once) its jobs all have an outcome.</summary>
    public async Task FinishListingAsync(Guid runId, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var command = new NpgsqlCommand(
            $"UPDATE reindex_runs SET status = '{ReindexRunStatus.ListingDone}' WHERE id = $1 AND status = '{ReindexRunStatus.Running}'",
            connection, transaction))
        {
            command.Parameters.Add(new() { Value = runId });
            await command.ExecuteNonQueryAsync(ct);
        }
        await ReindexRunProgress.CloseSettledAsync(connection, transaction, [runId], ct);
        await transaction.CommitAsync(ct);
    }

    /// <summary>The listing cannot go on (the bucket is gone): the run ends failed. Jobs already queued still run.</summary>
    public Task FailAsync(Guid runId, string error, CancellationToken ct) =>
        SetErrorAsync(runId, error, $"status = '{ReindexRunStatus.Failed}', finished_at = now(),", ct);

    /// <summary>The listing stopped on a transient error; it resumes later from its marker. The error is shown meanwhile.</summary>
    public Task NoteErrorAsync(Guid runId, string error, CancellationToken ct) => SetErrorAsync(runId, error, "", ct);

    private async Task SetErrorAsync(Guid runId, string error, string assignments, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand(
            $"UPDATE reindex_runs SET {assignments} error = $2 WHERE id = $1 AND status = '{ReindexRunStatus.Running}'");
        command.Parameters.Add(new() { Value = runId });
        command.Parameters.Add(new() { Value = error });
        await command.ExecuteNonQueryAsync(ct);
    }

    private static ReindexRun Read(NpgsqlDataReader r) => new(
        Id: r.GetGuid(0),
        Bucket: r.GetString(1),
        Prefix: r.IsDBNull(2) ? null : r.GetString(2),
        Force: r.GetBoolean(3),
        RequestedBy: r.GetString(4),
        CreatedAt: r.GetFieldValue<DateTimeOffset>(5),
        Status: r.GetString(6),
        Listed: r.GetInt64(7),
        Queued: r.GetInt64(8),
        Indexed: r.GetInt64(9),
        Skipped: r.GetInt64(10),
        Failed: r.GetInt64(11),
        Removed: r.GetInt64(12),
        ListedThrough: r.IsDBNull(13) ? null : r.GetString(13),
        Error: r.IsDBNull(14) ? null : r.GetString(14),
        FinishedAt: r.IsDBNull(15) ? null : r.GetFieldValue<DateTimeOffset>(15));
}
