using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Lode.Audit;
using Lode.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Lode.Tests.Audit;

/// <summary>A real stack with two indexed documents, logging at Information, and a second caller ("pager").</summary>
public sealed class AuditedStackFixture : IAsyncLifetime
{
    public const string FieldGuide = "guides/field-guide.md";
    public const string Canteen = "notes/canteen.md";
    public const string Pager = "pager";
    public const string PagerKey = "audit-pager-key-0123456789";

    public LodeStack Stack { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Stack = await LodeStack.StartAsync(extraArgs:
            ["--Logging:LogLevel:Default=Information", .. TestReaders.ApiKeyArgs(Pager, PagerKey, TestReaders.Group)]);
        await Stack.PutFileAsync(FieldGuide, "field-guide.md", "text/markdown");
        await Stack.PutAsync(Canteen, Encoding.UTF8.GetBytes("""
            # Canteen

            The canteen serves lunch from noon until two o'clock. On Fridays it closes early, at half past one.
            """), "text/markdown");
        await Stack.WaitForStatusAsync(FieldGuide, "indexed");
        await Stack.WaitForStatusAsync(Canteen, "indexed");
    }

    public async Task DisposeAsync() => await Stack.DisposeAsync();
}

/// <summary>Every surface records who asked what, which documents answered and how long the answer was; admins read it back.</summary>
public sealed class AuditTrailTests(AuditedStackFixture fixture) : IClassFixture<AuditedStackFixture>
{
    private LodeStack Stack => fixture.Stack;

    private static object Chat(string question, bool stream = false) =>
        new { messages = new[] { new { role = "user", content = question } }, stream };

    private async Task<AuditEvent> RowOfAsync(string question)
    {
        var rows = await Stack.App.Services.GetRequiredService<AuditLog>().QueryAsync(new AuditQuery(), null, 1000, default);
        return Assert.Single(rows, r => r.Question == question);
    }

    private static List<AuditSource> CitedIn(JsonElement citations) => citations.EnumerateArray()
        .Select(c => new AuditSource(c.GetProperty("bucket").GetString()!, c.GetProperty("key").GetString()!, c.GetProperty("page").GetInt32()))
        .Distinct().ToList();

    private HttpClient Client(string? key)
    {
        var client = new HttpClient { BaseAddress = Stack.Api.BaseAddress };
        if (key is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", key);
        return client;
    }

    [Fact]
    public async Task A_chat_answer_is_recorded_with_the_caller_the_cited_documents_and_the_answer_length()
    {
        const string question = "Which birds wade through the shallow water?";

        using var response = await Stack.Api.PostAsJsonAsync("api/chat", Chat(question));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();

        var row = await RowOfAsync(question);
        Assert.Equal(("tests", "api-key", AuditSurfaces.Chat, AuditOutcomes.Ok, "extractive"),
            (row.Caller, row.AuthMethod, row.Surface, row.Outcome, row.AnswerMode));
        Assert.Equal(TestReaders.Staff, row.CallerGroups);
        Assert.Equal(body.GetProperty("answer").GetString()!.Length, row.AnswerChars);
        Assert.Null(row.Answer); // the default retention keeps questions only
        var cited = CitedIn(body.GetProperty("citations"));
        Assert.Contains(cited, s => s.Key == AuditedStackFixture.FieldGuide);
        Assert.Equal(cited, row.Sources);
        // Stored as the documented JSON: an array of {bucket, key, page}.
        var stored = await Stack.Database.ScalarAsync<string>("SELECT sources::text FROM audit_events WHERE id = $1", row.Id);
        var first = JsonDocument.Parse(stored).RootElement[0];
        Assert.Equal(cited[0], new AuditSource(first.GetProperty("bucket").GetString()!, first.GetProperty("key").GetString()!, first.GetProperty("page").GetInt32()));
    }

    [Fact]
    public async Task A_search_is_recorded_with_the_documents_it_returned()
    {
        const string question = "When does the canteen close on Fridays?";

        using var response = await Stack.Api.PostAsJsonAsync("api/search", new { query = question, top = 5 });
        var results = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results");

        var row = await RowOfAsync(question);
        Assert.Equal((AuditSurfaces.Search, AuditOutcomes.Ok, (int?)null, (string?)null), (row.Surface, row.Outcome, row.AnswerChars, row.AnswerMode));
        var returned = CitedIn(results);
        Assert.Contains(returned, s => s.Key == AuditedStackFixture.Canteen);
        Assert.Equal(returned, row.Sources);
    }

    [Fact]
    public async Task A_streamed_chat_answer_is_recorded_once_when_it_completes()
    {
        const string question = "Until when is lunch served in the canteen?";
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/chat") { Content = JsonContent.Create(Chat(question)) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));

        using var response = await Stack.Api.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var events = await ServerSentEventReader.ReadAllAsync(response);

        var done = JsonDocument.Parse(events.Single(e => e.Name == "done").Data).RootElement;
        var row = await RowOfAsync(question);
        Assert.Equal((AuditSurfaces.Chat, AuditOutcomes.Ok), (row.Surface, row.Outcome));
        Assert.Equal(done.GetProperty("answer").GetString()!.Length, row.AnswerChars);
        Assert.Equal(CitedIn(done.GetProperty("citations")), row.Sources);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task OpenAI_chat_completions_are_recorded_under_their_own_surface(bool stream)
    {
        var question = $"What does the canteen serve at noon (stream {stream})?";

        using var response = await Stack.Api.PostAsJsonAsync("v1/chat/completions",
            new { model = "lode", messages = new[] { new { role = "user", content = question } }, stream });
        response.EnsureSuccessStatusCode();
        if (stream) await ServerSentEventReader.ReadAllAsync(response);

        var row = await RowOfAsync(question);
        Assert.Equal((AuditSurfaces.OpenAiChatCompletions, AuditOutcomes.Ok, "tests"), (row.Surface, row.Outcome, row.Caller));
        Assert.Contains(row.Sources, s => s.Key == AuditedStackFixture.Canteen);
        Assert.True(row.AnswerChars > 0);
    }

    /// <summary>
    /// PostgreSQL text holds no NUL: a question carrying one (valid JSON, <c>\u0000</c>) made the row's INSERT fail, and
    /// with the default <c>Audit:Required=false</c> the question was answered with no row at all: any caller could
    /// search or chat off the record. The row keeps the question as it was searched (NUL as a space).
    /// </summary>
    [Theory]
    [InlineData("api/search", false)]
    [InlineData("api/chat", false)]
    [InlineData("api/chat", true)]
    [InlineData("v1/chat/completions", false)]
    [InlineData("v1/chat/completions", true)]
    public async Task A_question_holding_a_NUL_character_is_answered_and_recorded(string route, bool stream)
    {
        var asked = $"When does the canteen\u0000 close ({route}, stream {stream})?";
        object body = route switch
        {
            "api/search" => new { query = asked },
            "api/chat" => Chat(asked, stream),
            _ => new { model = "lode", messages = new[] { new { role = "user", content = asked } }, stream },
        };

        using var response = await Stack.Api.PostAsJsonAsync(route, body);
        response.EnsureSuccessStatusCode();
        if (stream) await ServerSentEventReader.ReadAllAsync(response);

        var row = await RowOfAsync(asked.Replace('\0', ' '));
        Assert.Equal((AuditOutcomes.Ok, "tests"), (row.Outcome, row.Caller));
        Assert.Contains(row.Sources, s => s.Key == AuditedStackFixture.Canteen);
    }

    [Fact]
    public async Task The_admin_endpoint_pages_newest_first_and_filters_by_caller_surface_and_time()
    {
        using var pager = Client(AuditedStackFixture.PagerKey);
        using var admin = Client(LodeStack.AdminApiKey);
        for (var i = 1; i <= 5; i++) (await pager.PostAsJsonAsync("api/search", new { query = $"pager question {i}" })).EnsureSuccessStatusCode();
        (await pager.PostAsJsonAsync("api/chat", Chat("pager question 6"))).EnsureSuccessStatusCode();

        async Task<(List<JsonElement> Events, string? Next)> PageAsync(string query)
        {
            var body = await admin.GetFromJsonAsync<JsonElement>($"api/admin/audit?caller={AuditedStackFixture.Pager}&{query}");
            return (body.GetProperty("events").EnumerateArray().ToList(), body.GetProperty("next").GetString());
        }
        static IEnumerable<string?> Questions(IEnumerable<JsonElement> events) => events.Select(e => e.GetProperty("question").GetString());

        var (all, end) = await PageAsync("limit=100");
        Assert.Null(end);
        Assert.Equal(Enumerable.Range(1, 6).Reverse().Select(i => $"pager question {i}"), Questions(all));
        Assert.All(all, e => Assert.Equal(AuditedStackFixture.Pager, e.GetProperty("caller").GetString()));

        var seen = new List<JsonElement>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var (events, next) = await PageAsync("surface=api/search&limit=2" + (cursor is null ? "" : $"&cursor={cursor}"));
            seen.AddRange(events);
            cursor = next;
            pages++;
        }
        while (cursor is not null);
        Assert.Equal(3, pages);
        Assert.Equal(Enumerable.Range(1, 5).Reverse().Select(i => $"pager question {i}"), Questions(seen));

        var pivot = Uri.EscapeDataString(all[2].GetProperty("occurredAt").GetString()!);
        Assert.Equal(Questions(all.Take(3)), Questions((await PageAsync($"from={pivot}")).Events));
        Assert.Equal(Questions(all.Skip(3)), Questions((await PageAsync($"to={pivot}")).Events));
    }

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData(LodeStack.ApiKey, HttpStatusCode.Forbidden)]
    [InlineData(AuditedStackFixture.PagerKey, HttpStatusCode.Forbidden)]
    public async Task The_admin_endpoint_refuses_everyone_but_admins(string? key, HttpStatusCode expected)
    {
        using var client = Client(key);

        using var response = await client.GetAsync("api/admin/audit");

        Assert.Equal(expected, response.StatusCode);
        Assert.DoesNotContain("question", await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("limit=0", "invalid_limit")]
    [InlineData("limit=1001", "invalid_limit")]
    [InlineData("cursor=bm90LWEtY3Vyc29y", "invalid_cursor")]
    [InlineData("cursor=WyJ5ZXN0ZXJkYXkiLCIxIl0", "invalid_cursor")]
    [InlineData("from=last-tuesday", "invalid_time")]
    public async Task The_admin_endpoint_rejects_bad_parameters(string query, string code)
    {
        using var admin = Client(LodeStack.AdminApiKey);

        using var response = await admin.GetAsync($"api/admin/audit?{query}");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(code, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("error").GetProperty("code").GetString());
    }

    [Fact]
    public async Task Questions_never_reach_the_logs()
    {
        const string question = "Is the heron society secretly funded by the canteen?";
        using var request = new HttpRequestMessage(HttpMethod.Post, "api/chat") { Content = JsonContent.Create(Chat(question, stream: true)) };
        using (var streamed = await Stack.Api.SendAsync(request, HttpCompletionOption.ResponseHeadersRead)) await ServerSentEventReader.ReadAllAsync(streamed);
        (await Stack.Api.PostAsJsonAsync("api/chat", Chat(question))).EnsureSuccessStatusCode();
        (await Stack.Api.PostAsJsonAsync("api/search", new { query = question })).EnsureSuccessStatusCode();
        (await Stack.Api.PostAsJsonAsync("v1/chat/completions", new { model = "lode", messages = new[] { new { role = "user", content = question } } })).EnsureSuccessStatusCode();

        var logs = Stack.App.Logs.Entries.ToList();
        Assert.Contains(logs, e => e.Level == LogLevel.Information); // the app does log at this level here
        Assert.DoesNotContain(logs, e => e.Message.Contains("heron society secretly") || e.Exception?.ToString().Contains("heron society secretly") == true);
        Assert.Equal(4, (await Stack.App.Services.GetRequiredService<AuditLog>().QueryAsync(new AuditQuery(), null, 1000, default)).Count(r => r.Question == question));
    }
}
