using Lode.Database.Generations;
using Lode.Retrieval;
using Lode.Tests.Support;

namespace Lode.Tests.Retrieval;

/// <summary>
/// 4,000 chunks of about a thousand characters each (the size of a few manuals, as the chat benchmark indexes them),
/// with random unit vectors and the HNSW index built after the load, analysed as autovacuum would.
/// </summary>
public sealed class ManualSizedCorpusFixture : IAsyncLifetime
{
    public const int Chunks = 4_000;

    public TestDatabase Database { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        var random = new Random(20261205);
        string[] words = ["ledger", "invoice", "quarterly", "report", "account", "balance", "entry", "audit", "period", "close"];
        var rows = new List<(long, SeedChunk)>(Chunks);
        for (var d = 0; d < Chunks / 100; d++)
        {
            var id = await ChunkSeeder.AddDocumentAsync(Database, "manuals", $"manual-{d:00}.txt", "text/plain");
            for (var c = 0; c < 100; c++)
            {
                var text = string.Join(' ', Enumerable.Range(0, 140).Select(_ => words[random.Next(words.Length)] + random.Next(500)));
                rows.Add((id, new SeedChunk(c + 1, c + 1, text, RandomVectors.Unit(random))));
            }
        }
        await GenerationVectorIndex.DropAsync(Database.DataSource, 1, concurrently: false, default);
        await ChunkSeeder.AddChunksAsync(Database, rows);
        await GenerationVectorIndex.CreateAsync(Database.DataSource, 1, TestDatabase.Dimensions, concurrently: false, default);
        await ChunkSeeder.AnalyzeAsync(Database);
    }

    public Task DisposeAsync() => Database.DisposeAsync().AsTask();
}

/// <summary>
/// The vector list of a search is served by the HNSW index, not by computing every chunk's distance (issue 16, chat
/// throughput). pgvector prices the index scan by how many index pages it expects to read at random_page_cost, and
/// the planner prices the alternative, a scan with a sort, without the embeddings it reads from TOAST or the cast to
/// half precision of each one. With ef_search 200 on a corpus of a few thousand chunks the planner chose the sort:
/// 50 ms per search against 2 ms through the index, and the chat benchmark's CPU per question went from 13 to 71 ms.
/// </summary>
public sealed class VectorListIndexTests(ManualSizedCorpusFixture fixture) : IClassFixture<ManualSizedCorpusFixture>
{
    private static readonly float[] QueryVector = RandomVectors.Unit(new Random(7));

    [Theory]
    [InlineData(SearchMode.Hybrid, 1.1, true)]
    [InlineData(SearchMode.Vector, 1.1, true)]
    [InlineData(SearchMode.Hybrid, 4.0, false)] // the server's default: what Retrieval:RandomPageCost is there to avoid
    public async Task A_search_at_the_default_ef_search_reads_the_hnsw_index(SearchMode mode, double randomPageCost, bool readsIndex)
    {
        var retriever = ChunkSeeder.Retriever(fixture.Database, new BagOfWordsEmbedder(), new RetrievalOptions { RandomPageCost = randomPageCost });
        var request = new SearchRequest("ledger17 audit3", TestReaders.Staff, 10, null, mode);

        var scans = TextListPlan.Scans(await retriever.ExplainAsync(request, QueryVector, default));

        Assert.True(readsIndex == scans.Any(s => s is ("Index Scan", "chunks", var index) && index == GenerationVectorIndex.Name(1)),
            "The plan's scans: " + string.Join("; ", scans));
    }
}
