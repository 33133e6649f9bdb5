using System.ClientModel;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Lode.Chat.Answering;
using Lode.Embeddings;
using Lode.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using OpenAI;
using OpenAI.Chat;
using OpenAI.Embeddings;
using OpenAI.Models;

namespace Lode.Tests.Integration;

/// <summary>A stack with a few indexed documents, shared by the chat tests (no language model: extractive answers).</summary>
public sealed class IndexedStackFixture : IAsyncLifetime
{
    public LodeStack Stack { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Stack = await LodeStack.StartAsync();
        await Stack.PutAsync("hr/leave-policy.md", Encoding.UTF8.GetBytes("""
            # Leave policy

            Every employee is entitled to 27 days of annual leave per calendar year. Up to five unused days may be
            carried over into the first quarter of the next year. Leave requests are approved by the line manager.

            # Sick leave

            Report sickness to your manager before ten in the morning. A doctor's note is needed from the fourth day.
            """), "text/markdown");
        await Stack.PutFileAsync("manuals/handbook.pdf", "handbook-12pages.pdf", "application/pdf");
        await Stack.WaitForStatusAsync("hr/leave-policy.md", "indexed");
        await Stack.WaitForStatusAsync("manuals/handbook.pdf", "indexed");
    }

    public async Task DisposeAsync() => await Stack.DisposeAsync();
}

/// <summary>api/chat and the OpenAI-compatible surface over a real stack, with the official OpenAI .NET client.</summary>
public sealed class ChatHttpTests(IndexedStackFixture fixture) : IClassFixture<IndexedStackFixture>
{
    private LodeStack Stack => fixture.Stack;

    private OpenAIClientOptions ClientOptions => new() { Endpoint = new Uri(Stack.Api.BaseAddress!, "v1") };

    [Fact]
    public async Task Chat_answers_extractively_with_citations_to_the_right_document_and_page()
    {
        using var response = await Stack.Api.PostAsJsonAsync("api/chat", new
        {
            messages = new[] { new { role = "user", content = "How many days of annual leave does an employee get?" } },
        });
        response.EnsureSuccessStatusCode();
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        Assert.Equal("extractive", body.GetProperty("mode").GetString());
        Assert.StartsWith(ExtractiveAnswerer.Label, body.GetProperty("answer").GetString());
        Assert.Contains("27 days", body.GetProperty("answer").GetString());
        var first = body.GetProperty("citations")[0];
        Assert.Equal("hr/leave-policy.md", first.GetProperty("key").GetString());
        Assert.Equal(LodeStack.Bucket, first.GetProperty("bucket").GetString());
        Assert.Equal(1, first.GetProperty("page").GetInt32());
        Assert.False(string.IsNullOrWhiteSpace(first.GetProperty("snippet").GetString()));
    }

    [Fact]
    public async Task Chat_cites_the_page_a_PDF_passage_is_on()
    {
        using var response = await Stack.Api.PostAsJsonAsync("api/chat", new
        {
            messages = new[] { new { role = "user", content = "Which register is pagemarker07?" } },
            prefix = "manuals/",
        });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        var citations = body.GetProperty("citations").EnumerateArray().ToList();
        Assert.All(citations, c => Assert.Equal("manuals/handbook.pdf", c.GetProperty("key").GetString()));
        Assert.Contains(citations, c => c.GetProperty("page").GetInt32() <= 7 && c.GetProperty("pageEnd").GetInt32() >= 7);
    }

    [Fact]
    public async Task Streaming_chat_sends_citations_then_deltas_then_done()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/chat")
        {
            Content = JsonContent.Create(new { messages = new[] { new { role = "user", content = "When must sickness be reported?" } } }),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await Stack.Api.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var events = await ServerSentEventReader.ReadAllAsync(response);
        Assert.Equal("citations", events[0].Name);
        Assert.True(events.Count >= 3);
        Assert.All(events.Skip(1).SkipLast(1), e => Assert.Equal("delta", e.Name));
        Assert.Equal("done", events[^1].Name);
        var done = JsonDocument.Parse(events[^1].Data).RootElement;
        Assert.Equal(string.Concat(events.Where(e => e.Name == "delta").Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("text").GetString())),
            done.GetProperty("answer").GetString());
        Assert.True(done.TryGetProperty("usage", out _));
        Assert.Contains("ten in the morning", done.GetProperty("answer").GetString());
    }

    [Theory]
    [InlineData("{not json", "invalid_json")]
    [InlineData("{\"messages\":[]}", "missing_question")]
    [InlineData("{\"messages\":[{\"role\":\"robot\",\"content\":\"hi\"},{\"role\":\"user\",\"content\":\"x\"}]}", "invalid_role")]
    public async Task Bad_chat_requests_get_400_with_a_code(string body, string code)
    {
        using var response = await Stack.Api.PostAsync("api/chat", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(code, await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("api/chat")]
    [InlineData("v1/chat/completions")]
    public async Task A_question_longer_than_the_retrieval_limit_is_a_400_question_too_long_not_a_500(string route)
    {
        // 3,000 characters: under the old Chat:MaxQuestionChars (4000), over Retrieval:MaxQueryChars (2000).
        var question = string.Concat(Enumerable.Repeat("How many leave days? ", 143));

        using var response = await Stack.Api.PostAsJsonAsync(route, new { messages = new[] { new { role = "user", content = question } } });

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("question_too_long", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("api/chat", "maxTokens", -5)]
    [InlineData("api/chat", "maxTokens", 0)]
    [InlineData("v1/chat/completions", "max_tokens", -5)]
    [InlineData("v1/chat/completions", "max_completion_tokens", 0)]
    public async Task A_token_limit_of_zero_or_less_is_a_400(string route, string field, int value)
    {
        var body = $$"""{"messages":[{"role":"user","content":"How many days of annual leave?"}],"{{field}}":{{value}}}""";

        using var response = await Stack.Api.PostAsync(route, new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("invalid_max_tokens", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_official_OpenAI_client_gets_a_cited_completion()
    {
        var client = new ChatClient("lode", new ApiKeyCredential(LodeStack.ApiKey), ClientOptions);

        ChatCompletion completion = await client.CompleteChatAsync([new UserChatMessage("How many unused leave days can be carried over?")]);

        var text = completion.Content[0].Text;
        Assert.Contains("five unused days", text);
        Assert.Contains("Sources: [1] docs/hr/leave-policy.md, p. 1", text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.NotNull(completion.Usage);
    }

    [Fact]
    public async Task The_official_OpenAI_client_streams_a_completion()
    {
        var client = new ChatClient("lode", new ApiKeyCredential(LodeStack.ApiKey), ClientOptions);
        var text = new StringBuilder();
        ChatFinishReason? finish = null;
        ChatTokenUsage? usage = null;

        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("Who approves leave requests?")]))
        {
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
            finish ??= update.FinishReason;
            usage ??= update.Usage;
        }

        Assert.Contains("line manager", text.ToString());
        Assert.Contains("Sources:", text.ToString());
        Assert.Equal(ChatFinishReason.Stop, finish);
        Assert.NotNull(usage); // the official client asks for usage in streams (stream_options.include_usage)
    }

    [Fact]
    public async Task The_official_OpenAI_client_gets_the_index_embeddings()
    {
        var client = new EmbeddingClient("all-MiniLM-L6-v2", new ApiKeyCredential(LodeStack.ApiKey), ClientOptions);

        OpenAIEmbedding embedding = await client.GenerateEmbeddingAsync("annual leave");
        var expected = await Stack.App.Services.GetRequiredService<OnnxSentenceEmbeddingGenerator>().GenerateAsync(["annual leave"]);

        var vector = embedding.ToFloats().ToArray();
        Assert.Equal(384, vector.Length);
        for (var i = 0; i < vector.Length; i++) Assert.Equal(expected[0].Vector.Span[i], vector[i], 6);
    }

    [Fact]
    public async Task The_official_OpenAI_client_lists_the_models()
    {
        var client = new OpenAIModelClient(new ApiKeyCredential(LodeStack.ApiKey), ClientOptions);

        OpenAIModelCollection models = await client.GetModelsAsync();

        Assert.Contains(models, m => m.Id == "lode-extractive");
        Assert.Contains(models, m => m.Id == "all-MiniLM-L6-v2");
    }

    [Fact]
    public async Task The_OpenAI_surface_refuses_a_wrong_key()
    {
        var client = new ChatClient("lode", new ApiKeyCredential("wrong-key-0123456789abcdef"), ClientOptions);

        var error = await Assert.ThrowsAsync<ClientResultException>(() => client.CompleteChatAsync([new UserChatMessage("hi")]));
        Assert.Equal(401, error.Status);
    }
}
