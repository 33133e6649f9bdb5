using System.Text.Json.Nodes;
using Lode.Chat.Models;
using Lode.Tests.Support;
using Microsoft.Extensions.AI;

namespace Lode.Tests.LanguageModels;

/// <summary>The OpenAI-compatible client against a loopback stand-in for llama-server / vLLM.</summary>
public sealed class OpenAiCompatibleLanguageModelTests
{
    private static LlmOptions Options(FakeOpenAiServer server, Action<LlmOptions>? configure = null)
    {
        var options = new LlmOptions
        {
            Provider = LlmProviders.OpenAi,
            Endpoint = server.BaseUrl,
            Model = "tiny-server-model",
            ApiKey = "local-secret",
            ContextSize = 8192,
            MaxOutputTokens = 64,
            Temperature = 0.1f,
            RequestTimeoutSeconds = 30,
        };
        configure?.Invoke(options);
        return options;
    }

    private static readonly List<ChatMessage> Question =
    [
        new(ChatRole.System, "Answer from the sources."),
        new(ChatRole.User, "When does the harbour open?"),
    ];

    [Fact]
    public async Task A_non_streaming_answer_maps_text_usage_and_finish_reason_and_sends_max_tokens()
    {
        await using var server = new FakeOpenAiServer();
        using var model = new OpenAiCompatibleLanguageModel(Options(server));

        var response = await model.Client.GetResponseAsync(Question, new ChatOptions { MaxOutputTokens = 32, Seed = 5 });

        Assert.Equal(FakeOpenAiServer.Answer, response.Text);
        Assert.Equal(ChatFinishReason.Stop, response.FinishReason);
        Assert.Equal(21, response.Usage?.InputTokenCount);
        Assert.Equal(7, response.Usage?.OutputTokenCount);
        Assert.Equal(28, response.Usage?.TotalTokenCount);

        var request = Assert.Single(server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("/v1/chat/completions", request.Path);
        Assert.Equal("Bearer local-secret", request.Authorization);
        Assert.Equal("tiny-server-model", request.Body["model"]?.GetValue<string>());
        AssertMessages(request.Body);
        Assert.Equal(32, request.Body["max_tokens"]?.GetValue<int>());
        Assert.False(request.Body.ContainsKey("max_completion_tokens"));
        Assert.Equal(5, request.Body["seed"]?.GetValue<int>());
        Assert.Equal(0.1f, request.Body["temperature"]?.GetValue<float>());
        Assert.NotEqual(true, request.Body["stream"]?.GetValue<bool>());
    }

    [Fact]
    public async Task A_streamed_answer_arrives_in_pieces_with_usage_and_finish_reason()
    {
        await using var server = new FakeOpenAiServer();
        using var model = new OpenAiCompatibleLanguageModel(Options(server, o => o.ApiKey = null));

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in model.Client.GetStreamingResponseAsync(Question, new ChatOptions { MaxOutputTokens = 1000 }))
        {
            updates.Add(update);
        }

        Assert.Equal(FakeOpenAiServer.StreamedPieces, updates.Where(u => u.Text.Length > 0).Select(u => u.Text));
        Assert.Equal(ChatFinishReason.Length, updates.Select(u => u.FinishReason).Last(r => r is not null));
        var usage = Assert.Single(updates.SelectMany(u => u.Contents).OfType<UsageContent>()).Details;
        Assert.Equal(21, usage.InputTokenCount);
        Assert.Equal(5, usage.OutputTokenCount);
        Assert.Equal(0, ((ILanguageModelDiagnostics)model).GetStatus().BusySequences);

        var request = Assert.Single(server.Requests);
        Assert.True(request.Body["stream"]?.GetValue<bool>());
        Assert.True(request.Body["stream_options"]?["include_usage"]?.GetValue<bool>());
        Assert.Equal("tiny-server-model", request.Body["model"]?.GetValue<string>());
        AssertMessages(request.Body);
        Assert.Equal(64, request.Body["max_tokens"]?.GetValue<int>()); // a request cannot lift Llm:MaxOutputTokens
        Assert.Equal("Bearer no-key", request.Authorization); // servers without a key ignore it
    }

    [Fact]
    public async Task A_busy_server_becomes_ModelBusyException_with_its_retry_after_and_is_not_retried()
    {
        await using var server = new FakeOpenAiServer { BusyRetryAfterSeconds = 7 };
        using var model = new OpenAiCompatibleLanguageModel(Options(server));

        var busy = await Assert.ThrowsAsync<ModelBusyException>(() => model.Client.GetResponseAsync(Question));
        var streamingBusy = await Assert.ThrowsAsync<ModelBusyException>(async () =>
        {
            await foreach (var _ in model.Client.GetStreamingResponseAsync(Question))
            {
            }
        });

        Assert.Equal(TimeSpan.FromSeconds(7), busy.RetryAfter);
        Assert.Equal(TimeSpan.FromSeconds(7), streamingBusy.RetryAfter);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public void CountTokens_is_a_conservative_estimate()
    {
        using var model = new OpenAiCompatibleLanguageModel(new LlmOptions
        {
            Provider = LlmProviders.OpenAi,
            Endpoint = "http://127.0.0.1:9/v1",
            Model = "m",
        });

        Assert.Equal(0, model.CountTokens(""));
        Assert.Equal(1, model.CountTokens("a"));
        Assert.Equal(4, model.CountTokens("hello world")); // 11 ASCII characters → ceil(11 / 3)
        Assert.Equal(2, model.CountTokens("日本")); // one per non-ASCII character
        // Errs high against real tokenizers for English: ~4 characters per token.
        var text = string.Concat(Enumerable.Repeat("The harbour opens at six in the morning. ", 20));
        Assert.True(model.CountTokens(text) >= text.Length / 4);
    }

    private static void AssertMessages(JsonObject body)
    {
        var messages = body["messages"]!.AsArray();
        Assert.Equal(2, messages.Count);
        Assert.Equal("system", messages[0]!["role"]!.GetValue<string>());
        Assert.Equal("Answer from the sources.", ContentText(messages[0]!));
        Assert.Equal("user", messages[1]!["role"]!.GetValue<string>());
        Assert.Equal("When does the harbour open?", ContentText(messages[1]!));
    }

    // OpenAI's format allows a string or an array of content parts; the SDK may send either.
    private static string ContentText(JsonNode message) => message["content"] switch
    {
        JsonValue value => value.GetValue<string>(),
        JsonArray parts => string.Concat(parts.Select(p => p!["text"]?.GetValue<string>())),
        _ => "",
    };

    [Fact]
    public async Task A_redirect_from_the_model_server_is_an_error_and_the_prompt_never_reaches_the_other_host()
    {
        var elsewhere = 0;
        await using var otherHost = LoopbackHttpServer.Start(context =>
        {
            Interlocked.Increment(ref elsewhere);
            return LoopbackHttpServer.WriteAsync(context.Response, "{}");
        });
        await using var redirecting = LoopbackHttpServer.Start(context =>
        {
            // 307 keeps the method and body: a client that followed it would POST the whole prompt to the other host.
            context.Response.StatusCode = 307;
            context.Response.RedirectLocation = otherHost.BaseUrl + "/v1/chat/completions";
            return Task.CompletedTask;
        });
        using var model = new OpenAiCompatibleLanguageModel(new LlmOptions
        {
            Provider = LlmProviders.OpenAi, Endpoint = redirecting.BaseUrl + "/v1", Model = "tiny-server-model", ApiKey = "local-secret",
            ContextSize = 8192, MaxOutputTokens = 64, RequestTimeoutSeconds = 30,
        });

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => model.Client.GetResponseAsync(Question));

        Assert.IsNotType<ModelBusyException>(refused);
        Assert.Equal(0, Volatile.Read(ref elsewhere));
    }
}
