using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Lode.Audit;
using Lode.Chat.Models;
using Lode.Retrieval;
using Lode.Tests.Chat;
using Lode.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Lode.Tests.Audit;

/// <summary>
/// Two apps answering from one fixed source with a <see cref="TroubledModel"/>, keeping question and answer text:
/// one with the default <c>Audit:Required=false</c>, one failing closed.
/// </summary>
public sealed class TroubledAppsFixture : IAsyncLifetime
{
    public static readonly AuditSource Source = new("docs", "policies/payroll.md", 3);

    public AuditedApp Lenient { get; private set; } = null!;
    public AuditedApp Strict { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Lenient = await StartAsync();
        Strict = await StartAsync("--Audit:Required=true");
    }

    private static Task<AuditedApp> StartAsync(params string[] settings) => AuditedApp.StartAsync(services =>
    {
        services.AddSingleton<IRetriever>(new FixedRetriever(FixedRetriever.Chunk(Source.Key, Source.Page, "Payroll records are archived for ten years.")));
        services.AddSingleton<ILanguageModel>(new TroubledModel());
    }, ["--Audit:TextRetention=question-and-answer", .. settings]);

    public async Task DisposeAsync()
    {
        await Lenient.DisposeAsync();
        await Strict.DisposeAsync();
    }
}

/// <summary>Answers that end badly are recorded with how they ended; and what happens when the trail cannot be written.</summary>
public sealed class AuditOutcomeTests(TroubledAppsFixture fixture) : IClassFixture<TroubledAppsFixture>
{
    private static object Chat(string question, bool stream = false) =>
        new { messages = new[] { new { role = "user", content = question } }, stream };

    private static object Completion(string question, bool stream = false) =>
        new { model = "lode", messages = new[] { new { role = "user", content = question } }, stream };

    /// <summary>Posts a streamed api/chat question; the response is returned as soon as its headers are in.</summary>
    private static Task<HttpResponseMessage> StreamAsync(AuditedApp app, string question) =>
        app.Api.SendAsync(new HttpRequestMessage(HttpMethod.Post, "api/chat") { Content = JsonContent.Create(Chat(question, stream: true)) },
            HttpCompletionOption.ResponseHeadersRead);

    /// <summary>Starts a streamed api/chat answer and reads it up to its first text.</summary>
    private static async Task<HttpResponseMessage> StreamUntilFirstTextAsync(AuditedApp app, string question)
    {
        var response = await StreamAsync(app, question);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        while (await reader.ReadLineAsync() is { } line)
        {
            if (line == "event: delta") return response;
        }
        throw new InvalidOperationException("The stream ended before any text.");
    }

    private static async Task<AuditEvent> WaitForRowAsync(AuditedApp app, string question, Func<AuditEvent, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var rows = (await app.RowsAsync()).Where(r => r.Question == question).ToList();
            if (rows.Count > 1) Assert.Fail($"{rows.Count} rows for one question.");
            if (rows is [var row] && done(row)) return row;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"No finished audit row for '{question}'; rows: {string.Join(", ", rows)}");
            await Task.Delay(100);
        }
    }

    /// <summary>Makes every insert into audit_events fail (a CHECK the rows cannot pass) until disposed.</summary>
    private static async Task<IAsyncDisposable> BreakTheTrailAsync(AuditedApp app)
    {
        await app.Database.ExecuteAsync("ALTER TABLE audit_events ADD CONSTRAINT tests_refuse_rows CHECK (false) NOT VALID");
        return new Restore(app.Database);
    }

    private sealed class Restore(TestDatabase database) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await database.ExecuteAsync("ALTER TABLE audit_events DROP CONSTRAINT tests_refuse_rows");
    }

    private static void AssertNeverLogged(AuditedApp app, string question) =>
        Assert.DoesNotContain(app.App.Logs.Entries, e => e.Message.Contains(question) || e.Exception?.ToString().Contains(question) == true);

    [Fact]
    public async Task A_stream_the_caller_leaves_is_recorded_as_cancelled_with_the_text_sent()
    {
        var app = fixture.Lenient;
        var question = $"How long is payroll kept? {TroubledModel.Hang}";

        using (await StreamUntilFirstTextAsync(app, question))
        {
            // Leaving the block closes the connection mid-answer, as a client that goes away does.
        }

        var row = await WaitForRowAsync(app, question, _ => true);
        Assert.Equal(AuditOutcomes.Cancelled, row.Outcome);
        Assert.Equal(TroubledModel.FirstWords, row.Answer);
        Assert.Equal(TroubledModel.FirstWords.Length, row.AnswerChars);
        Assert.Equal(new[] { TroubledAppsFixture.Source }, row.Sources);
    }

    [Fact]
    public async Task A_stream_that_fails_midway_is_recorded_with_its_error_and_the_text_sent()
    {
        var app = fixture.Lenient;
        var question = $"How long is payroll kept? {TroubledModel.Crash}";

        using (var response = await StreamAsync(app, question))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            // The error event ends the stream, and the body then ends cleanly (StreamFailureEndTests).
            await ServerSentEventReader.ReadAllAsync(response);
        }

        var row = await WaitForRowAsync(app, question, _ => true);
        Assert.Equal("internal_error", row.Outcome);
        Assert.Equal(TroubledModel.FirstWords, row.Answer);
        Assert.Equal(AuditSurfaces.Chat, row.Surface);
    }

    [Fact]
    public async Task A_busy_model_is_recorded_with_its_error_code()
    {
        var app = fixture.Lenient;
        var question = $"How long is payroll kept? {TroubledModel.Busy}";

        using var response = await app.Api.PostAsJsonAsync("v1/chat/completions", Completion(question));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        var row = Assert.Single(await app.RowsAsync(), r => r.Question == question);
        Assert.Equal(("model_busy", AuditSurfaces.OpenAiChatCompletions, (string?)null), (row.Outcome, row.Surface, row.Answer));
        Assert.Empty(row.Sources);
    }

    [Fact]
    public async Task When_the_trail_cannot_be_written_the_answer_is_still_given_and_a_warning_logged_without_the_question()
    {
        var app = fixture.Lenient;
        var question = "Who signs off the payroll run?";

        using (var response = await PostWhileBrokenAsync(app, "api/chat", Chat(question)))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(TroubledModel.Reply, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("answer").GetString());
        }

        Assert.Contains(app.App.Logs.Entries, e => e.Category == typeof(AuditLog).FullName && e.Level == LogLevel.Warning
            && e.Message.Contains("could not be written") && e.Message.Contains(AuditedApp.Caller));
        Assert.DoesNotContain(await app.RowsAsync(), r => r.Question == question);
        AssertNeverLogged(app, question);
    }

    [Theory]
    [InlineData("api/chat", false)]
    [InlineData("api/chat", true)]
    [InlineData("v1/chat/completions", false)]
    [InlineData("v1/chat/completions", true)]
    [InlineData("api/search", false)]
    public async Task With_Audit_Required_a_question_that_cannot_be_recorded_gets_503_and_no_answer(string route, bool stream)
    {
        var app = fixture.Strict;
        var question = $"Which bank account receives payroll ({route}, stream {stream})?";
        object body = route switch
        {
            "api/search" => new { query = question },
            "api/chat" => Chat(question, stream),
            _ => Completion(question, stream),
        };

        int AuditErrors() => app.App.Logs.Entries.Count(e => e.Category == typeof(AuditLog).FullName && e.Level == LogLevel.Error);
        var errorsBefore = AuditErrors();

        using var response = await PostWhileBrokenAsync(app, route, body);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal(errorsBefore + 1, AuditErrors()); // refused after one attempt, not tried again on the way out
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var error = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error");
        Assert.Equal("audit_unavailable", error.GetProperty("code").GetString());
        Assert.DoesNotContain("archived", await response.Content.ReadAsStringAsync());
        AssertNeverLogged(app, question);
    }

    [Fact]
    public async Task With_Audit_Required_a_stream_is_recorded_before_its_first_word_and_given_its_outcome_at_the_end()
    {
        var app = fixture.Strict;
        var question = $"How long is payroll kept, strictly? {TroubledModel.Hang}";

        using (await StreamUntilFirstTextAsync(app, question))
        {
            // The model is waiting for ever: only a row written before the stream started can exist now.
            var open = Assert.Single(await app.RowsAsync(), r => r.Question == question);
            Assert.Equal(AuditOutcomes.Streaming, open.Outcome);
            Assert.Equal(new[] { TroubledAppsFixture.Source }, open.Sources);
        }

        var row = await WaitForRowAsync(app, question, r => r.Outcome != AuditOutcomes.Streaming);
        Assert.Equal((AuditOutcomes.Cancelled, TroubledModel.FirstWords), (row.Outcome, row.Answer));
    }

    [Fact]
    public async Task With_Audit_Required_a_completed_stream_leaves_one_row_with_the_whole_answer()
    {
        var app = fixture.Strict;
        var question = "How long is payroll kept, in full?";

        using var response = await StreamAsync(app, question);
        var events = await ServerSentEventReader.ReadAllAsync(response);

        Assert.Equal("done", events[^1].Name);
        var row = Assert.Single(await app.RowsAsync(), r => r.Question == question);
        Assert.Equal((AuditOutcomes.Ok, TroubledModel.Reply, TroubledModel.Reply.Length, "generated"), (row.Outcome, row.Answer, row.AnswerChars, row.AnswerMode));
        Assert.Equal(new[] { TroubledAppsFixture.Source }, row.Sources);
    }

    private static async Task<HttpResponseMessage> PostWhileBrokenAsync(AuditedApp app, string route, object body)
    {
        await using (await BreakTheTrailAsync(app))
        {
            var response = await app.Api.PostAsJsonAsync(route, body);
            await response.Content.LoadIntoBufferAsync();
            return response;
        }
    }
}
