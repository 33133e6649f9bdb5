using Npgsql;
using NpgsqlTypes;

namespace Lode.Database;

/// <summary>
/// What the index holds for a bucket, compared with what a listing of the bucket says, a page at a time (reconciliation).
/// Reads only, no transaction: every answer is re-checked by the worker against the object itself before anything changes.
/// </summary>
public sealed class IndexInventory(NpgsqlDataSource dataSource)
{
    /// <summary>
    /// Of one page of listed objects, those the index does not reflect and nobody is about to look at (no job queued):
    /// never indexed, or indexed at another etag. A failed document is left alone (it waits for an operator's retry)
    /// unless the object has changed since it failed. A pending document without a job (lost) is looked at again.
    /// </summary>
    public async Task<IReadOnlyList<string>> OutOfDateAsync(string bucket, IReadOnlyCollection<(string Key, string Etag)> listed,
        CancellationToken ct)
    {
        if (listed.Count == 0) return [];
        await using var command = dataSource.CreateCommand($"""
            SELECT l.key
            FROM unnest($2::text[], $3::text[]) AS l(key, etag)
            LEFT JOIN documents d ON d.bucket = $1 AND d.key = l.key
            WHERE NOT EXISTS (SELECT 1 FROM ingest_jobs j WHERE j.bucket = $1 AND j.key = l.key)
              AND (d.id IS NULL
                   OR d.status = '{DocumentStatus.Pending}'
                   OR (d.status = '{DocumentStatus.Indexed}' AND d.etag IS DISTINCT FROM l.etag)
                   OR (d.status = '{DocumentStatus.Failed}' AND d.etag IS NOT NULL AND d.etag <> l.etag))
            """);
        command.Parameters.Add(new() { Value = bucket });
        command.Parameters.Add(new() { Value = listed.Select(o => o.Key).ToArray() });
        command.Parameters.Add(new() { Value = listed.Select(o => o.Etag).ToArray() });
        return await ReadKeysAsync(command, ct);
    }

    /// <summary>
    /// Up to <paramref name="limit"/> document keys of the bucket after <paramref name="after"/> and up to
    /// <paramref name="through"/> (either null: unbounded), in UTF-8 byte order, the order S3 lists keys in; keys with a
    /// job queued are left out (the worker is about to look at them anyway).
    /// </summary>
    public async Task<IReadOnlyList<string>> KeysAsync(string bucket, string? after, string? through, int limit, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT d.key FROM documents d
            WHERE d.bucket = $1
              AND ($2::text IS NULL OR d.key COLLATE "C" > $2)
              AND ($3::text IS NULL OR d.key COLLATE "C" <= $3)
              AND NOT EXISTS (SELECT 1 FROM ingest_jobs j WHERE j.bucket = $1 AND j.key = d.key)
            ORDER BY d.key COLLATE "C"
            LIMIT $4
            """);
        command.Parameters.Add(new() { Value = bucket });
        command.Parameters.Add(new() { Value = (object?)after ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = (object?)through ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        command.Parameters.Add(new() { Value = limit });
        return await ReadKeysAsync(command, ct);
    }

    private static async Task<IReadOnlyList<string>> ReadKeysAsync(NpgsqlCommand command, CancellationToken ct)
    {
        var keys = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) keys.Add(reader.GetString(0));
        return keys;
    }
}
