using System.Security.Cryptography;
using System.Text;
using Lode.Database;
using Lode.Database.Generations;
using Lode.Retrieval;
using Lode.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Lode.Tests.Retrieval;

/// <summary>One chunk to store directly (bypassing ingestion): its page span, text and vector, headings and whether it is navigation.</summary>
public sealed record SeedChunk(int PageStart, int PageEnd, string Text, float[] Vector, string[]? HeadingPath = null, bool Navigation = false);

/// <summary>Writes documents and chunks straight into a test database, the way IndexWriter stores them.</summary>
public static class ChunkSeeder
{
    /// <param name="readGroups">Who may read the document (and so its chunks); <see cref="TestReaders.Staff"/> when null.</param>
    public static async Task<long> AddDocumentAsync(TestDatabase db, string bucket, string key, string? contentType, string status = "indexed",
        IReadOnlyList<string>? readGroups = null, string? title = null)
    {
        await using var command = db.DataSource.CreateCommand("""
            INSERT INTO documents (bucket, key, status, content_type, indexed_at, read_groups, title) VALUES ($1, $2, $3, $4, now(), $5, $6) RETURNING id
            """);
        command.Parameters.Add(new() { Value = bucket });
        command.Parameters.Add(new() { Value = key });
        command.Parameters.Add(new() { Value = status });
        command.Parameters.Add(new() { Value = (object?)contentType ?? DBNull.Value });
        command.Parameters.Add(new() { Value = (readGroups ?? TestReaders.Staff).ToArray() });
        command.Parameters.Add(new() { Value = (object?)title ?? DBNull.Value });
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>
    /// Binary COPY of many chunks (document id, chunk) in one go, through the worker's own <see cref="ChunkCopy"/>;
    /// returns the ids in order. Each chunk carries its document's read groups, as IndexWriter stores them, and belongs to
    /// <paramref name="generation"/> (1, the current one, unless a test builds another).
    /// </summary>
    public static async Task<IReadOnlyList<Guid>> AddChunksAsync(TestDatabase db, IEnumerable<(long DocumentId, SeedChunk Chunk)> chunks, int generation = 1)
    {
        var seeds = chunks.ToList();
        await using var connection = await db.DataSource.OpenConnectionAsync();
        var groups = await ReadGroupsAsync(connection, seeds.Select(s => s.DocumentId).Distinct().ToArray());
        var ordinals = new Dictionary<long, int>();
        var rows = seeds.Select(seed =>
        {
            var ordinal = ordinals.GetValueOrDefault(seed.DocumentId);
            ordinals[seed.DocumentId] = ordinal + 1;
            var text = seed.Chunk.Text;
            var chunk = new ChunkRow(Guid.NewGuid(), ordinal, seed.Chunk.PageStart, seed.Chunk.PageEnd, text.Length / 4, text,
                SHA256.HashData(Encoding.UTF8.GetBytes(text)), seed.Chunk.Vector, seed.Chunk.HeadingPath, IsNavigation: seed.Chunk.Navigation);
            return new ChunkCopyRow(seed.DocumentId, generation, groups[seed.DocumentId], chunk);
        }).ToList();
        await ChunkCopy.WriteAsync(connection, rows, CancellationToken.None);
        return rows.Select(row => row.Chunk.Id).ToList();
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

    /// <summary>A retriever over the database's current generation (1, seeded here), embedding queries with <paramref name="embedder"/>.</summary>
    public static HybridRetriever Retriever(TestDatabase db, IEmbeddingGenerator<string, Embedding<float>> embedder, RetrievalOptions? options = null) =>
        Retriever(db.DataSource, embedder, options);

    public static HybridRetriever Retriever(NpgsqlDataSource dataSource, IEmbeddingGenerator<string, Embedding<float>> embedder,
        RetrievalOptions? options = null) =>
        new(dataSource, new OneEmbedderForEveryModel(embedder), new CurrentIndexGeneration(new IndexGenerations(dataSource), TimeProvider.System),
            Options.Create(options ?? new RetrievalOptions()), NullLogger<HybridRetriever>.Instance);
}
