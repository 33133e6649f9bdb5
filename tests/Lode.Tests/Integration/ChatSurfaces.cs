using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Lode.Chat.Answering;
using Lode.Tests.Support;
using Lode.Tests.Teams;

namespace Lode.Tests.Integration;

/// <summary>
/// One request on each chat surface of a running app (api/chat as JSON or SSE, v1/chat/completions as JSON or as a
/// chunk stream, the Teams webhook): each sends its request, asserts the response is a complete, well-formed success
/// for its surface, and returns the answer text (what a caller would show) so that answers can be compared.
/// </summary>
internal static class ChatSurfaces
{
    public static async Task<string> ApiChatAsync(HttpClient api, string question, int maxTokens)
    {
        using var response = await api.PostAsJsonAsync("api/chat", Question(question, maxTokens, stream: false));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("generated", body.GetProperty("mode").GetString());
        // Only the sources the answer cites are listed, and a random-weight model's answer may cite none.
        Assert.Equal(JsonValueKind.Array, body.GetProperty("citations").ValueKind);
        AssertUsage(body.GetProperty("usage"), "promptTokens", "completionTokens", maxTokens);
        return NonEmpty(body.GetProperty("answer").GetString());
    }

    public static async Task<string> ApiChatStreamAsync(HttpClient api, string question, int maxTokens, string citedKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/chat") { Content = JsonContent.Create(Question(question, maxTokens, stream: true)) };
        using var response = await api.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = await ServerSentEventReader.ReadAllAsync(response);

        Assert.Equal("citations", events[0].Name);
        Assert.Contains(citedKey, events[0].Data);
        Assert.DoesNotContain(events, e => e.Name == "error");
        Assert.Equal("done", events[^1].Name);
        var done = JsonDocument.Parse(events[^1].Data).RootElement;
        Assert.Equal("generated", done.GetProperty("mode").GetString());
        AssertUsage(done.GetProperty("usage"), "promptTokens", "completionTokens", maxTokens);
        var streamed = string.Concat(events.Where(e => e.Name == "delta").Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("text").GetString()));
        Assert.Equal(done.GetProperty("answer").GetString(), streamed);
        return NonEmpty(streamed);
    }

    public static async Task<string> OpenAiAsync(HttpClient api, string question, int maxTokens)
    {
        using var response = await api.PostAsJsonAsync("v1/chat/completions", OpenAiQuestion(question, maxTokens, stream: false));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("chat.completion", body.GetProperty("object").GetString());
        var choice = body.GetProperty("choices")[0];
        Assert.Equal("assistant", choice.GetProperty("message").GetProperty("role").GetString());
        Assert.Contains(choice.GetProperty("finish_reason").GetString(), new[] { "stop", "length" });
        AssertUsage(body.GetProperty("usage"), "prompt_tokens", "completion_tokens", maxTokens);
        return NonEmpty(choice.GetProperty("message").GetProperty("content").GetString());
    }

    public static async Task<string> OpenAiStreamAsync(HttpClient api, string question, int maxTokens)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/chat/completions") { Content = JsonContent.Create(OpenAiQuestion(question, maxTokens, stream: true)) };
        using var response = await api.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = await ServerSentEventReader.ReadAllAsync(response);

        Assert.Equal("[DONE]", events[^1].Data);
        var chunks = events.SkipLast(1).Select(e => JsonDocument.Parse(e.Data).RootElement).ToList();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        Assert.Contains(chunks, c => c.GetProperty("choices").EnumerateArray().Any(choice =>
            choice.GetProperty("finish_reason").GetString() is "stop" or "length"));
        var usage = Assert.Single(chunks, c => c.TryGetProperty("usage", out _)).GetProperty("usage");
        AssertUsage(usage, "prompt_tokens", "completion_tokens", maxTokens);
        var content = string.Concat(chunks.SelectMany(c => c.GetProperty("choices").EnumerateArray())
            .Select(choice => choice.GetProperty("delta").TryGetProperty("content", out var text) ? text.GetString() : null));
        return NonEmpty(content);
    }

    /// <summary>A question from Teams, signed with the webhook's security token as Teams signs it.</summary>
    public static async Task<string> TeamsAsync(HttpClient teams, string securityToken, string aadObjectId, string question)
    {
        var body = TeamsWebhook.Message(aadObjectId, question);
        using var response = await teams.SendAsync(TeamsWebhook.Post(body, TeamsWebhook.Sign(securityToken, body)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var reply = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("message", reply.GetProperty("type").GetString());
        var text = NonEmpty(reply.GetProperty("text").GetString());
        // A model answer, not the passages Teams falls back to when the model is busy or too slow.
        Assert.DoesNotContain(ExtractiveAnswerer.BusyLabel, text);
        Assert.DoesNotContain(ExtractiveAnswerer.TooSlowLabel, text);
        Assert.DoesNotContain(ExtractiveAnswerer.Label, text);
        return text;
    }

    public static object Question(string text, int maxTokens, bool stream) => new
    {
        messages = new[] { new { role = "user", content = text } },
        stream,
        maxTokens,
    };

    public static object OpenAiQuestion(string text, int maxTokens, bool stream) => new
    {
        model = "lode",
        messages = new[] { new { role = "user", content = text } },
        stream,
        stream_options = stream ? new { include_usage = true } : null,
        max_tokens = maxTokens,
    };

    private static void AssertUsage(JsonElement usage, string prompt, string completion, int maxTokens)
    {
        Assert.True(usage.GetProperty(prompt).GetInt32() > 0, $"{prompt} should count the prompt");
        Assert.InRange(usage.GetProperty(completion).GetInt32(), 1, maxTokens);
    }

    private static string NonEmpty(string? text)
    {
        Assert.False(string.IsNullOrWhiteSpace(text), "the answer is empty");
        return text!;
    }
}
