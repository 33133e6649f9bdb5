using System.Net;
using System.Net.Http.Json;
using System.Text;
using Lode.Chat.Models;
using Lode.Chat.Models.Batching;
using Lode.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Lode.Tests.Integration;

/// <summary>
/// A real stack whose in-process model (tiny GGUF, batched, four sequences) may write long answers: two thousand
/// tokens (the most a 4096-token window allows, half of it), so that an answer is still being generated when its
/// caller hangs up after the first words.
/// </summary>
public sealed class LongAnswerLlamaStackFixture : IAsyncLifetime
{
    public const int LongAnswerTokens = 2000;
    public const string Document = "hr/leave-policy.md";

    public string ModelPath { get; } = TinyLlamaGguf.WriteTempFile(contextLength: 4096);
    public LodeStack Stack { get; private set; } = null!;

    public LlamaSharpLanguageModel Model => Stack.App.Services.GetRequiredService<LlamaSharpLanguageModel>();

    internal BatchedEngine Engine => Model.Batched ?? throw new InvalidOperationException("Batched decoding is off.");

    public async Task InitializeAsync()
    {
        Stack = await LodeStack.StartAsync(null, null,
            "--Llm:Provider=llamasharp", $"--Llm:ModelPath={ModelPath}", "--Llm:BatchedDecoding=true",
            "--Llm:ContextSize=8192", $"--Llm:MaxOutputTokens={LongAnswerTokens}", "--Llm:Seed=42",
            "--Llm:Temperature=0.7", "--Llm:Threads=1", "--Llm:MaxConcurrentSequences=4",
            "--Llm:MaxQueuedRequests=4", "--Llm:QueueTimeoutSeconds=300");
        await Stack.PutAsync(Document, Encoding.UTF8.GetBytes(
            "# Leave\n\nEvery employee is entitled to 27 days of annual leave. Requests go to the line manager."), "text/markdown");
        await Stack.WaitForStatusAsync(Document, "indexed");
    }

    public async Task DisposeAsync()
    {
        await Stack.DisposeAsync();
        File.Delete(ModelPath);
    }
}

/// <summary>A caller who hangs up in the middle of a streamed answer frees its sequence in the shared cache at once.</summary>
public sealed class LlamaStreamAbortTests(LongAnswerLlamaStackFixture fixture) : IClassFixture<LongAnswerLlamaStackFixture>
{
    private const int LongAnswer = LongAnswerLlamaStackFixture.LongAnswerTokens;

    [Fact]
    public async Task A_client_that_aborts_a_long_streamed_answer_frees_its_sequence_and_the_next_request_is_answered()
    {
        var engine = fixture.Engine;
        Assert.Equal(LongAnswer, fixture.Model.MaxOutputTokens); // not capped: running to its end would decode them all
        var decodedBefore = engine.DecodeTokens;
        // The tiny model decodes two thousand tokens in about two seconds, which a loaded machine can take to carry the
        // client's hang-up to the server (one CI run: 1,999 decoded). So after HoldAfter tokens the decoder waits, on
        // its own thread, until the caller's departure has reached the engine; the answer is then certain to end
        // because its caller left, however slowly the machine runs the abort.
        long decoded = 0;
        engine.StepObserved = step =>
        {
            decoded += step.Decoded;
            var until = DateTime.UtcNow + TimeSpan.FromMinutes(2);
            while (decoded >= HoldAfter && !engine.AnyRunningCancelled && DateTime.UtcNow < until) Thread.Sleep(2);
        };
        try
        {
            await AbortAfterTheFirstWordAsync(engine);
            await Eventually.WaitUntilAsync(() => Task.FromResult(engine.Busy == 0), "the aborted answer's sequence to be freed", 120);
        }
        finally
        {
            engine.StepObserved = null;
        }

        // Freed because its caller left, not because it ran to its end.
        Assert.InRange(engine.DecodeTokens - decodedBefore, 0, LongAnswer - 100);
        Assert.Equal(0, engine.Budget.Used - (engine.Budget.CurrentPrefix?.Length ?? 0));

        var next = await ChatSurfaces.ApiChatStreamAsync(fixture.Stack.Api, "Who approves leave?", 8, LongAnswerLlamaStackFixture.Document);
        Assert.False(string.IsNullOrWhiteSpace(next));
        Assert.Equal(0, engine.Busy);
    }

    // Far more than the first word needs, far fewer than the answer's two thousand.
    private const int HoldAfter = 200;

    private async Task AbortAfterTheFirstWordAsync(BatchedEngine engine)
    {
        using (var abort = new CancellationTokenSource())
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/chat")
            {
                Content = JsonContent.Create(ChatSurfaces.Question("Tell me everything about leave.", LongAnswer, stream: true)),
            };
            using var response = await fixture.Stack.Api.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, abort.Token);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(abort.Token));
            // Read up to the first word of the answer: the sequence is admitted and generating.
            while (await reader.ReadLineAsync(abort.Token) is { } line && line != "event: delta")
            {
            }

            Assert.Equal(1, engine.Busy);
            abort.Cancel();
        }
    }
}
