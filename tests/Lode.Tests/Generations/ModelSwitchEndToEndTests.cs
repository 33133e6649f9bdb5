using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Lode.Retrieval;
using Lode.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Lode.Tests.Generations;

/// <summary>
/// Changing Embeddings:Model on a real stack (PostgreSQL, the S3 server, the app with its worker, both real models):
/// the new model's generation is built in the background while searches keep the old one, becomes current when
/// complete, switching back is instant, and an admin drops the generation left behind. A crash between the build's
/// last job and the switch only delays the switch to the next start.
/// </summary>
public sealed class ModelSwitchEndToEndTests
{
    private const string Arctic = "snowflake-arctic-embed-xs";
    private const string MiniLm = "all-MiniLM-L6-v2";
    private const string Query = "when does the harbour open";
    private const int MaxSearchesPerLoop = 5_000;

    private static readonly (string Key, string Text)[] Corpus =
    [
        ("harbour.txt", "The harbour opens at six in the morning. Ferries to the island leave every hour from pier two."),
        ("museum.txt", "The town museum opens at ten and closes at five. Tickets cost ten euros; children enter free."),
        ("parking.txt", "Parking near the harbour is free on Sundays. On weekdays the car park by the station charges two euros an hour."),
    ];

    [Fact]
    public async Task A_new_model_is_built_in_the_background_becomes_current_switches_back_at_once_and_is_dropped_by_an_admin()
    {
        await using var stack = await LodeStack.StartAsync();
        foreach (var (key, text) in Corpus) await stack.PutAsync(key, Encoding.UTF8.GetBytes(text), "text/plain");
        foreach (var (key, _) in Corpus) await stack.WaitForStatusAsync(key, "indexed");
        await stack.WaitForQueueEmptyAsync();

        // Arctic configured; its embedder holds every document back until the gate opens.
        // Room for every job at once: the build's jobs wait at the gate, the new document's must run beside them.
        await stack.RestartAppAsync(GatedEmbeddingGenerator.Register, extraArgs: [$"--Embeddings:Model={Arctic}", "--Ingestion:MaxConcurrency=8"]);
        var gate = stack.App.Services.GetRequiredService<GatedEmbeddingGenerator>();
        var building = await GenerationAsync(stack, 2);
        Assert.Equal(("building", Arctic, 3L, 0L, 3L), (Text(building, "state"), Text(building, "model"), Count(building, "documents"),
            Count(building, "done"), Count(building, "toDo")));
        Assert.Equal("current", Text(await GenerationAsync(stack, 1), "state"));
        // The documents keep serving from the current generation: none shows pending.
        foreach (var (key, _) in Corpus) Assert.Equal("indexed", Text((await stack.GetDocumentAsync(key))!.Value, "status"));
        Assert.Equal(1, await SearchedGenerationAsync(stack));
        Assert.Contains(MiniLm, await ModelsAsync(stack));

        // Uploaded during the build: written to both generations by one job.
        await stack.PutAsync("ferry.txt", Encoding.UTF8.GetBytes("The last ferry back from the island leaves the harbour at nine."), "text/plain");
        await Eventually.WaitUntilAsync(async () => await stack.Database.ScalarAsync<long>(
            "SELECT count(*) FROM ingest_jobs WHERE key = 'ferry.txt' AND leased_until > now()") == 1, "the new document's job to be worked on");
        var during = await GenerationAsync(stack, 2);
        Assert.Equal(Count(during, "documents"), Count(during, "done") + Count(during, "toDo"));

        var loops = Enumerable.Range(0, 2).Select(i => Task.Run(() => SearchUntilArcticAsync(stack, i))).ToList();
        gate.Open();
        await WaitForGenerationStateAsync(stack, 2, "current");
        var seen = await Task.WhenAll(loops);
        // The build completes once it holds every document the current generation holds; the new document's job,
        // which writes both generations in one transaction, may commit just after that. Count once it has.
        await stack.WaitForStatusAsync("ferry.txt", "indexed");
        await stack.WaitForQueueEmptyAsync();
        var current = await GenerationAsync(stack, 2);

        Assert.All(seen, s => Assert.Equal(s.Order(), s));
        Assert.Equal((4L, 4L, 0L), (Count(current, "documents"), Count(current, "done"), Count(current, "toDo")));
        Assert.Equal("previous", Text(await GenerationAsync(stack, 1), "state"));
        Assert.Equal("1,2", await stack.Database.ScalarAsync<string>("""
            SELECT string_agg(dg.generation::text, ',' ORDER BY dg.generation) FROM document_generations dg
            JOIN documents d ON d.id = dg.document_id WHERE d.key = 'ferry.txt' AND dg.etag = d.etag
            """));
        // Every chunk of the new generation was embedded by its own model: no vector came from the other generation.
        Assert.Equal(await stack.Database.ScalarAsync<long>("SELECT count(DISTINCT (document_id, content_hash)) FROM chunks WHERE generation = 2"),
            gate.DocumentTexts);
        Assert.Equal(Count(current, "chunks"), await stack.Database.ScalarAsync<long>("SELECT sum(chunk_count) FROM documents"));
        Assert.Equal(2, await SearchedGenerationAsync(stack));
        Assert.Contains(Arctic, await ModelsAsync(stack));

        // Back to MiniLM: its generation is current again at start-up, nothing queued or embedded.
        await stack.RestartAppAsync(services => AppEmbedder.Replace(services, real => new CountingEmbeddingGenerator(real)));
        Assert.Equal(("current", "previous"), (Text(await GenerationAsync(stack, 1), "state"), Text(await GenerationAsync(stack, 2), "state")));
        Assert.Equal(0L, await stack.Database.ScalarAsync<long>("SELECT count(*) FROM ingest_jobs"));
        Assert.Equal(0, stack.App.Services.GetRequiredService<CountingEmbeddingGenerator>().Texts);
        Assert.Equal(4L, Count(await GenerationAsync(stack, 1), "done"));
        Assert.Equal(1, await SearchedGenerationAsync(stack));

        await AssertErrorAsync(await stack.Admin.DeleteAsync("api/admin/generations/1"), HttpStatusCode.Conflict, "generation_current");
        using (var dropped = await stack.Admin.DeleteAsync("api/admin/generations/2")) Assert.Equal(HttpStatusCode.NoContent, dropped.StatusCode);
        await AssertErrorAsync(await stack.Admin.DeleteAsync("api/admin/generations/2"), HttpStatusCode.NotFound, "generation_not_found");
        Assert.Equal(0L, await stack.Database.ScalarAsync<long>("SELECT count(*) FROM chunks WHERE generation = 2"));
        Assert.True(await stack.Database.ScalarAsync<bool>("SELECT to_regclass('chunks_embedding_g2_idx') IS NULL"));
        Assert.Single((await GenerationsAsync(stack)).EnumerateArray());
    }

    [Fact]
    public async Task A_build_whose_switch_failed_becomes_current_at_the_next_start()
    {
        await using var stack = await LodeStack.StartAsync();
        foreach (var (key, text) in Corpus[..2]) await stack.PutAsync(key, Encoding.UTF8.GetBytes(text), "text/plain");
        foreach (var (key, _) in Corpus[..2]) await stack.WaitForStatusAsync(key, "indexed");
        await stack.WaitForQueueEmptyAsync();
        // The switch's transaction fails, as if the instance died between the build's last job and the switch.
        await stack.Database.ExecuteAsync("""
            CREATE FUNCTION refuse_switch() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN RAISE EXCEPTION 'switch refused by the test'; END $$;
            CREATE TRIGGER refuse_switch BEFORE UPDATE ON index_generations
                FOR EACH ROW WHEN (OLD.state = 'building' AND NEW.state = 'current') EXECUTE FUNCTION refuse_switch();
            """);

        await stack.RestartAppAsync(extraArgs: $"--Embeddings:Model={Arctic}");
        await stack.WaitForQueueEmptyAsync();
        var complete = await GenerationAsync(stack, 2);
        Assert.Equal(("building", 2L, 0L), (Text(complete, "state"), Count(complete, "done"), Count(complete, "toDo")));
        await Eventually.WaitUntilAsync(() => Task.FromResult(stack.App.Logs.Entries.Any(e =>
            e.Message.Contains("Could not switch to the completed index generation", StringComparison.Ordinal))), "the failed switch to be logged");
        Assert.Equal("building", Text(await GenerationAsync(stack, 2), "state"));

        await stack.RestartAppAsync(whileStopped: () => stack.Database.ExecuteAsync("DROP TRIGGER refuse_switch ON index_generations"),
            extraArgs: $"--Embeddings:Model={Arctic}");

        Assert.Equal(("current", "previous"), (Text(await GenerationAsync(stack, 2), "state"), Text(await GenerationAsync(stack, 1), "state")));
        Assert.Equal(2, await SearchedGenerationAsync(stack));
    }

    /// <summary>
    /// Searches (the app's retriever and api/search, alternately) until one after the switch is on generation 2; every
    /// search succeeds and returns one generation's chunks. Returns the generation of each retriever search.
    /// </summary>
    private static async Task<List<int>> SearchUntilArcticAsync(LodeStack stack, int loop)
    {
        var retriever = stack.App.Services.GetRequiredService<IRetriever>();
        var seen = new List<int>();
        for (var i = 0; i < MaxSearchesPerLoop; i++)
        {
            using (var response = await stack.Api.PostAsJsonAsync("api/search", new { query = Query, top = 3 }))
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
            var results = await retriever.SearchAsync(new SearchRequest(Query, TestReaders.Staff, 3, Mode: (SearchMode)((i + loop) % 3)), default);
            seen.Add(await GenerationOfAsync(stack, results));
            if (seen[^1] == 2) return seen;
        }
        throw new InvalidOperationException($"No search saw the new generation in {MaxSearchesPerLoop} searches.");
    }

    private static async Task<int> SearchedGenerationAsync(LodeStack stack) =>
        await GenerationOfAsync(stack, await stack.App.Services.GetRequiredService<IRetriever>()
            .SearchAsync(new SearchRequest(Query, TestReaders.Staff, 3), default));

    /// <summary>The one generation the results come from (fails when they mix generations or are empty).</summary>
    private static async Task<int> GenerationOfAsync(LodeStack stack, IReadOnlyList<RetrievedChunk> results)
    {
        Assert.NotEmpty(results);
        await using var command = stack.Database.DataSource.CreateCommand("SELECT DISTINCT generation FROM chunks WHERE id = ANY($1)");
        command.Parameters.Add(new() { Value = results.Select(r => r.ChunkId).ToArray() });
        var generations = new List<int>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) generations.Add(reader.GetInt32(0));
        return Assert.Single(generations);
    }

    private static async Task<JsonElement> GenerationsAsync(LodeStack stack)
    {
        using var response = await stack.Admin.GetAsync("api/admin/generations");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("generations");
    }

    private static async Task<JsonElement> GenerationAsync(LodeStack stack, int id) =>
        (await GenerationsAsync(stack)).EnumerateArray().Single(g => g.GetProperty("id").GetInt32() == id);

    private static async Task<JsonElement> WaitForGenerationStateAsync(LodeStack stack, int id, string state)
    {
        JsonElement generation = default;
        await Eventually.WaitUntilAsync(async () => Text(generation = await GenerationAsync(stack, id), "state") == state,
            $"index generation {id} to be {state}", seconds: 300);
        return generation;
    }

    private static async Task<IReadOnlyList<string?>> ModelsAsync(LodeStack stack)
    {
        var models = await stack.Api.GetFromJsonAsync<JsonElement>("v1/models");
        return models.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToList();
    }

    private static async Task AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        using (response)
        {
            Assert.Equal(status, response.StatusCode);
            Assert.Equal(code, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetString());
        }
    }

    private static string? Text(JsonElement element, string name) => element.GetProperty(name).GetString();

    private static long Count(JsonElement element, string name) => element.GetProperty(name).GetInt64();
}
