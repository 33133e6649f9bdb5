using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Lode.Chat.Models;
using Lode.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Lode.Tests.Integration;

/// <summary>A stack whose chat is answered by real LLamaSharp generation from a tiny random-weight GGUF.</summary>
public sealed class LlamaStackFixture : IAsyncLifetime
{
    public string ModelPath { get; } = TinyLlamaGguf.WriteTempFile(contextLength: 4096);
    public LodeStack Stack { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Stack = await LodeStack.StartAsync(null, null,
            "--Llm:Provider=llamasharp", $"--Llm:ModelPath={ModelPath}", "--Llm:ContextSize=4096",
            "--Llm:MaxOutputTokens=24", "--Llm:Seed=42", "--Llm:Temperature=0.7", "--Llm:Threads=1",
            "--Llm:MaxConcurrentSequences=1", "--Llm:MaxQueuedRequests=1", "--Llm:QueueTimeoutSeconds=20");
        await Stack.PutAsync("hr/leave-policy.md", Encoding.UTF8.GetBytes(
            "# Leave\n\nEvery employee is entitled to 27 days of annual leave. Requests go to the line manager."), "text/markdown");
        await Stack.WaitForStatusAsync("hr/leave-policy.md", "indexed");
    }

    public async Task DisposeAsync()
    {
        await Stack.DisposeAsync();
        File.Delete(ModelPath);
    }
}

/// <summary>The whole chat path with a real GGUF through LLamaSharp: determinism, streaming, busy, cancellation, budget.</summary>
public sealed class LlamaChatTests(LlamaStackFixture fixture) : IClassFixture<LlamaStackFixture>
{
    private LodeStack Stack => fixture.Stack;

    private static object Question(string text, bool stream = false, int? maxTokens = null) => new
    {
        messages = new[] { new { role = "user", content = text } },
        stream,
        maxTokens,
    };

    [Fact]
    public async Task The_same_question_with_a_fixed_seed_gets_the_same_generated_answer()
    {
        var first = await Ask("How many days of annual leave?");
        var second = await Ask("How many days of annual leave?");

        Assert.Equal("generated", first.GetProperty("mode").GetString());
        Assert.False(string.IsNullOrWhiteSpace(first.GetProperty("answer").GetString()));
        Assert.Equal(first.GetProperty("answer").GetString(), second.GetProperty("answer").GetString());
        var usage = first.GetProperty("usage");
        Assert.True(usage.GetProperty("promptTokens").GetInt32() > 0);
        Assert.InRange(usage.GetProperty("completionTokens").GetInt32(), 1, 24);
    }

    [Fact]
    public async Task The_prompt_with_its_sources_fits_the_context_counted_by_the_model_itself()
    {
        var model = Stack.App.Services.GetRequiredService<ILanguageModel>();
        var answer = await Ask(string.Join(' ', Enumerable.Repeat("leave policy days manager", 40)));

        Assert.True(answer.GetProperty("usage").GetProperty("promptTokens").GetInt32() + 24 <= model.ContextTokens);
    }

    [Fact]
    public async Task A_streamed_generated_answer_sends_citations_then_deltas_then_done_and_matches_the_whole_answer()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/chat") { Content = JsonContent.Create(Question("Who approves leave?", stream: true)) };
        using var response = await Stack.Api.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var events = await ServerSentEventReader.ReadAllAsync(response);
        var whole = await Ask("Who approves leave?");

        Assert.Equal("citations", events[0].Name);
        Assert.Contains("hr/leave-policy.md", events[0].Data);
        Assert.True(events.Count(e => e.Name == "delta") > 1, "expected the answer in several deltas");
        Assert.Equal("done", events[^1].Name);
        var streamedText = string.Concat(events.Where(e => e.Name == "delta").Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("text").GetString()));
        Assert.Equal(whole.GetProperty("answer").GetString(), streamedText);
    }

    [Fact]
    public async Task A_client_that_disconnects_cancels_generation_and_frees_the_model()
    {
        var model = Stack.App.Services.GetRequiredService<ILanguageModel>();
        using (var cts = new CancellationTokenSource())
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "api/chat") { Content = JsonContent.Create(Question("Tell me about leave.", stream: true, maxTokens: 24)) };
            using var response = await Stack.Api.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cts.Token));
            await reader.ReadLineAsync(cts.Token); // the stream has started
            cts.Cancel();
        }

        // The sequence is given back, and the next question (with one sequence and one queue place) is answered.
        var diagnostics = (ILanguageModelDiagnostics)model;
        for (var i = 0; i < 100 && diagnostics.GetStatus().BusySequences > 0; i++) await Task.Delay(50);
        Assert.Equal(0, diagnostics.GetStatus().BusySequences);
        var next = await Ask("How many days of annual leave?");
        Assert.Equal("generated", next.GetProperty("mode").GetString());
        Assert.Equal(0, diagnostics.GetStatus().QueuedRequests);
    }

    [Fact]
    public async Task When_every_sequence_is_busy_and_the_queue_is_full_the_caller_gets_503_with_Retry_After()
    {
        // One generating and one queued fill the model; a burst of requests must see at least one 503.
        var burst = Enumerable.Range(0, 6).Select(_ => Stack.Api.PostAsJsonAsync("api/chat", Question("Leave days?"))).ToList();
        var responses = await Task.WhenAll(burst);
        try
        {
            var busy = responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable).ToList();
            Assert.NotEmpty(busy);
            Assert.All(busy, r => Assert.True(r.Headers.RetryAfter?.Delta > TimeSpan.Zero));
            Assert.Contains("model_busy", await busy[0].Content.ReadAsStringAsync());
            Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        }
        finally
        {
            foreach (var r in responses) r.Dispose();
        }
    }

    private async Task<JsonElement> Ask(string question)
    {
        using var response = await Stack.Api.PostAsJsonAsync("api/chat", Question(question));
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }
}
