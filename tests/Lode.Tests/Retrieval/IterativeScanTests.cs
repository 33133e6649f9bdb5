using Lode.Retrieval;
using Lode.Tests.Support;
using Microsoft.Extensions.AI;

namespace Lode.Tests.Retrieval;

/// <summary>
/// 10,000 chunks with random unit vectors in 10 buckets, the HNSW index built after the load. Big enough that the
/// planner serves a filtered nearest-neighbour query from the HNSW index (on a few thousand rows it prefers an exact
/// scan), so a filter keeping 10% of the rows really does throw away ~90% of what the index hands up.
/// </summary>
public sealed class RandomVectorsFixture : IAsyncLifetime
{
    public const int Documents = 1_000;
    public const int ChunksPerDocument = 10;
    public const int Buckets = 10;

    public TestDatabase Database { get; private set; } = null!;

    /// <summary>Every stored chunk's id and vector, for brute-force answers.</summary>
    public List<(Guid Id, float[] Vector)> Vectors { get; } = [];

    public static float[] RandomUnitVector(Random random)
    {
        var v = new float[TestDatabase.Dimensions];
        double norm = 0;
        for (var i = 0; i < v.Length; i++)
        {
            // Box–Muller: Gaussian components give directions uniform on the sphere.
            var g = Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            v[i] = (float)g;
            norm += g * g;
        }
        var scale = (float)(1 / Math.Sqrt(norm));
        for (var i = 0; i < v.Length; i++) v[i] *= scale;
        return v;
    }

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        var random = new Random(20241127);
        var rows = new List<(long, SeedChunk)>(Documents * ChunksPerDocument);
        for (var d = 0; d < Documents; d++)
        {
            var id = await ChunkSeeder.AddDocumentAsync(Database, $"b{d % Buckets}", $"doc-{d:0000}.txt", "text/plain");
            for (var c = 0; c < ChunksPerDocument; c++)
                rows.Add((id, new SeedChunk(c + 1, c + 1, $"chunk {c} of document {d} about topic{random.Next(50)}", RandomUnitVector(random))));
        }
        // Bulk load first, index afterwards (as one would restore a dump): inserting 10k rows into a live HNSW graph
        // one by one takes minutes here. Same definition as migration 1.
        await Database.ExecuteAsync("DROP INDEX chunks_embedding_idx");
        var ids = await ChunkSeeder.AddChunksAsync(Database, rows);
        Vectors.AddRange(ids.Select((id, i) => (id, rows[i].Item2.Vector)));
        await Database.ExecuteAsync("CREATE INDEX chunks_embedding_idx ON chunks USING hnsw (embedding vector_cosine_ops)");
        await ChunkSeeder.AnalyzeAsync(Database);
    }

    public Task DisposeAsync() => Database.DisposeAsync().AsTask();
}

public sealed class IterativeScanTests(RandomVectorsFixture fixture) : IClassFixture<RandomVectorsFixture>
{
    private const int K = 40;

    // The vectors are given directly; nothing is embedded.
    private HybridRetriever Retriever(string iterativeScan) =>
        ChunkSeeder.Retriever(fixture.Database, new NoEmbedder(), new RetrievalOptions { IterativeScan = iterativeScan, EfSearch = 100, VectorCandidates = K });

    [Theory]
    [InlineData("relaxed_order")]
    [InlineData("strict_order")]
    public async Task A_filter_keeping_a_tenth_of_the_rows_still_returns_k_rows(string iterativeScan)
    {
        var retriever = Retriever(iterativeScan);
        var random = new Random(7);
        for (var i = 0; i < 5; i++)
        {
            var query = RandomVectorsFixture.RandomUnitVector(random);
            var filter = new SearchFilter(Bucket: $"b{i}");

            var vector = await retriever.SearchWithVectorAsync(new SearchRequest("x", TestReaders.Staff, K, filter, SearchMode.Vector), query, exact: false, default);
            Assert.Equal(K, vector.Count);
            Assert.All(vector, h => Assert.Equal($"b{i}", h.Bucket));

            // Hybrid with a text query that matches nothing: every row comes from the (filtered) vector list.
            var hybrid = await retriever.SearchWithVectorAsync(new SearchRequest("nonexistentword", TestReaders.Staff, K, filter), query, exact: false, default);
            Assert.Equal(K, hybrid.Count);
            Assert.All(hybrid, h => Assert.Equal($"b{i}", h.Bucket));
        }
    }

    [Fact]
    public async Task Without_iterative_scan_the_same_filter_returns_fewer_rows()
    {
        // Proves the test above can fail: the index (not an exact scan) serves the query, and ef_search = 100
        // candidates of which ~10% pass the filter cannot make 40 rows.
        var retriever = Retriever("off");
        var random = new Random(7);
        var counts = new List<int>();
        for (var i = 0; i < 5; i++)
        {
            var query = RandomVectorsFixture.RandomUnitVector(random);
            var hits = await retriever.SearchWithVectorAsync(
                new SearchRequest("x", TestReaders.Staff, K, new SearchFilter(Bucket: $"b{i}"), SearchMode.Vector), query, exact: false, default);
            counts.Add(hits.Count);
        }
        Assert.True(counts.All(c => c < K / 2), $"expected far fewer than {K} rows without iterative scan, got {string.Join(", ", counts)}");
    }

    [Fact]
    public async Task Exact_search_returns_the_true_nearest_chunks()
    {
        var retriever = Retriever("relaxed_order");
        var random = new Random(11);
        var query = RandomVectorsFixture.RandomUnitVector(random);

        var exact = await retriever.SearchWithVectorAsync(new SearchRequest("x", TestReaders.Staff, 10, Mode: SearchMode.Vector), query, exact: true, default);
        // Unit vectors: cosine distance = 1 - dot product.
        var truth = fixture.Vectors
            .Select(v => (v.Id, Distance: 1 - v.Vector.Zip(query, (a, b) => (double)a * b).Sum()))
            .OrderBy(v => v.Distance).Take(10).ToList();
        Assert.Equal(truth.Select(t => t.Id), exact.Select(h => h.ChunkId));
        for (var i = 0; i < 10; i++) Assert.Equal(1 - truth[i].Distance, exact[i].Score, 1e-5);
        Assert.Equal(exact.Select(h => h.Score).OrderDescending(), exact.Select(h => h.Score));

        await Assert.ThrowsAsync<ArgumentException>(() =>
            retriever.SearchWithVectorAsync(new SearchRequest("x", TestReaders.Staff, 10), query, exact: true, default));
    }

    private sealed class NoEmbedder : IEmbeddingGenerator<string, Embedding<float>>
    {
        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(IEnumerable<string> values,
            EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default) =>
            throw new InvalidOperationException("These tests pass their vectors directly.");

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
