using Npgsql;

namespace Lode.Database;

/// <summary>
/// Writes the outcome of one job and completes it, in one transaction fenced by the lease token. Either the document's
/// new state and the job's completion both happen, or neither does: a worker that dies half-way leaves the previous
/// state intact and the job to be leased again, and a worker whose lease was taken over writes nothing.
/// </summary>
public sealed class IndexWriter(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Replaces the document's chunks in each of <paramref name="generations"/> and marks it indexed. Generations left
    /// out (already at this version) keep their chunks, with the document's groups now; a generation dropped since the
    /// job began is skipped. The document shows the chunk count and model of the current generation.
    /// </summary>
    /// <param name="considered">The generations the job knew of when it decided what to write (null: all of them).</param>
    public Task SaveIndexedAsync(IngestJob job, IndexedObject indexed, IReadOnlyList<GenerationChunks> generations, CancellationToken ct,
        IReadOnlyCollection<int>? considered = null) =>
        InFencedTransaction(job, JobOutcome.Indexed, async (connection, transaction, existing) =>
        {
            var documentId = await UpsertDocument(connection, transaction, job, """
                status = 'indexed', etag = $2, size_bytes = $3, content_type = $4, pages = $5, error = NULL, attempts = $6,
                indexed_at = now(), read_groups = $7, title = $8, stale_since = NULL
                """, ct, indexed.Etag, indexed.SizeBytes, (object?)indexed.ContentType ?? DBNull.Value, indexed.Pages,
                job.Attempts, indexed.ReadGroups, (object?)indexed.Title ?? DBNull.Value);
            var written = generations.Where(g => existing.Contains(g.Generation)).ToList();
            foreach (var generation in written)
            {
                await DeleteChunks(connection, transaction, documentId, generation.Generation, ct);
            }
            await ChunkCopy.WriteAsync(connection, written.SelectMany(g =>
                g.Chunks.Select(chunk => new ChunkCopyRow(documentId, g.Generation, indexed.ReadGroups, chunk))), ct);
            await using var record = new NpgsqlBatch(connection, transaction);
            record.BatchCommands.Add(Statement("""
                INSERT INTO document_generations (document_id, generation, etag, chunk_count)
                SELECT $1, generation, $2, chunk_count FROM unnest($3::integer[], $4::integer[]) AS w(generation, chunk_count)
                ON CONFLICT (document_id, generation) DO UPDATE SET
                    etag = excluded.etag, chunk_count = excluded.chunk_count, indexed_at = now()
                """, documentId, indexed.Etag, written.Select(g => g.Generation).ToArray(), written.Select(g => g.Chunks.Count).ToArray()));
            record.BatchCommands.Add(Statement(
                "UPDATE chunks SET read_groups = $2 WHERE document_id = $1 AND read_groups IS DISTINCT FROM $2", documentId, indexed.ReadGroups));
            record.BatchCommands.Add(Statement("""
                UPDATE documents d SET chunk_count = current.chunk_count, embedding_model = current.model
                FROM (SELECT dg.chunk_count, g.model FROM document_generations dg
                      JOIN index_generations g ON g.id = dg.generation AND g.state = 'current'
                      WHERE dg.document_id = $1) AS current
                WHERE d.id = $1
                """, documentId));
            AddOcrPages(record, documentId, indexed.OcrPages ?? []);
            await record.ExecuteNonQueryAsync(ct);
        }, ct, considered);

    /// <summary>Replaces the document's OCR facts with those of the version just indexed.</summary>
    private static void AddOcrPages(NpgsqlBatch batch, long documentId, IReadOnlyList<OcrPageRecord> pages)
    {
        batch.BatchCommands.Add(Statement("DELETE FROM document_ocr_pages WHERE document_id = $1", documentId));
        if (pages.Count == 0) return;
        batch.BatchCommands.Add(Statement("""
            INSERT INTO document_ocr_pages (document_id, page, state, mean_confidence, reason)
            SELECT $1, page, state, confidence, reason
            FROM unnest($2::integer[], $3::text[], $4::real[], $5::text[]) AS o(page, state, confidence, reason)
            """, documentId, pages.Select(p => p.Page).ToArray(), pages.Select(p => p.State).ToArray(),
            pages.Select(p => (float?)p.MeanConfidence).ToArray(), pages.Select(p => p.Reason).ToArray()));
    }

    /// <summary>
    /// The object's content is unchanged since it was indexed: show it indexed again, with <paramref name="readGroups"/>
    /// (its metadata may have changed: access follows it without re-embedding anything).
    /// </summary>
    /// <param name="considered">The generations the job found holding this version (null: all of them).</param>
    public Task SaveUnchangedAsync(IngestJob job, string[] readGroups, CancellationToken ct, IReadOnlyCollection<int>? considered = null) =>
        InFencedTransaction(job, JobOutcome.Skipped, async (connection, transaction, _) =>
        {
            await using var command = new NpgsqlCommand("""
                WITH document AS (
                    UPDATE documents SET status = 'indexed', error = NULL, read_groups = $3, stale_since = NULL, updated_at = now()
                    WHERE bucket = $1 AND key = $2
                    RETURNING id
                )
                UPDATE chunks SET read_groups = $3
                WHERE document_id = (SELECT id FROM document) AND read_groups IS DISTINCT FROM $3
                """, connection, transaction);
            command.Parameters.Add(new() { Value = job.Bucket });
            command.Parameters.Add(new() { Value = job.Key });
            command.Parameters.Add(new() { Value = readGroups });
            await command.ExecuteNonQueryAsync(ct);
        }, ct, considered);

    /// <summary>The object no longer exists: forget the document and its chunks (of every generation, by cascade).</summary>
    public Task SaveDeletedAsync(IngestJob job, CancellationToken ct) =>
        InFencedTransaction(job, JobOutcome.Removed, async (connection, transaction, _) =>
        {
            await using var command = new NpgsqlCommand(
                "DELETE FROM documents WHERE bucket = $1 AND key = $2", connection, transaction);
            command.Parameters.Add(new() { Value = job.Bucket });
            command.Parameters.Add(new() { Value = job.Key });
            await command.ExecuteNonQueryAsync(ct);
        }, ct);

    /// <summary>
    /// The document cannot be indexed: show it failed with the reason. Chunks of an earlier version are removed from
    /// every generation, since the object they came from is gone (replaced by a version that can never be indexed)
    /// and answering from them would cite text that no longer exists; no generation holds the document any more.
    /// </summary>
    /// <param name="readGroups">Who may see the failure: the groups of the version that was looked at.</param>
    public Task SaveFailedAsync(IngestJob job, string reason, string? etag, string[] readGroups, CancellationToken ct) =>
        InFencedTransaction(job, JobOutcome.Failed, async (connection, transaction, _) =>
        {
            var documentId = await UpsertDocument(connection, transaction, job,
                "status = 'failed', error = $2, etag = $3, attempts = $4, chunk_count = 0, pages = NULL, indexed_at = NULL, read_groups = $5, stale_since = NULL",
                ct, reason, (object?)etag ?? DBNull.Value, job.Attempts, readGroups);
            await DeleteChunks(connection, transaction, documentId, generation: null, ct);
            await using var forget = new NpgsqlBatch(connection, transaction);
            forget.BatchCommands.Add(Statement("DELETE FROM document_generations WHERE document_id = $1", documentId));
            // Its OCR facts described a version that is no longer indexed.
            forget.BatchCommands.Add(Statement("DELETE FROM document_ocr_pages WHERE document_id = $1", documentId));
            await forget.ExecuteNonQueryAsync(ct);
        }, ct);

    /// <summary>
    /// Transient failures outlasted every attempt (store or embedder away, a timeout): nothing is known about the
    /// object's current version, only that it did not index. The document shows <c>failed</c> with the reason, and
    /// the last version that did index keeps answering — its chunks, page count, index date and generation records
    /// are left as they are, under the groups they were indexed with — so an outage never empties the index.
    /// <c>stale_since</c> says since when an older version is served (<c>etag</c>, the failed version's, is unknown).
    /// The document's own groups become NULL: they belonged to a version whose successor never indexed, and nothing
    /// may grant access from them (a listing, a source link) until a version indexes again.
    /// </summary>
    public Task SaveGaveUpAsync(IngestJob job, string reason, CancellationToken ct) =>
        InFencedTransaction(job, JobOutcome.Failed, async (connection, transaction, _) =>
        {
            await UpsertDocument(connection, transaction, job, """
                status = 'failed', error = $2, etag = NULL, attempts = $3, read_groups = NULL,
                stale_since = CASE WHEN EXISTS (SELECT 1 FROM document_generations dg WHERE dg.document_id = documents.id)
                                   THEN COALESCE(stale_since, now()) END
                """, ct, reason, job.Attempts);
        }, ct);

    private async Task InFencedTransaction(IngestJob job, JobOutcome outcome,
        Func<NpgsqlConnection, NpgsqlTransaction, IReadOnlySet<int>, Task> work, CancellationToken ct,
        IReadOnlyCollection<int>? considered = null)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);

        // Lock our job row: if the token no longer matches, our lease expired and someone else owns the object now.
        // Held to the end, so no new event can bump the generation between this check and the completion below.
        int generation;
        await using (var fence = new NpgsqlCommand(
            "SELECT generation FROM ingest_jobs WHERE id = $1 AND lease_token = $2 FOR UPDATE", connection, transaction))
        {
            fence.Parameters.Add(new() { Value = job.Id });
            fence.Parameters.Add(new() { Value = job.LeaseToken });
            generation = await fence.ExecuteScalarAsync(ct) as int? ?? throw new LeaseLostException(job.Id);
        }

        // The index generations, held FOR SHARE to the end: a switch or a drop (GenerationSwitch locks them FOR UPDATE)
        // waits for this outcome, and this outcome for it, so neither sees the other half done. In id order, as the
        // switch locks them.
        var generations = new HashSet<int>();
        await using (var hold = new NpgsqlCommand("SELECT id FROM index_generations ORDER BY id FOR SHARE", connection, transaction))
        await using (var reader = await hold.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct)) generations.Add(reader.GetInt32(0));
        }

        // Groups are decided by the rules of the worker that leased the job; if the index has adopted other rules since
        // (another instance started with new ones and queued every document), this outcome would store groups the
        // current rules may not give. Read FOR SHARE, so adopting new rules waits for this outcome or this for it.
        if (job.AccessRules is not null && await StoredAccessRules(connection, transaction, ct) != job.AccessRules)
        {
            await HandBack(connection, transaction, job, ct);
            await transaction.CommitAsync(ct);
            throw new StaleAccessRulesException(job.Id);
        }

        await work(connection, transaction, generations);

        // A generation created after the job looked (a build that began meanwhile) has not got this document: the job
        // is looked at again, as after a new event, rather than completed without it.
        var missedGeneration = considered is not null && generations.Any(g => !considered.Contains(g));
        if (generation == job.Generation && !missedGeneration)
        {
            // Done: the runs waiting for this job count its outcome, and the job goes.
            await ReindexRunProgress.CountOutcomeAsync(connection, transaction, job.Id, outcome, ct);
            await using var complete = new NpgsqlCommand("DELETE FROM ingest_jobs WHERE id = $1", connection, transaction);
            complete.Parameters.Add(new() { Value = job.Id });
            await complete.ExecuteNonQueryAsync(ct);
        }
        else
        {
            // Another event for the object arrived meanwhile: hand the job back to be looked at again. Its runs wait
            // for that look, which sees the object as it is after their request.
            await HandBack(connection, transaction, job, ct);
        }
        await transaction.CommitAsync(ct);
    }

    private static async Task HandBack(NpgsqlConnection connection, NpgsqlTransaction transaction, IngestJob job, CancellationToken ct)
    {
        await using var handBack = new NpgsqlCommand("""
            UPDATE ingest_jobs SET lease_token = NULL, leased_by = NULL, leased_until = NULL, available_at = now()
            WHERE id = $1
            """, connection, transaction);
        handBack.Parameters.Add(new() { Value = job.Id });
        await handBack.ExecuteNonQueryAsync(ct);
    }

    private static async Task<string?> StoredAccessRules(NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "SELECT value FROM index_settings WHERE name = $1 FOR SHARE", connection, transaction);
        command.Parameters.Add(new() { Value = IndexSettings.AccessRules });
        return (string?)await command.ExecuteScalarAsync(ct);
    }

    private static async Task<long> UpsertDocument(NpgsqlConnection connection, NpgsqlTransaction transaction,
        IngestJob job, string assignments, CancellationToken ct, params object[] values)
    {
        // The row is created if this is the object's first outcome; the assignments (numbered from $2) then set it.
        await using var command = new NpgsqlCommand("""
            INSERT INTO documents (bucket, key, status) VALUES ($1, $2, 'pending')
            ON CONFLICT (bucket, key) DO UPDATE SET updated_at = now()
            RETURNING id
            """, connection, transaction);
        command.Parameters.Add(new() { Value = job.Bucket });
        command.Parameters.Add(new() { Value = job.Key });
        var id = (long)(await command.ExecuteScalarAsync(ct))!;

        await using var update = new NpgsqlCommand(
            $"UPDATE documents SET {assignments}, updated_at = now() WHERE id = $1", connection, transaction);
        update.Parameters.Add(new() { Value = id });
        foreach (var value in values) update.Parameters.Add(new() { Value = value });
        await update.ExecuteNonQueryAsync(ct);
        return id;
    }

    private static NpgsqlBatchCommand Statement(string sql, params object[] values)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var value in values) command.Parameters.Add(new() { Value = value });
        return command;
    }

    /// <summary>The document's chunks of <paramref name="generation"/>, or of every generation (null).</summary>
    private static async Task DeleteChunks(NpgsqlConnection connection, NpgsqlTransaction transaction, long documentId, int? generation,
        CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "DELETE FROM chunks WHERE document_id = $1 AND ($2::integer IS NULL OR generation = $2)", connection, transaction);
        command.Parameters.Add(new() { Value = documentId });
        command.Parameters.Add(new() { Value = (object?)generation ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Integer });
        await command.ExecuteNonQueryAsync(ct);
    }
}
