using System.Security.Cryptography;
using System.Text;
using Lode.Database;
using Lode.Database.Generations;
using Lode.Embeddings;
using Lode.Retrieval;
using Lode.Tests.Retrieval;
using Lode.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using Pgvector;

namespace Lode.Tests.Generations;

/// <summary>
/// An index built before generations existed (schema 6, rows as the app of that time stored them) upgraded by
/// migration 7 and start-up's vector index: every chunk is generation 1 of the recorded model, and search works.
/// </summary>
public sealed class SchemaSixUpgradeTests
{
    private static readonly string[] Texts =
    [
        "Annual leave is 25 days a year; unused days carry over until March.",
        "The VPN client must be updated before connecting from home.",
        "Expense claims are paid at the end of the following month.",
    ];

    [Fact]
    public async Task Every_chunk_becomes_generation_1_of_the_recorded_model_and_search_still_finds_it()
    {
        await using var db = await TestDatabase.CreateAsync(migrate: false);
        var migrator = new SchemaMigrator(db.DataSource, NullLogger<SchemaMigrator>.Instance);
        await migrator.MigrateAsync(new SchemaParameters(TestDatabase.Dimensions), default, throughVersion: 6);
        using var embedder = new OnnxSentenceEmbeddingGenerator();
        var chunkIds = await SeedSchemaSixAsync(db, embedder);

        await migrator.MigrateAsync(new SchemaParameters(TestDatabase.Dimensions), default);
        await new GenerationVectorIndexes(db.DataSource, NullLogger<GenerationVectorIndexes>.Instance).EnsureAsync(default);

        var generation = Assert.Single(await new IndexGenerations(db.DataSource).ListAsync(default));
        Assert.Equal((1, "all-MiniLM-L6-v2", 384, GenerationState.Current), (generation.Id, generation.Model, generation.Dimensions, generation.State));
        Assert.Equal(3L, await db.ScalarAsync<long>("SELECT count(*) FROM chunks WHERE generation = 1"));
        Assert.Equal(0L, await db.ScalarAsync<long>("SELECT count(*) FROM chunks WHERE generation <> 1"));
        // The indexed documents (not the failed one) are held by generation 1 at their etag, with their chunk counts.
        Assert.Equal("handbook.txt=etag-h:2,vpn.txt=etag-v:1", await db.ScalarAsync<string>("""
            SELECT string_agg(d.key || '=' || dg.etag || ':' || dg.chunk_count, ',' ORDER BY d.key)
            FROM document_generations dg JOIN documents d ON d.id = dg.document_id WHERE dg.generation = 1
            """));
        Assert.True(await db.ScalarAsync<bool>("SELECT to_regclass('chunks_embedding_idx') IS NULL"));
        Assert.True(await db.ScalarAsync<bool>("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass($1)", GenerationVectorIndex.Name(1)));

        var retriever = ChunkSeeder.Retriever(db, embedder);
        foreach (var mode in Enum.GetValues<SearchMode>())
        {
            var best = (await retriever.SearchAsync(new SearchRequest("how many days of annual leave", TestReaders.Staff, 2, Mode: mode), default))[0];
            Assert.Equal((chunkIds[0], "handbook.txt"), (best.ChunkId, best.Key));
        }
    }

    /// <summary>Two indexed documents (three chunks) and a failed one, written with schema 6's columns; returns the chunk ids.</summary>
    private static async Task<Guid[]> SeedSchemaSixAsync(TestDatabase db, OnnxSentenceEmbeddingGenerator embedder)
    {
        await db.ExecuteAsync("INSERT INTO index_settings (name, value) VALUES ('embedding_model', 'all-MiniLM-L6-v2'), ('embedding_dimensions', '384')");
        var handbook = await AddDocumentAsync(db, "handbook.txt", "indexed", "etag-h", 2);
        var vpn = await AddDocumentAsync(db, "vpn.txt", "indexed", "etag-v", 1);
        await AddDocumentAsync(db, "broken.pdf", "failed", "etag-b", 0);
        var vectors = await embedder.GenerateAsync(Texts);
        var ids = Texts.Select(_ => Guid.NewGuid()).ToArray();
        (long Document, int Ordinal)[] places = [(handbook, 0), (vpn, 0), (handbook, 1)];
        for (var i = 0; i < Texts.Length; i++)
        {
            await db.ExecuteAsync("""
                INSERT INTO chunks (id, document_id, ordinal, page_start, page_end, token_count, content, content_hash, embedding, read_groups)
                VALUES ($1, $2, $3, 1, 1, 20, $4, $5, $6, $7)
                """, ids[i], places[i].Document, places[i].Ordinal, Texts[i], SHA256.HashData(Encoding.UTF8.GetBytes(Texts[i])),
                new Vector(vectors[i].Vector), TestReaders.Staff.ToArray());
        }
        return ids;
    }

    private static Task<long> AddDocumentAsync(TestDatabase db, string key, string status, string etag, int chunks) =>
        db.ScalarAsync<long>("""
            INSERT INTO documents (bucket, key, status, etag, chunk_count, embedding_model, indexed_at, read_groups)
            VALUES ('docs', $1, $2, $3, $4, 'all-MiniLM-L6-v2', CASE WHEN $2 = 'indexed' THEN now() END, $5)
            RETURNING id
            """, key, status, etag, chunks, TestReaders.Staff.ToArray());
}
