using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Lode.Chat.Models;
using Lode.Functions.Http;
using Lode.Retrieval;
using Lode.Tests.Audit;
using Lode.Tests.Chat;
using Lode.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Lode.Tests.Integration;

/// <summary>
/// A model that fails after its first words (<see cref="TroubledModel.Crash"/>), behind the real app: a stream that has
/// started ends with its error event followed by a clean end of the body, on both streaming surfaces. Had the failure
/// gone on to the hosting layer, it would reset the connection, and a reset can discard the client's unread last bytes
/// (the error event itself), so the client would read an IOException or a stream cut short. Repeated, because the reset
/// lost the event only sometimes.
/// </summary>
public sealed class StreamFailureEndTests : IAsyncLifetime
{
    private const int Rounds = 20;
    private const string Question = "How long is payroll kept? " + TroubledModel.Crash;

    private AuditedApp _app = null!;

    public async Task InitializeAsync() => _app = await AuditedApp.StartAsync(services =>
    {
        services.AddSingleton<IRetriever>(new FixedRetriever(FixedRetriever.Chunk("policies/payroll.md", 3, "Payroll records are archived for ten years.")));
        services.AddSingleton<ILanguageModel>(new TroubledModel());
    }, "--Security:RateLimit:PermitsPerMinute=0");

    public async Task DisposeAsync() => await _app.DisposeAsync();

    [Fact]
    public async Task A_stream_that_fails_midway_always_delivers_its_error_event_and_then_ends_cleanly()
    {
        var messages = new[] { new { role = "user", content = Question } };
        for (var round = 1; round <= Rounds; round++)
        {
            // ReadAllAsync reads to the end of the body: a reset instead of a clean end throws here and fails the test.
            var chat = await StreamAsync("api/chat", new { messages, stream = true });
            Assert.Equal(TroubledModel.FirstWords, string.Concat(chat.Where(e => e.Name == "delta").Select(e => Json(e.Data).GetProperty("text").GetString())));
            Assert.Equal("error", chat[^1].Name);
            Assert.Equal("internal_error", ErrorCode(chat[^1].Data));
            Assert.DoesNotContain(chat, e => e.Name == "done");

            var completions = await StreamAsync("v1/chat/completions", new { model = "lode", messages, stream = true });
            Assert.Equal("internal_error", ErrorCode(completions[^1].Data));
            Assert.DoesNotContain(completions, e => e.Data == "[DONE]");
        }

        // Each failure is still logged (no longer by the host, which never sees it), by type and code: never the question.
        var failures = _app.App.Logs.Entries.Where(e => e.Category == typeof(ChatStreaming).FullName).ToList();
        Assert.Equal(2 * Rounds, failures.Count(e => e.Level == LogLevel.Error && e.Message.Contains("internal_error", StringComparison.Ordinal)));
        Assert.DoesNotContain(_app.App.Logs.Entries, e => e.Message.Contains(Question) || e.Exception?.ToString().Contains(Question) == true);
    }

    private async Task<List<(string Name, string Data)>> StreamAsync(string path, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        using var response = await _app.Api.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var events = await ServerSentEventReader.ReadAllAsync(response);
        Assert.NotEmpty(events);
        return events;
    }

    private static JsonElement Json(string data) => JsonDocument.Parse(data).RootElement;

    private static string? ErrorCode(string data) => Json(data).GetProperty("error").GetProperty("code").GetString();
}
