using Lode.Database;
using Lode.Database.Generations;
using Lode.Retrieval;
using Lode.Tests.Retrieval;
using Lode.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lode.Tests.Generations;

/// <summary>
/// A database whose generation has the single-precision vector index of earlier versions, upgraded by migration 11 and
/// start-up's vector index: the index is replaced by the half-precision one searches now order by, and search returns
/// the same top results as exact search before.
/// </summary>
public sealed class HalfPrecisionIndexUpgradeTests
{
    private const int Chunks = 1_000;

    [Fact]
    public async Task The_single_precision_index_is_replaced_and_search_returns_the_same_top_results()
    {
        await using var db = await TestDatabase.CreateAsync(migrate: false);
        var migrator = new SchemaMigrator(db.DataSource, NullLogger<SchemaMigrator>.Instance);
        await migrator.MigrateAsync(new SchemaParameters(TestDatabase.Dimensions), default, throughVersion: 10);
        var indexes = new GenerationVectorIndexes(db.DataSource, NullLogger<GenerationVectorIndexes>.Instance);
        await new GenerationSwitch(db.DataSource, indexes).EnsureFirstAsync(TestDatabase.Model, TestDatabase.Dimensions, default);
        await GenerationVectorIndex.DropAsync(db.DataSource, 1, concurrently: false, default);

        var random = new Random(11);
        var document = await ChunkSeeder.AddDocumentAsync(db, "books", "vectors.txt", "text/plain");
        var seeds = Enumerable.Range(0, Chunks).Select(i => (document, new SeedChunk(1, 1, $"chunk {i}", RandomVectors.Unit(random)))).ToList();
        var ids = await ChunkSeeder.AddChunksAsync(db, seeds);
        // The index as versions before migration 11 defined it.
        await db.ExecuteAsync($"""
            CREATE INDEX {GenerationVectorIndex.Name(1)} ON chunks
            USING hnsw ((embedding::vector({TestDatabase.Dimensions})) vector_cosine_ops) WHERE generation = 1
            """);
        await ChunkSeeder.AnalyzeAsync(db);

        var retriever = ChunkSeeder.Retriever(db, new BagOfWordsEmbedder());
        SearchRequest Request(int i) => new($"chunk {i}", TestReaders.Staff, 5, Mode: SearchMode.Vector);
        var probes = Enumerable.Range(0, 20).Select(i => i * 37).ToList();
        var before = new List<Guid[]>();
        foreach (var i in probes)
            before.Add((await retriever.SearchWithVectorAsync(Request(i), seeds[i].Item2.Vector, exact: true, default)).Select(r => r.ChunkId).ToArray());

        await migrator.MigrateAsync(new SchemaParameters(TestDatabase.Dimensions), default);
        Assert.True(await db.ScalarAsync<bool>("SELECT to_regclass($1) IS NULL", GenerationVectorIndex.Name(1)));
        await indexes.EnsureAsync(default);

        var definition = await db.ScalarAsync<string>("SELECT pg_get_indexdef(to_regclass($1))", GenerationVectorIndex.Name(1));
        Assert.Contains($"halfvec({TestDatabase.Dimensions})", definition, StringComparison.Ordinal);
        Assert.Contains("halfvec_cosine_ops", definition, StringComparison.Ordinal);
        Assert.Contains($"m='{GenerationVectorIndex.Links}', ef_construction='{GenerationVectorIndex.BuildCandidates}'", definition, StringComparison.Ordinal);
        Assert.True(await db.ScalarAsync<bool>("SELECT indisvalid FROM pg_index WHERE indexrelid = to_regclass($1)", GenerationVectorIndex.Name(1)));

        for (var p = 0; p < probes.Count; p++)
        {
            var after = await retriever.SearchWithVectorAsync(Request(probes[p]), seeds[probes[p]].Item2.Vector, exact: false, default);
            Assert.Equal(ids[probes[p]], after[0].ChunkId);
            Assert.Equal(before[p], after.Select(r => r.ChunkId).ToArray());
        }
    }
}
