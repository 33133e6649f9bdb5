using Lode.Database.Generations;
using Lode.Retrieval;
using Lode.Tests.Retrieval;
using Lode.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;

namespace Lode.Tests.Generations;

/// <summary>
/// Searches running while a build becomes current: none fails, each returns one generation's chunks only (also the
/// places listed in alsoIn), and once the switch is seen every later search is on the new generation.
/// </summary>
public sealed class SearchAcrossSwitchTests
{
    private const int SearchesBeforeTheSwitch = 20;
    private const int MaxSearches = 20_000;

    private static readonly TestDocument[] Documents =
    [
        new("docs", "harbour.txt", ["the harbour opens at six and ferries leave every hour", "the harbour master keeps the ferry timetable"], TestReaders.Staff.ToArray()),
        new("docs", "museum.txt", ["the museum opens at ten and closes at five", "museum tickets cost ten euros"], TestReaders.Staff.ToArray()),
        new("docs", "parking.txt", ["parking near the harbour is free on sundays"], TestReaders.Staff.ToArray()),
    ];

    [Fact]
    public async Task Searches_never_fail_or_mix_generations_while_the_switch_commits()
    {
        await using var db = await TestDatabase.CreateAsync();
        var indexes = new GenerationVectorIndexes(db.DataSource, NullLogger<GenerationVectorIndexes>.Instance);
        var generations = new GenerationSwitch(db.DataSource, indexes);
        var worker = new WorkerStandIn(db, new BagOfWordsEmbedder());
        await worker.IndexAsync(Documents);
        await generations.ApplyConfiguredModelAsync("snowflake-arctic-embed-xs", 384, default);
        await worker.IndexAsync(Documents, generations: [2]);
        await indexes.EnsureAsync(default);
        var generationOf = await GenerationsOfChunksAsync(db);
        var retriever = ChunkSeeder.Retriever(db, new BagOfWordsEmbedder());

        var switched = new TaskCompletionSource();
        var loops = Enumerable.Range(0, 2).Select(i => Task.Run(() => SearchUntilTheNewGenerationAsync(retriever, generationOf, switched.Task, i))).ToList();
        await Eventually.WaitUntilAsync(() => Task.FromResult(loops.All(l => l.IsCompleted) || Volatile.Read(ref _searches) >= SearchesBeforeTheSwitch),
            "searches on the current generation");
        Assert.Equal(2, (await generations.CompleteBuildIfDoneAsync(default))?.Id);
        switched.SetResult();

        foreach (var seen in await Task.WhenAll(loops))
        {
            // One generation per search, read once: the old one until the switch is seen, the new one from then on.
            Assert.Equal(1, seen[0]);
            Assert.Equal(2, seen[^1]);
            Assert.Equal(seen.Order(), seen);
        }
    }

    private int _searches;

    /// <summary>Searches until, after the switch, one returns the new generation; returns the generation of each search.</summary>
    private async Task<List<int>> SearchUntilTheNewGenerationAsync(HybridRetriever retriever, IReadOnlyDictionary<Guid, int> generationOf,
        Task switched, int loop)
    {
        var seen = new List<int>();
        var modes = Enum.GetValues<SearchMode>();
        for (var i = 0; i < MaxSearches; i++)
        {
            var results = await retriever.SearchAsync(new SearchRequest("harbour ferries museum tickets", TestReaders.Staff, 4,
                Mode: modes[(i + loop) % modes.Length]), default);
            Assert.NotEmpty(results);
            var generation = Assert.Single(results.Select(r => generationOf[r.ChunkId]).Distinct());
            // The same passage is stored once per generation: a place listed from the other generation would show here.
            Assert.All(results, r => Assert.Empty(r.AlsoIn));
            seen.Add(generation);
            Interlocked.Increment(ref _searches);
            if (switched.IsCompleted && generation == 2) return seen;
        }
        throw new InvalidOperationException($"No search saw the new generation in {MaxSearches} searches.");
    }

    private static async Task<Dictionary<Guid, int>> GenerationsOfChunksAsync(TestDatabase db)
    {
        await using var command = db.DataSource.CreateCommand("SELECT id, generation FROM chunks");
        var generations = new Dictionary<Guid, int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) generations[reader.GetGuid(0)] = reader.GetInt32(1);
        return generations;
    }
}
