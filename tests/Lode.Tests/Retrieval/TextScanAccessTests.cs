using Lode.Database.Generations;
using Lode.Retrieval;
using Lode.Tests.Support;

namespace Lode.Tests.Retrieval;

/// <summary>
/// The text list examines at most Retrieval:TextCandidateScan chunks through the tsv index (issue 16). Chunks the caller
/// may not read must not count towards that bound: otherwise what a caller finds depends on how many chunks they cannot
/// read hold the word, an oracle on the content of documents outside their groups ("does my own chunk holding word X
/// drop out once enough unreadable chunks hold X before it?").
/// </summary>
public sealed class TextScanAccessTests : IAsyncLifetime
{
    private const int UnreadableChunks = 300;
    private const int Scan = 100;
    private TestDatabase _database = null!;
    private Guid _readable;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        var random = new Random(20261203);
        var minutes = await ChunkSeeder.AddDocumentAsync(_database, "vault", "board-minutes.txt", "text/plain", readGroups: ["board"]);
        var note = await ChunkSeeder.AddDocumentAsync(_database, "open", "note.txt", "text/plain");
        // The board's chunks first, so that the tsv index hands them on before the one the caller may read.
        var rows = Enumerable.Range(0, UnreadableChunks)
            .Select(i => (minutes, new SeedChunk(1, 1, $"merger minute{i}", RandomVectors.Unit(random))))
            .Append((note, new SeedChunk(1, 1, "merger rumours are not to be discussed", RandomVectors.Unit(random))))
            .ToList();
        await GenerationVectorIndex.DropAsync(_database.DataSource, 1, concurrently: false, default);
        _readable = (await ChunkSeeder.AddChunksAsync(_database, rows))[^1];
    }

    public Task DisposeAsync() => _database.DisposeAsync().AsTask();

    [Theory]
    [InlineData(true)] // "merger" is in more chunks than the budget: the chunks holding every word, then the rarest's
    [InlineData(false)] // no statistics yet: "merger" counts as rare, the chunks holding it are the candidates
    public async Task Chunks_the_caller_may_not_read_take_no_place_in_the_scan(bool analysed)
    {
        if (analysed) await ChunkSeeder.AnalyzeAsync(_database);
        var retriever = ChunkSeeder.Retriever(_database, new BagOfWordsEmbedder(),
            new RetrievalOptions { TextCandidateBudget = Scan, TextCandidateCap = Scan, TextCandidateScan = Scan });

        var results = await retriever.SearchAsync(new SearchRequest("merger", TestReaders.Staff, 10, null, SearchMode.Text), default);

        // The same answer as if the board's chunks did not exist: the one chunk holding "merger" the caller may read.
        Assert.Equal(_readable, Assert.Single(results).ChunkId);
    }
}

/// <summary>
/// Chunks of another index generation (one being built during a model switch) do not count towards the text list's
/// bounded scan either: otherwise, while a new generation fills, its chunks would push the current one's out of the
/// scan and questions of common words would find nothing in the text list (issue 16 review).
/// </summary>
public sealed class TextScanGenerationTests : IAsyncLifetime
{
    private const int Scan = 100;
    private TestDatabase _database = null!;
    private Guid _current;

    public async Task InitializeAsync()
    {
        _database = await TestDatabase.CreateAsync();
        var random = new Random(20261206);
        var manual = await ChunkSeeder.AddDocumentAsync(_database, "docs", "manual.txt", "text/plain");
        var note = await ChunkSeeder.AddDocumentAsync(_database, "docs", "note.txt", "text/plain");
        await GenerationVectorIndex.DropAsync(_database.DataSource, 1, concurrently: false, default);
        // The next generation's chunks first, so that the tsv index hands them on before the current one's.
        await ChunkSeeder.AddChunksAsync(_database,
            Enumerable.Range(0, 3 * Scan).Select(i => (manual, new SeedChunk(1, 1, $"merger section{i}", RandomVectors.Unit(random)))), generation: 2);
        _current = (await ChunkSeeder.AddChunksAsync(_database, [(note, new SeedChunk(1, 1, "merger rumours", RandomVectors.Unit(random)))]))[0];
    }

    public Task DisposeAsync() => _database.DisposeAsync().AsTask();

    [Fact]
    public async Task Chunks_of_a_generation_being_built_take_no_place_in_the_scan()
    {
        var retriever = ChunkSeeder.Retriever(_database, new BagOfWordsEmbedder(),
            new RetrievalOptions { TextCandidateBudget = Scan, TextCandidateCap = Scan, TextCandidateScan = Scan });

        var results = await retriever.SearchAsync(new SearchRequest("merger", TestReaders.Staff, 10, null, SearchMode.Text), default);

        Assert.Equal(_current, Assert.Single(results).ChunkId);
    }
}
