using Npgsql;
using NpgsqlTypes;

namespace Lode.Database;

/// <summary>Reads documents for the API. Writes happen through <see cref="IndexWriter"/> and <see cref="JobQueue"/>.</summary>
public sealed class DocumentRepository(NpgsqlDataSource dataSource)
{
    // read_groups is NULL for a document whose current version never indexed: it grants nothing, so every read of it
    // is COALESCEd to no groups. serving_etag is the version the current index generation answers from.
    private const string Columns = """
        bucket, key, status, etag, size_bytes, content_type, pages, chunk_count, error, attempts, embedding_model,
        indexed_at, updated_at, read_groups,
        (SELECT dg.etag FROM document_generations dg JOIN index_generations g ON g.id = dg.generation AND g.state = 'current'
         WHERE dg.document_id = documents.id) AS serving_etag,
        stale_since, ocr_read, ocr_confidence, ocr_failed, ocr_disabled
        """;

    /// <summary>The document's OCR facts summed up; every aggregate over no rows is one row of zero and nulls.</summary>
    private const string OcrSummary = """
        CROSS JOIN LATERAL (
            SELECT count(*) FILTER (WHERE o.state = 'read')::integer AS ocr_read,
                   avg(o.mean_confidence) FILTER (WHERE o.state = 'read')::double precision AS ocr_confidence,
                   coalesce(array_agg(o.page ORDER BY o.page) FILTER (WHERE o.state = 'failed'), '{}') AS ocr_failed,
                   coalesce(array_agg(o.page ORDER BY o.page) FILTER (WHERE o.state = 'disabled'), '{}') AS ocr_disabled
            FROM document_ocr_pages o WHERE o.document_id = documents.id) AS ocr
        """;

    private const string ReadableBy = "COALESCE(read_groups, '{}') && ";

    /// <summary>The document, whoever may read it (for the worker and admins).</summary>
    public Task<DocumentRecord?> GetAsync(string bucket, string key, CancellationToken cancellationToken) =>
        GetAsync(bucket, key, readableBy: null, cancellationToken);

    /// <summary>
    /// The document if <paramref name="readableBy"/> holds one of its groups (null: any document). A document the
    /// caller may not read is reported as missing, so its existence is not revealed either.
    /// </summary>
    public async Task<DocumentRecord?> GetAsync(string bucket, string key, IReadOnlyList<string>? readableBy, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            $"SELECT {Columns} FROM documents {OcrSummary} WHERE bucket = $1 AND key = $2 AND ($3::text[] IS NULL OR {ReadableBy}$3)");
        command.Parameters.Add(new() { Value = bucket });
        command.Parameters.Add(new() { Value = key });
        command.Parameters.Add(new() { Value = (object?)readableBy?.ToArray() ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    /// <summary>
    /// One page of documents in (bucket, key) order. <paramref name="after"/> is the last (bucket, key) of the previous
    /// page: keyset paging stays fast on millions of rows where OFFSET would not.
    /// </summary>
    public async Task<IReadOnlyList<DocumentRecord>> ListAsync(
        DocumentQuery query, (string Bucket, string Key)? after, int limit, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT {Columns} FROM documents {OcrSummary}
            WHERE ($1::text IS NULL OR bucket = $1)
              AND ($2::text IS NULL OR starts_with(key, $2))
              AND ($3::text IS NULL OR status = $3)
              AND ($4::text IS NULL OR (bucket, key) > ($4, $5))
              AND ($7::text[] IS NULL OR {ReadableBy}$7)
            ORDER BY bucket, key
            LIMIT $6
            """);
        command.Parameters.Add(new() { Value = (object?)query.Bucket ?? DBNull.Value });
        command.Parameters.Add(new() { Value = (object?)query.Prefix ?? DBNull.Value });
        command.Parameters.Add(new() { Value = (object?)query.Status ?? DBNull.Value });
        command.Parameters.Add(new() { Value = (object?)after?.Bucket ?? DBNull.Value });
        command.Parameters.Add(new() { Value = (object?)after?.Key ?? DBNull.Value });
        command.Parameters.Add(new() { Value = limit });
        command.Parameters.Add(new() { Value = (object?)query.ReadableBy?.ToArray() ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        var result = new List<DocumentRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) result.Add(Read(reader));
        return result;
    }

    /// <summary>
    /// The version (etag) of the document each index generation holds, by generation; empty when none holds it (never
    /// indexed, failed, or unknown).
    /// </summary>
    public async Task<IReadOnlyDictionary<int, string>> GenerationEtagsAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT dg.generation, dg.etag FROM document_generations dg JOIN documents d ON d.id = dg.document_id
            WHERE d.bucket = $1 AND d.key = $2
            """);
        command.Parameters.Add(new() { Value = bucket });
        command.Parameters.Add(new() { Value = key });
        var etags = new Dictionary<int, string>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) etags[reader.GetInt32(0)] = reader.GetString(1);
        return etags;
    }

    /// <summary>Counts of documents by status, for health and operators.</summary>
    public async Task<IReadOnlyDictionary<string, long>> CountByStatusAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT status, count(*) FROM documents GROUP BY status");
        var counts = new Dictionary<string, long>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) counts[reader.GetString(0)] = reader.GetInt64(1);
        return counts;
    }

    private static DocumentRecord Read(NpgsqlDataReader r) => new(
        Bucket: r.GetString(0),
        Key: r.GetString(1),
        Status: r.GetString(2),
        Etag: r.IsDBNull(3) ? null : r.GetString(3),
        SizeBytes: r.IsDBNull(4) ? null : r.GetInt64(4),
        ContentType: r.IsDBNull(5) ? null : r.GetString(5),
        Pages: r.IsDBNull(6) ? null : r.GetInt32(6),
        Chunks: r.IsDBNull(7) ? null : r.GetInt32(7),
        Error: r.IsDBNull(8) ? null : r.GetString(8),
        Attempts: r.GetInt32(9),
        EmbeddingModel: r.IsDBNull(10) ? null : r.GetString(10),
        IndexedAt: r.IsDBNull(11) ? null : r.GetFieldValue<DateTimeOffset>(11),
        UpdatedAt: r.GetFieldValue<DateTimeOffset>(12),
        ReadGroups: r.IsDBNull(13) ? null : r.GetFieldValue<string[]>(13),
        ServingEtag: r.IsDBNull(14) ? null : r.GetString(14),
        StaleSince: r.IsDBNull(15) ? null : r.GetFieldValue<DateTimeOffset>(15))
    {
        Ocr = new OcrSummary(r.GetInt32(16), r.IsDBNull(17) ? null : r.GetDouble(17), r.GetFieldValue<int[]>(18), r.GetFieldValue<int[]>(19)),
    };
}

/// <summary>
/// Filters for listing documents; null means "any". <paramref name="ReadableBy"/>: only documents one of these groups
/// may read; null lists every document (admins, operators).
/// </summary>
public sealed record DocumentQuery(IReadOnlyList<string>? ReadableBy, string? Bucket = null, string? Prefix = null, string? Status = null);
