using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Lode.Chat.Models;
using Lode.Tests.LanguageModels;
using Lode.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Lode.Tests.Integration;

/// <summary>
/// The real app with the OpenAI-compatible provider in front of a server that dies in the middle of its answers:
/// callers' streams end with an error event (never hang, never look complete), the failures open the circuit
/// breaker, callers then get 503 + Retry-After without the server being asked, and after the break a probe goes through.
/// The breaker's clock is the test's, so "after the break" does not depend on how fast the machine is.
/// </summary>
public sealed class OpenAiMidStreamFailureTests : IAsyncLifetime
{
    private const int BreakSeconds = 20;
    private const string Document = "hr/leave-policy.md";

    private readonly FakeOpenAiServer _server = new() { CutStreamAfterPieces = 2 };
    private readonly ManualClock _clock = new(DateTimeOffset.UtcNow);
    private LodeStack _stack = null!;

    public async Task InitializeAsync()
    {
        _stack = await LodeStack.StartAsync(null,
            services => services.AddSingleton(sp => new OpenAiCompatibleLanguageModel(
                sp.GetRequiredService<IOptions<LlmOptions>>().Value, timeProvider: _clock)),
            "--Llm:Provider=openai", $"--Llm:Endpoint={_server.BaseUrl}", "--Llm:Model=tiny-server-model",
            "--Llm:ContextSize=8192", "--Llm:MaxOutputTokens=64", "--Llm:RequestTimeoutSeconds=120",
            "--Llm:BreakerMinimumRequests=2", "--Llm:BreakerFailureRatio=0.5", $"--Llm:BreakerBreakSeconds={BreakSeconds}");
        await _stack.PutAsync(Document, Encoding.UTF8.GetBytes(
            "# Leave\n\nEvery employee is entitled to 27 days of annual leave. Requests go to the line manager."), "text/markdown");
        await _stack.WaitForStatusAsync(Document, "indexed");
    }

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task Answers_cut_by_the_server_end_in_an_error_event_open_the_breaker_and_a_probe_after_the_break_goes_through()
    {
        // api/chat: the text that came, then an error event, and no "done".
        var (chatEvents, chatAborted) = await StreamAsync("api/chat", ChatSurfaces.Question("How many days of leave?", 64, stream: true));
        Assert.Equal("citations", chatEvents[0].Name);
        Assert.Equal("The harbour", string.Concat(chatEvents.Where(e => e.Name == "delta")
            .Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("text").GetString())));
        Assert.DoesNotContain(chatEvents, e => e.Name == "done");
        AssertEndsInError(chatEvents, chatAborted, e => e.Name == "error");

        // v1/chat/completions: chunks, then an error payload, and no finish_reason, usage or [DONE].
        var (openAiEvents, openAiAborted) = await StreamAsync("v1/chat/completions", ChatSurfaces.OpenAiQuestion("How many days of leave?", 64, stream: true));
        Assert.DoesNotContain(openAiEvents, e => e.Data == "[DONE]");
        Assert.DoesNotContain(openAiEvents.SkipLast(1), e => e.Data.Contains("\"finish_reason\":\"", StringComparison.Ordinal));
        AssertEndsInError(openAiEvents, openAiAborted, e => e.Data.StartsWith("{\"error\"", StringComparison.Ordinal));

        // Two failures of two: the breaker is open, and callers are refused at once without reaching the server.
        var seen = _server.Requests.Count;
        foreach (var (path, body) in new[]
                 {
                     ("api/chat", ChatSurfaces.Question("How many days of leave?", 64, stream: true)),
                     ("v1/chat/completions", ChatSurfaces.OpenAiQuestion("How many days of leave?", 64, stream: false)),
                 })
        {
            using var refused = await _stack.Api.PostAsJsonAsync(path, body);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.InRange(refused.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(BreakSeconds));
            Assert.Equal("model_busy", (await refused.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetString());
        }

        Assert.Equal(seen, _server.Requests.Count);

        // The server is back; after the break one probe is let through, and its success closes the breaker.
        _server.CutStreamAfterPieces = null;
        _clock.Advance(TimeSpan.FromSeconds(BreakSeconds + 1));
        var (probeEvents, probeAborted) = await StreamAsync("api/chat", ChatSurfaces.Question("How many days of leave?", 64, stream: true));
        Assert.False(probeAborted);
        Assert.Equal("done", probeEvents[^1].Name);
        Assert.Equal(seen + 1, _server.Requests.Count);
        Assert.Contains(FakeOpenAiServer.Answer, await ChatSurfaces.OpenAiAsync(_stack.Api, "How many days of leave?", 64));
    }

    private async Task<(List<(string Name, string Data)> Events, bool Aborted)> StreamAsync(string path, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        using var response = await _stack.Api.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await ServerSentEventReader.ReadUntilClosedAsync(response);
    }

    /// <summary>
    /// The stream ends with an error event followed by a clean end of the body (ChatStreaming completes the response
    /// after the error event rather than resetting the connection, which could discard the event).
    /// </summary>
    private static void AssertEndsInError(List<(string Name, string Data)> events, bool aborted, Func<(string Name, string Data), bool> isError)
    {
        Assert.False(aborted, "the connection was reset instead of ending after the error event");
        Assert.True(isError(events[^1]), $"the stream ended without an error event: {events[^1]}");
        AssertModelFailure(events[^1].Data);
    }

    private static void AssertModelFailure(string data)
    {
        var error = JsonDocument.Parse(data).RootElement.GetProperty("error");
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("code").GetString()));
        Assert.False(string.IsNullOrWhiteSpace(error.GetProperty("message").GetString()));
    }
}
