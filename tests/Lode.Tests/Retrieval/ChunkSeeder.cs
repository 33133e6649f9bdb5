using System.Security.Cryptography;
using System.Text;
using Lode.Retrieval;
using Lode.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Pgvector;

namespace Lode.Tests.Retrieval;

/// <summary>One chunk to store directly (bypassing ingestion): its page span, text and vector.</summary>
public sealed record SeedChunk(int PageStart, int PageEnd, string Text, float[] Vector);

/// <summary>Writes documents and chunks straight into a test database, the way IndexWriter stores them.</summary>
public static class ChunkSeeder
{
    /// <param name="readGroups">Who may read the document (and so its chunks); <see cref="TestReaders.Staff"/> when null.</param>
    public static async Task<long> AddDocumentAsync(TestDatabase db, string bucket, string key, string? contentType, string status = "indexed",
        IReadOnlyList<string>? readGroups = null)
    {
        await using var command = db.DataSource.CreateCommand("""
            INSERT INTO documents (bucket, key, status, content_type, indexed_at, read_groups) VALUES ($1, $2, $3, $4, now(), $5) RETURNING id
            """);
        command.Parameters.Add(new() { Value = bucket });
        command.Parameters.Add(new() { Value = key });
        command.Parameters.Add(new() { Value = status });
        command.Parameters.Add(new() { Value = (object?)contentType ?? DBNull.Value });
        command.Parameters.Add(new() { Value = (readGroups ?? TestReaders.Staff).ToArray() });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Binary COPY of many chunks (document id, chunk) in one go; returns the ids in order. Each chunk carries its
    /// document's read groups, as IndexWriter stores them.
    /// </summary>
    public static async Task<IReadOnlyList<Guid>> AddChunksAsync(TestDatabase db, IEnumerable<(long DocumentId, SeedChunk Chunk)> chunks)
    {
        var rows = chunks.ToList();
        var ids = new List<Guid>();
        var ordinals = new Dictionary<long, int>();
        await using var connection = await db.DataSource.OpenConnectionAsync();
        var groups = await ReadGroupsAsync(connection, rows.Select(r => r.DocumentId).Distinct().ToArray());
        await using (var writer = await connection.BeginBinaryImportAsync("""
            COPY chunks (id, document_id, ordinal, page_start, page_end, token_count, content, content_hash, embedding, read_groups)
            FROM STDIN (FORMAT BINARY)
            """))
        {
            foreach (var (documentId, chunk) in rows)
            {
                var ordinal = ordinals.GetValueOrDefault(documentId);
                ordinals[documentId] = ordinal + 1;
                var id = Guid.NewGuid();
                ids.Add(id);
                await writer.StartRowAsync();
                await writer.WriteAsync(id, NpgsqlDbType.Uuid);
                await writer.WriteAsync(documentId, NpgsqlDbType.Bigint);
                await writer.WriteAsync(ordinal, NpgsqlDbType.Integer);
                await writer.WriteAsync(chunk.PageStart, NpgsqlDbType.Integer);
                await writer.WriteAsync(chunk.PageEnd, NpgsqlDbType.Integer);
                await writer.WriteAsync(chunk.Text.Length / 4, NpgsqlDbType.Integer);
                await writer.WriteAsync(chunk.Text, NpgsqlDbType.Text);
                await writer.WriteAsync(SHA256.HashData(Encoding.UTF8.GetBytes(chunk.Text)), NpgsqlDbType.Bytea);
                await writer.WriteAsync(new Vector(chunk.Vector));
                await writer.WriteAsync(groups[documentId], NpgsqlDbType.Array | NpgsqlDbType.Text);
            }
            await writer.CompleteAsync();
        }
        return ids;
    }

    private static async Task<Dictionary<long, string[]>> ReadGroupsAsync(NpgsqlConnection connection, long[] documentIds)
    {
        await using var command = new NpgsqlCommand("SELECT id, read_groups FROM documents WHERE id = ANY($1)", connection);
        command.Parameters.Add(new() { Value = documentIds });
        var groups = new Dictionary<long, string[]>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) groups[reader.GetInt64(0)] = reader.GetFieldValue<string[]>(1);
        return groups;
    }

    /// <summary>Fresh statistics, as autovacuum would gather them, so the planner sees the table's real size.</summary>
    public static async Task AnalyzeAsync(TestDatabase db)
    {
        await db.ExecuteAsync("ANALYZE documents");
        await db.ExecuteAsync("ANALYZE chunks");
    }

    public static HybridRetriever Retriever(TestDatabase db, IEmbeddingGenerator<string, Embedding<float>> embedder, RetrievalOptions? options = null) =>
        new(db.DataSource, embedder, Options.Create(options ?? new RetrievalOptions()), NullLogger<HybridRetriever>.Instance);
}
