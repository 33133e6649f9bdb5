using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Lode.Embeddings;
using Lode.Tests.Support;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Lode.Tests.Integration;

/// <summary>
/// POST api/reindex over real parts: the bucket is listed page by page into jobs, progress is counted from the jobs'
/// outcomes, unchanged objects are skipped by etag without a download, and a listing left behind by a dead instance
/// resumes after its marker.
/// </summary>
public sealed class ReindexRunTests
{
    private const string Prefix = "corpus/";
    // Small pages, so a run of a few objects spans several pages (and transactions); a quick look for orphaned runs.
    private static readonly string[] SmallPages = ["--Reindex:PageSize=3", "--Reindex:ResumeSeconds=0.5"];

    [Fact]
    public async Task Reindexing_an_unchanged_prefix_skips_every_object_by_etag_and_downloads_none()
    {
        await using var stack = await LodeStack.StartAsync(overrides: CountingObjectStore.Register, extraArgs: SmallPages);
        var store = stack.App.Services.GetRequiredService<CountingObjectStore>();
        var keys = await PutCorpusAsync(stack, 7);
        await stack.PutAsync("elsewhere/outside.txt", Encoding.UTF8.GetBytes("Not under the prefix."), "text/plain");
        await stack.WaitForStatusAsync("elsewhere/outside.txt", "indexed");
        await stack.WaitForQueueEmptyAsync();
        var indexedAt = (await stack.GetDocumentAsync(keys[0]))!.Value.GetProperty("indexedAt").GetString();
        store.Reset();

        using var response = await stack.Admin.PostAsJsonAsync("api/reindex", new { bucket = LodeStack.Bucket, prefix = Prefix });
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var accepted = await response.Content.ReadFromJsonAsync<JsonElement>();
        var id = accepted.GetProperty("id").GetString()!;
        Assert.Equal($"/api/reindex/{id}", response.Headers.Location?.OriginalString);
        Assert.Equal(Prefix, accepted.GetProperty("prefix").GetString());
        var run = await WaitForRunAsync(stack, id);

        Assert.Equal("done", run.GetProperty("status").GetString());
        Assert.Equal((7L, 7L, 7L), (Count(run, "listed"), Count(run, "queued"), Count(run, "skipped")));
        Assert.Equal((0L, 0L, 0L, 0L), (Count(run, "indexed"), Count(run, "failed"), Count(run, "removed"), Count(run, "pending")));
        Assert.Equal("admin", run.GetProperty("requestedBy").GetString());
        Assert.Equal(0, store.Fetches);
        Assert.All(keys, key => Assert.Equal(1, store.StatsOf(key)));
        Assert.Equal(0, store.StatsOf("elsewhere/outside.txt"));
        Assert.Equal(indexedAt, (await stack.GetDocumentAsync(keys[0]))!.Value.GetProperty("indexedAt").GetString());
    }

    [Fact]
    public async Task A_forced_reindex_re_extracts_every_object_but_re_embeds_no_unchanged_chunk()
    {
        await using var stack = await LodeStack.StartAsync(overrides: services =>
        {
            CountingObjectStore.Register(services);
            RegisterCountingEmbedder(services);
        }, extraArgs: SmallPages);
        var store = stack.App.Services.GetRequiredService<CountingObjectStore>();
        var embedder = stack.App.Services.GetRequiredService<CountingEmbeddingGenerator>();
        var keys = await PutCorpusAsync(stack, 4);
        await stack.WaitForQueueEmptyAsync();
        var chunks = await CorpusChunksAsync(stack);
        store.Reset();
        var embeddedBefore = embedder.Texts;

        var run = await ReindexAsync(stack, new { bucket = LodeStack.Bucket, prefix = Prefix, force = true });

        Assert.Equal((4L, 4L, 0L), (Count(run, "queued"), Count(run, "indexed"), Count(run, "skipped")));
        Assert.True(run.GetProperty("force").GetBoolean());
        Assert.All(keys, key => Assert.Equal(1, store.FetchesOf(key)));
        Assert.Equal(0, embedder.Texts - embeddedBefore);
        Assert.Equal(chunks, await CorpusChunksAsync(stack));
    }

    [Fact]
    public async Task After_an_embedding_model_change_a_reindex_embeds_every_chunk_again()
    {
        await using var stack = await LodeStack.StartAsync(overrides: RegisterCountingEmbedder, extraArgs: SmallPages);
        var embedder = stack.App.Services.GetRequiredService<CountingEmbeddingGenerator>();
        await PutCorpusAsync(stack, 3);
        await stack.WaitForQueueEmptyAsync();
        var chunks = await CorpusChunksAsync(stack);
        // As if these documents had been indexed by another model only: their chunks belong to another index
        // generation, and the current one holds none of them. None of those vectors may be reused.
        await stack.Database.ExecuteAsync("UPDATE chunks SET generation = 99, id = gen_random_uuid()");
        await stack.Database.ExecuteAsync("DELETE FROM document_generations");
        var embeddedBefore = embedder.Texts;

        var run = await ReindexAsync(stack, new { bucket = LodeStack.Bucket, prefix = Prefix });

        Assert.Equal((3L, 3L, 0L), (Count(run, "queued"), Count(run, "indexed"), Count(run, "skipped")));
        Assert.Equal(chunks, (long)(embedder.Texts - embeddedBefore));
        Assert.Equal(chunks, await stack.Database.ScalarAsync<long>("SELECT count(*) FROM chunks WHERE generation = 1"));
    }

    [Fact]
    public async Task A_listing_left_running_by_a_dead_instance_resumes_after_its_marker()
    {
        await using var stack = await LodeStack.StartAsync(overrides: CountingObjectStore.Register, extraArgs: SmallPages);
        var store = stack.App.Services.GetRequiredService<CountingObjectStore>();
        var keys = await PutCorpusAsync(stack, 10);
        await stack.WaitForQueueEmptyAsync();
        store.Reset();

        // What an instance that died after recording its first pages leaves: a run still running, its marker at the
        // fourth key, the four jobs it queued already counted. Its advisory lock went with its connection.
        var id = Guid.NewGuid();
        await stack.Database.ExecuteAsync("""
            INSERT INTO reindex_runs (id, bucket, prefix, force, requested_by, status, listed, queued, skipped, listed_through)
            VALUES ($1, $2, $3, false, 'admin', 'running', 4, 4, 4, $4)
            """, id, LodeStack.Bucket, Prefix, keys[3]);

        var run = await WaitForRunAsync(stack, id.ToString());

        Assert.Equal("done", run.GetProperty("status").GetString());
        Assert.Equal((10L, 10L, 10L, 0L), (Count(run, "listed"), Count(run, "queued"), Count(run, "skipped"), Count(run, "pending")));
        Assert.Equal(keys[^1], run.GetProperty("listedThrough").GetString());
        Assert.All(keys[..4], key => Assert.Equal(0, store.StatsOf(key)));
        Assert.All(keys[4..], key => Assert.Equal(1, store.StatsOf(key)));
    }

    [Fact]
    public async Task Reindexing_is_for_admins_and_refuses_buckets_it_cannot_list()
    {
        await using var stack = await LodeStack.StartAsync(extraArgs: "--Ingestion:Buckets:1=configured-but-absent");

        using var notAdmin = await stack.Api.PostAsJsonAsync("api/reindex", new { bucket = LodeStack.Bucket });
        Assert.Equal(HttpStatusCode.Forbidden, notAdmin.StatusCode);
        using var notAdminProgress = await stack.Api.GetAsync($"api/reindex/{Guid.NewGuid()}");
        Assert.Equal(HttpStatusCode.Forbidden, notAdminProgress.StatusCode);

        await AssertErrorAsync(await stack.Admin.PostAsJsonAsync("api/reindex", new { bucket = "Not_A_Bucket" }), 400, "invalid_bucket");
        await AssertErrorAsync(await stack.Admin.PostAsJsonAsync("api/reindex", new { prefix = "x" }), 400, "invalid_bucket");
        await AssertErrorAsync(await stack.Admin.PostAsJsonAsync("api/reindex", new { bucket = "other-bucket" }), 400, "bucket_not_indexed");
        await AssertErrorAsync(await stack.Admin.PostAsJsonAsync("api/reindex", new { bucket = "configured-but-absent" }), 404, "bucket_not_found");
        await AssertErrorAsync(await stack.Admin.GetAsync($"api/reindex/{Guid.NewGuid()}"), 404, "reindex_not_found");
        await AssertErrorAsync(await stack.Admin.GetAsync("api/reindex/not-an-id"), 404, "reindex_not_found");
        Assert.Equal(0L, await stack.Database.ScalarAsync<long>("SELECT count(*) FROM reindex_runs"));
    }

    private static void RegisterCountingEmbedder(IServiceCollection services)
    {
        services.AddSingleton(sp => new CountingEmbeddingGenerator(sp.GetRequiredService<OnnxSentenceEmbeddingGenerator>()));
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp => sp.GetRequiredService<CountingEmbeddingGenerator>());
    }

    /// <summary>Puts <paramref name="count"/> text documents of several chunks under the prefix and waits until they are indexed.</summary>
    private static async Task<string[]> PutCorpusAsync(LodeStack stack, int count)
    {
        var keys = Enumerable.Range(0, count).Select(i => $"{Prefix}doc-{i:00}.txt").ToArray();
        for (var i = 0; i < count; i++)
        {
            var text = string.Join("\n\n", Enumerable.Range(1, 12).Select(p =>
                $"Document {i}, rule {p}: requests of kind {p} from office {i} are answered within {p + i} days by the desk on floor {p % 4}."));
            await stack.PutAsync(keys[i], Encoding.UTF8.GetBytes(text), "text/plain");
        }
        foreach (var key in keys) await stack.WaitForStatusAsync(key, "indexed");
        return keys;
    }

    private static Task<long> CorpusChunksAsync(LodeStack stack) => stack.Database.ScalarAsync<long>(
        "SELECT count(*) FROM chunks c JOIN documents d ON d.id = c.document_id WHERE starts_with(d.key, $1)", Prefix);

    private static async Task<JsonElement> ReindexAsync(LodeStack stack, object body)
    {
        using var response = await stack.Admin.PostAsJsonAsync("api/reindex", body);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        var run = await WaitForRunAsync(stack, id);
        Assert.Equal("done", run.GetProperty("status").GetString());
        return run;
    }

    /// <summary>Polls GET api/reindex/{id} until the run is done or failed.</summary>
    private static async Task<JsonElement> WaitForRunAsync(LodeStack stack, string id)
    {
        var deadline = DateTime.UtcNow.AddSeconds(120);
        while (true)
        {
            using var response = await stack.Admin.GetAsync($"api/reindex/{id}");
            if (response.StatusCode == HttpStatusCode.OK)
            {
                var run = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (run.GetProperty("status").GetString() is "done" or "failed") return run;
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"Reindex {id} did not finish; last: {run}");
            }
            else if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Reindex {id}: {response.StatusCode}");
            }
            await Task.Delay(100);
        }
    }

    private static long Count(JsonElement run, string name) => run.GetProperty(name).GetInt64();

    private static async Task AssertErrorAsync(HttpResponseMessage response, int status, string code)
    {
        using (response)
        {
            var body = await response.Content.ReadAsStringAsync();
            Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
            Assert.Equal(code, JsonDocument.Parse(body).RootElement.GetProperty("error").GetProperty("code").GetString());
        }
    }
}
