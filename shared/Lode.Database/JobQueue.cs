using Npgsql;
using NpgsqlTypes;

namespace Lode.Database;

/// <summary>
/// The durable ingest queue in PostgreSQL. Safe with many workers in many processes: jobs are leased with
/// <c>FOR UPDATE SKIP LOCKED</c>, a lease expires if its worker dies, and completion is fenced by the lease token.
/// </summary>
public sealed class JobQueue(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Records jobs for objects in one transaction. A job that already exists for an object is coalesced: its generation
    /// is bumped and it becomes available now, so a worker holding it will look at the object again afterwards.
    /// </summary>
    public async Task EnqueueAsync(IReadOnlyCollection<JobRequest> jobs, CancellationToken cancellationToken)
    {
        if (jobs.Count == 0) return;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        // No explicit transaction: a batch is one implicit transaction (one Sync), so its statements and the commit take
        // one round trip instead of three, and the call returns only once PostgreSQL has committed (and flushed) it.
        await using var batch = EnqueueBatch(connection, transaction: null, jobs, runId: null);
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Enqueues (or coalesces) jobs inside the caller's transaction; with <paramref name="runId"/>, the run waits for
    /// each job's outcome. Returns how many jobs the run newly waits for (0 without a run).
    /// </summary>
    internal static async Task<int> EnqueueAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        IReadOnlyCollection<JobRequest> jobs, Guid? runId, CancellationToken cancellationToken)
    {
        if (jobs.Count == 0) return 0;
        await using var batch = EnqueueBatch(connection, transaction, jobs, runId);
        await batch.ExecuteNonQueryAsync(cancellationToken);
        return batch.BatchCommands[0].RecordsAffected;
    }

    // The job upsert and the documents' pending status, as one batch (one round trip). The statements run in order, so
    // the lock order below holds.
    private static NpgsqlBatch EnqueueBatch(NpgsqlConnection connection, NpgsqlTransaction? transaction,
        IReadOnlyCollection<JobRequest> jobs, Guid? runId)
    {
        // One row per object: a statement may not upsert the same row twice. The last request names the reason; a
        // forced request anywhere in the batch forces the job.
        var distinct = jobs.GroupBy(j => (j.Bucket, j.Key))
            .Select(g => g.Last() with { Force = g.Any(j => j.Force) })
            .ToList();
        var buckets = distinct.Select(j => j.Bucket).ToArray();
        var keys = distinct.Select(j => j.Key).ToArray();

        // Job rows are locked in one (byte) order by every enqueuer, so concurrent enqueuers cannot deadlock; document
        // rows are touched only after all of this batch's job rows are held.
        var upsert = new NpgsqlBatchCommand("""
            WITH upserted AS (
                INSERT INTO ingest_jobs (bucket, key, reason, force)
                SELECT bucket, key, reason, force
                FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[]) AS r(bucket, key, reason, force)
                ORDER BY bucket COLLATE "C", key COLLATE "C"
                ON CONFLICT (bucket, key) DO UPDATE SET
                    generation   = ingest_jobs.generation + 1,
                    reason       = excluded.reason,
                    force        = ingest_jobs.force OR excluded.force,
                    attempts     = 0,
                    available_at = now(),
                    last_error   = NULL
                RETURNING id
            )
            INSERT INTO ingest_job_runs (job_id, run_id)
            SELECT id, $5 FROM upserted WHERE $5::uuid IS NOT NULL
            ON CONFLICT DO NOTHING
            """);
        upsert.Parameters.Add(new() { Value = buckets });
        upsert.Parameters.Add(new() { Value = keys });
        upsert.Parameters.Add(new() { Value = distinct.Select(j => j.Reason).ToArray() });
        upsert.Parameters.Add(new() { Value = distinct.Select(j => j.Force).ToArray() });
        upsert.Parameters.Add(new() { Value = (object?)runId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Uuid });

        // An existing document shows pending until the worker has looked at the object again; a new object gets its
        // row when the worker has seen it exist (a removal event must not create a document).
        var pending = new NpgsqlBatchCommand("""
            UPDATE documents d SET status = 'pending', updated_at = now()
            FROM unnest($1::text[], $2::text[]) AS r(bucket, key)
            WHERE d.bucket = r.bucket AND d.key = r.key AND d.status <> 'pending'
            """);
        pending.Parameters.Add(new() { Value = buckets });
        pending.Parameters.Add(new() { Value = keys });
        return new NpgsqlBatch(connection, transaction) { BatchCommands = { upsert, pending } };
    }

    // An object already queued keeps its one job: it is looked at again (a worker holding it hands it back), now.
    private const string CoalesceWithQueuedJob = """
        ON CONFLICT (bucket, key) DO UPDATE SET
            generation   = ingest_jobs.generation + 1,
            reason       = excluded.reason,
            attempts     = 0,
            available_at = now(),
            last_error   = NULL
        """;

    /// <summary>
    /// Makes <paramref name="fingerprint"/> the access rules the index follows and, when that changes them, queues every
    /// known document to have its groups decided again — both in one transaction, so no worker can complete a job under
    /// the old rules after the re-queue without its writes being refused (<see cref="IndexWriter"/> checks the stored
    /// rules under the same row lock). Returns how many documents were queued, or null when the rules were unchanged.
    /// </summary>
    public async Task<long?> AdoptAccessRulesAsync(string fingerprint, string reason, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var current = new NpgsqlCommand(
            "SELECT value FROM index_settings WHERE name = $1 FOR UPDATE", connection, transaction))
        {
            current.Parameters.Add(new() { Value = IndexSettings.AccessRules });
            if ((string?)await current.ExecuteScalarAsync(cancellationToken) == fingerprint) return null;
        }
        await using (var adopt = new NpgsqlCommand("""
            INSERT INTO index_settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value
            """, connection, transaction))
        {
            adopt.Parameters.Add(new() { Value = IndexSettings.AccessRules });
            adopt.Parameters.Add(new() { Value = fingerprint });
            await adopt.ExecuteNonQueryAsync(cancellationToken);
        }
        await using var command = new NpgsqlCommand($"""
            WITH queued AS (
                INSERT INTO ingest_jobs (bucket, key, reason) SELECT bucket, key, $1 FROM documents
                {CoalesceWithQueuedJob}
                RETURNING 1
            ),
            shown AS (UPDATE documents SET status = 'pending', updated_at = now() WHERE status <> 'pending')
            SELECT count(*) FROM queued
            """, connection, transaction);
        command.Parameters.Add(new() { Value = reason });
        var queued = (long)(await command.ExecuteScalarAsync(cancellationToken))!;
        await transaction.CommitAsync(cancellationToken);
        return queued;
    }

    /// <summary>
    /// Queues, inside the caller's transaction, every document that <paramref name="currentGeneration"/> holds, to be
    /// embedded for a new index generation. Unlike other requests this leaves the documents' status alone: they keep
    /// serving from the current generation while the new one is built. Coalesces with queued jobs like
    /// <see cref="EnqueueAsync(IReadOnlyCollection{JobRequest}, CancellationToken)"/> (a job being worked on is looked at
    /// again afterwards, so it sees the new generation); returns how many were queued.
    /// </summary>
    internal static async Task<long> EnqueueGenerationBuildAsync(NpgsqlConnection connection, NpgsqlTransaction transaction,
        int currentGeneration, string reason, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand($"""
            WITH queued AS (
                INSERT INTO ingest_jobs (bucket, key, reason)
                SELECT d.bucket, d.key, $2
                FROM documents d JOIN document_generations dg ON dg.document_id = d.id AND dg.generation = $1
                ORDER BY d.bucket COLLATE "C", d.key COLLATE "C"
                {CoalesceWithQueuedJob}
                RETURNING 1
            )
            SELECT count(*) FROM queued
            """, connection, transaction);
        command.Parameters.Add(new() { Value = currentGeneration });
        command.Parameters.Add(new() { Value = reason });
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    /// <summary>
    /// Leases up to <paramref name="max"/> available jobs, oldest first, for <paramref name="leaseDuration"/>. With
    /// <paramref name="accessRules"/>, only while the index follows those rules: a worker still running other rules
    /// (an instance not yet updated, or one started with an old configuration) leases nothing, so it cannot decide
    /// groups by rules that were replaced.
    /// </summary>
    public async Task<IReadOnlyList<IngestJob>> LeaseAsync(int max, TimeSpan leaseDuration, string workerId, CancellationToken cancellationToken,
        string? accessRules = null)
    {
        await using var command = dataSource.CreateCommand("""
            WITH next AS (
                SELECT id FROM ingest_jobs
                WHERE available_at <= now() AND (leased_until IS NULL OR leased_until < now())
                  AND ($4::text IS NULL OR EXISTS (SELECT 1 FROM index_settings WHERE name = $5 AND value = $4))
                ORDER BY available_at, id
                LIMIT $1
                FOR UPDATE SKIP LOCKED
            )
            UPDATE ingest_jobs j
            SET lease_token = gen_random_uuid(), leased_by = $3, leased_until = now() + $2, attempts = j.attempts + 1
            FROM next WHERE j.id = next.id
            RETURNING j.id, j.bucket, j.key, j.reason, j.force, j.generation, j.attempts, j.lease_token
            """);
        command.Parameters.Add(new() { Value = max });
        command.Parameters.Add(new() { Value = leaseDuration, NpgsqlDbType = NpgsqlDbType.Interval });
        command.Parameters.Add(new() { Value = workerId });
        command.Parameters.Add(new() { Value = (object?)accessRules ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = IndexSettings.AccessRules });
        var jobs = new List<IngestJob>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            jobs.Add(new IngestJob(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3),
                reader.GetBoolean(4), reader.GetInt32(5), reader.GetInt32(6), reader.GetGuid(7)) { AccessRules = accessRules });
        }
        return jobs;
    }

    /// <summary>Extends a lease. False when the lease was lost (expired and taken by another worker): stop working.</summary>
    public async Task<bool> RenewAsync(IngestJob job, TimeSpan leaseDuration, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "UPDATE ingest_jobs SET leased_until = now() + $1 WHERE id = $2 AND lease_token = $3");
        command.Parameters.Add(new() { Value = leaseDuration, NpgsqlDbType = NpgsqlDbType.Interval });
        command.Parameters.Add(new() { Value = job.Id });
        command.Parameters.Add(new() { Value = job.LeaseToken });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>
    /// Gives a job back after a transient failure, to be tried again after <paramref name="delay"/> — or at once if a
    /// new event arrived meanwhile, since the object has changed.
    /// </summary>
    public async Task ReleaseForRetryAsync(IngestJob job, string error, TimeSpan delay, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE ingest_jobs
            SET lease_token = NULL, leased_by = NULL, leased_until = NULL, last_error = $4,
                available_at = CASE WHEN generation = $3 THEN now() + $5 ELSE now() END
            WHERE id = $1 AND lease_token = $2
            """);
        command.Parameters.Add(new() { Value = job.Id });
        command.Parameters.Add(new() { Value = job.LeaseToken });
        command.Parameters.Add(new() { Value = job.Generation });
        command.Parameters.Add(new() { Value = error });
        command.Parameters.Add(new() { Value = delay, NpgsqlDbType = NpgsqlDbType.Interval });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Releases a job held by a worker that is shutting down cleanly, so nobody waits out its lease.</summary>
    public async Task ReleaseAsync(IngestJob job, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            UPDATE ingest_jobs SET lease_token = NULL, leased_by = NULL, leased_until = NULL, attempts = greatest(attempts - 1, 0)
            WHERE id = $1 AND lease_token = $2
            """);
        command.Parameters.Add(new() { Value = job.Id });
        command.Parameters.Add(new() { Value = job.LeaseToken });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Jobs waiting and the age of the oldest, for health and metrics.</summary>
    public async Task<(long Count, TimeSpan? OldestAge)> DepthAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT count(*), now() - min(enqueued_at) FROM ingest_jobs");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<TimeSpan>(1));
    }
}
