using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Lode.Chat.Models;
using Lode.Chat.Models.Batching;
using Lode.Tests.Support;
using Lode.Tests.Teams;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Lode.Tests.Integration;

/// <summary>
/// A real stack (PostgreSQL, the S3 server, the app on Kestrel) whose chat is answered by the in-process LLamaSharp
/// provider on the tiny GGUF with batched decoding: four sequences share one KV cache of two answer windows, answers
/// are short and seeded, and the Teams webhook is configured for one user who reads the test documents.
/// </summary>
public sealed class BatchedLlamaStackFixture : IAsyncLifetime
{
    public const int MaxSequences = 4;
    public const int MaxQueued = 6;
    public const int AnswerTokens = 24;

    /// <summary>The model's trained context, one answer's window; the cache holds two.</summary>
    public const int Window = 4096;

    public const string TeamsUser = "0b6f3c1e-52a4-4d8e-9f7a-3c2d1e0f9a8b";
    public const string Document = "hr/leave-policy.md";

    // Generous: a loaded two-core CI box may take long to schedule nine callers; nothing here waits for a timeout.
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromMinutes(5);

    public string ModelPath { get; } = TinyLlamaGguf.WriteTempFile(contextLength: Window);
    public string TeamsToken { get; } = TeamsWebhook.NewSecurityToken();
    public LodeStack Stack { get; private set; } = null!;
    public HttpClient Api { get; private set; } = null!;

    /// <summary>A client without the API key: Teams sends only its signature.</summary>
    public HttpClient Teams { get; private set; } = null!;

    public LlamaSharpLanguageModel Model => Stack.App.Services.GetRequiredService<LlamaSharpLanguageModel>();
    internal BatchedEngine Engine => Model.Batched ?? throw new InvalidOperationException("Batched decoding is off.");
    public IMeterFactory Meters => Stack.App.Services.GetRequiredService<IMeterFactory>();

    public async Task InitializeAsync()
    {
        Stack = await LodeStack.StartAsync(null, null,
            "--Llm:Provider=llamasharp", $"--Llm:ModelPath={ModelPath}", "--Llm:BatchedDecoding=true",
            $"--Llm:ContextSize={2 * Window}", $"--Llm:MaxOutputTokens={AnswerTokens}", "--Llm:Seed=42",
            "--Llm:Temperature=0.7", "--Llm:Threads=1", $"--Llm:MaxConcurrentSequences={MaxSequences}",
            $"--Llm:MaxQueuedRequests={MaxQueued}", "--Llm:QueueTimeoutSeconds=300",
            $"--Teams:SecurityToken={TeamsToken}", $"--Teams:UserGroups:{TeamsUser}:0={TestReaders.Group}",
            "--Teams:AnswerBudgetSeconds=60");
        Api = Stack.ClientFor(LodeStack.ApiKey);
        Api.Timeout = ClientTimeout;
        Teams = new HttpClient { BaseAddress = Stack.Api.BaseAddress, Timeout = ClientTimeout };
        await Stack.PutAsync(Document, Encoding.UTF8.GetBytes(
            "# Leave\n\nEvery employee is entitled to 27 days of annual leave. Requests go to the line manager."), "text/markdown");
        await Stack.WaitForStatusAsync(Document, "indexed");
    }

    public async Task DisposeAsync()
    {
        Api.Dispose();
        Teams.Dispose();
        await Stack.DisposeAsync();
        File.Delete(ModelPath);
    }
}

/// <summary>
/// Issue 15 through the whole app: several callers on api/chat, v1/chat/completions and Teams at once are decoded in
/// shared steps, each gets a complete, well-formed answer for its surface, and a full cache with a full queue is a 503.
/// Seeded equality with the answer served alone is proven at engine level (BatchedDecodingTests), not here: the nine
/// requests have different prompt lengths, so their steps mix prefill chunks and decode tokens in batches of varying
/// size, and llama.cpp's CPU kernels (llamafile sgemm for several rows, a dot product for one) sum in an order that
/// depends on the batch size. The logits then differ in their last bits, and at temperature 0.7 on random weights a
/// draw that falls on a near-tie can pick another token (seen once in 14 runs).
/// </summary>
public sealed class BatchedChatSurfacesTests(BatchedLlamaStackFixture fixture) : IClassFixture<BatchedLlamaStackFixture>
{
    private const int AnswerTokens = BatchedLlamaStackFixture.AnswerTokens;
    private const int WaitSeconds = 180;

    private static readonly string[] Questions =
    [
        "How many days of annual leave does an employee get?",
        "Who approves a leave request?",
        "What does the leave policy say?",
    ];

    [Fact]
    public async Task Nine_callers_on_three_surfaces_at_once_share_decode_steps_and_each_gets_a_complete_answer()
    {
        var calls = CallsOnEverySurface();

        var engine = fixture.Engine;
        using var occupancy = new BatchOccupancyRecorder(fixture.Meters);
        string[] together;
        using (var pause = new DecoderPause(engine))
        {
            var running = calls.Select(call => Task.Run(call)).ToArray();
            // The decoder is held after its first step, so every caller is in the model (admitted or queued) before
            // any answer moves on: the steps after the release are certain to carry several sequences. All nine may
            // be in before that first step has ended (a loaded machine runs its prefill slowly), so the wait is for
            // both; a request that ends meanwhile has failed, and awaiting it says why.
            await Eventually.WaitUntilAsync(
                () => Task.FromResult((engine.Busy + engine.Queued == calls.Count && pause.Holding) || running.Any(t => t.IsCompleted)),
                "all nine requests to reach the model and the decoder to be held after its first step", WaitSeconds);
            if (running.FirstOrDefault(t => t.IsCompleted) is { } early) await early;
            Assert.True(pause.Holding, "the decoder should be held after the first step");
            Assert.True(engine.Busy >= 2, $"only {engine.Busy} sequence(s) admitted");
            pause.Release();
            together = await Task.WhenAll(running);
        }

        Assert.Equal(calls.Count, together.Length);
        Assert.All(together, answer => Assert.False(string.IsNullOrWhiteSpace(answer), "an answer came back empty"));
        Assert.True(occupancy.Highest * BatchedLlamaStackFixture.MaxSequences >= 2,
            $"no step decoded two sequences at once (highest occupancy {occupancy.Highest})");
        await Eventually.WaitUntilAsync(() => Task.FromResult(engine.Busy == 0 && engine.Queued == 0), "the sequences to be freed", WaitSeconds);
    }

    [Fact]
    public async Task When_the_cache_is_taken_and_the_queue_is_full_api_chat_answers_503_with_Retry_After_and_the_queue_is_served_later()
    {
        var engine = fixture.Engine;
        var need = await CacheCellsOfOneQuestionAsync(Questions[0]);

        var holders = new List<IAsyncEnumerator<ChatResponseUpdate>>();
        try
        {
            // Two in-process answers whose prompts fill an answer window each take the whole cache, with two of the
            // four sequences still free: what refuses the next request is the cache budget.
            for (var i = 0; i < 2; i++) holders.Add(await HoldAWindowAsync(fixture.Model));
            Assert.Equal(2, engine.Busy);
            Assert.True(engine.Budget.Capacity - engine.Budget.Used < need,
                $"the cache should be too full for a question of {need} cells ({engine.Budget.Used} of {engine.Budget.Capacity} used)");

            var queued = Enumerable.Range(0, BatchedLlamaStackFixture.MaxQueued)
                .Select(_ => Task.Run(() => ChatSurfaces.ApiChatAsync(fixture.Api, Questions[0], AnswerTokens))).ToArray();
            await Eventually.WaitUntilAsync(
                () => Task.FromResult(engine.Queued == BatchedLlamaStackFixture.MaxQueued || queued.Any(t => t.IsCompleted)),
                "the queue to fill", WaitSeconds);
            Assert.Equal(BatchedLlamaStackFixture.MaxQueued, engine.Queued);

            using (var refused = await fixture.Api.PostAsJsonAsync("api/chat", ChatSurfaces.Question(Questions[0], AnswerTokens, stream: false)))
            {
                Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
                Assert.True(refused.Headers.RetryAfter?.Delta >= TimeSpan.FromSeconds(1), "503 without a Retry-After");
                var error = (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
                Assert.Equal("model_busy", error.GetProperty("code").GetString());
            }

            await ReleaseAsync(holders);
            Assert.All(await Task.WhenAll(queued), answer => Assert.False(string.IsNullOrWhiteSpace(answer)));
        }
        finally
        {
            await ReleaseAsync(holders);
        }

        await Eventually.WaitUntilAsync(() => Task.FromResult(engine.Busy == 0 && engine.Queued == 0), "the sequences to be freed", WaitSeconds);
    }

    /// <summary>Three callers, each on api/chat, v1/chat/completions and Teams, streaming and not.</summary>
    private List<Func<Task<string>>> CallsOnEverySurface()
    {
        var calls = new List<Func<Task<string>>>();
        for (var caller = 0; caller < Questions.Length; caller++)
        {
            var question = Questions[caller];
            var stream = caller > 0;
            calls.Add(() => stream
                ? ChatSurfaces.ApiChatStreamAsync(fixture.Api, question, AnswerTokens, BatchedLlamaStackFixture.Document)
                : ChatSurfaces.ApiChatAsync(fixture.Api, question, AnswerTokens));
            calls.Add(() => stream
                ? ChatSurfaces.OpenAiStreamAsync(fixture.Api, question, AnswerTokens)
                : ChatSurfaces.OpenAiAsync(fixture.Api, question, AnswerTokens));
            calls.Add(() => ChatSurfaces.TeamsAsync(fixture.Teams, fixture.TeamsToken, BatchedLlamaStackFixture.TeamsUser, question));
        }

        return calls;
    }

    /// <summary>The cells a question reserves when no shared prefix is held: its whole prompt plus its answer limit.</summary>
    private async Task<int> CacheCellsOfOneQuestionAsync(string question)
    {
        using var response = await fixture.Api.PostAsJsonAsync("api/chat", ChatSurfaces.Question(question, AnswerTokens, stream: false));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var usage = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("usage");
        return usage.GetProperty("promptTokens").GetInt32() + AnswerTokens;
    }

    /// <summary>
    /// Starts an answer whose prompt and answer limit fill one answer window and reads its first piece only: unread, it
    /// pauses with its cells held until disposed.
    /// </summary>
    private static async Task<IAsyncEnumerator<ChatResponseUpdate>> HoldAWindowAsync(LlamaSharpLanguageModel model)
    {
        var room = model.ContextTokens - AnswerTokens;
        var words = room;
        List<ChatMessage> prompt;
        int tokens;
        while ((tokens = model.TokenizePrompt(prompt = [new(ChatRole.User, string.Join(' ', Enumerable.Repeat("harbour", words)))]).Length) > room)
            words -= tokens - room;

        var updates = model.Client.GetStreamingResponseAsync(prompt, new ChatOptions { MaxOutputTokens = AnswerTokens }).GetAsyncEnumerator();
        Assert.True(await updates.MoveNextAsync(), "the holding answer should start");
        return updates;
    }

    private static async Task ReleaseAsync(List<IAsyncEnumerator<ChatResponseUpdate>> holders)
    {
        foreach (var holder in holders) await holder.DisposeAsync();
        holders.Clear();
    }
}
