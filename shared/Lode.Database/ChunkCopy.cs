using Npgsql;
using NpgsqlTypes;
using Pgvector;

namespace Lode.Database;

/// <summary>
/// A row of the chunks table: the chunk, its document, the index generation it belongs to, and who may read it (its
/// document's groups).
/// </summary>
public readonly record struct ChunkCopyRow(long DocumentId, int Generation, string[] ReadGroups, ChunkRow Chunk);

/// <summary>
/// Writes chunk rows with one binary COPY, an order of magnitude faster than row-by-row INSERTs for a document's worth
/// of vectors. The one place that knows the chunks table's column order: the worker stores chunks through it, and the
/// tests and benchmarks that seed chunks directly store them exactly as the worker does.
/// </summary>
public static class ChunkCopy
{
    /// <summary>Copies <paramref name="rows"/> on <paramref name="connection"/> (inside its transaction, if one is open).</summary>
    public static async Task WriteAsync(NpgsqlConnection connection, IEnumerable<ChunkCopyRow> rows, CancellationToken ct)
    {
        await using var writer = await connection.BeginBinaryImportAsync("""
            COPY chunks (id, document_id, generation, ordinal, page_start, page_end, token_count, content, content_hash, embedding,
                         read_groups, heading_path, context, navigation)
            FROM STDIN (FORMAT BINARY)
            """, ct);
        foreach (var (documentId, generation, readGroups, chunk) in rows)
        {
            await writer.StartRowAsync(ct);
            await writer.WriteAsync(chunk.Id, NpgsqlDbType.Uuid, ct);
            await writer.WriteAsync(documentId, NpgsqlDbType.Bigint, ct);
            await writer.WriteAsync(generation, NpgsqlDbType.Integer, ct);
            await writer.WriteAsync(chunk.Ordinal, NpgsqlDbType.Integer, ct);
            await writer.WriteAsync(chunk.PageStart, NpgsqlDbType.Integer, ct);
            await writer.WriteAsync(chunk.PageEnd, NpgsqlDbType.Integer, ct);
            await writer.WriteAsync(chunk.TokenCount, NpgsqlDbType.Integer, ct);
            await writer.WriteAsync(chunk.Content, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(chunk.ContentHash, NpgsqlDbType.Bytea, ct);
            await writer.WriteAsync(new Vector(chunk.Embedding), ct);
            await writer.WriteAsync(readGroups, NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
            await writer.WriteAsync(chunk.HeadingPath?.ToArray() ?? [], NpgsqlDbType.Array | NpgsqlDbType.Text, ct);
            await writer.WriteAsync(chunk.Context, NpgsqlDbType.Text, ct);
            await writer.WriteAsync(chunk.IsNavigation, NpgsqlDbType.Boolean, ct);
        }
        await writer.CompleteAsync(ct);
    }
}
