using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Lode.Chat;
using Lode.Functions;
using Lode.Ingestion.Pipeline;
using Lode.Retrieval;
using Lode.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;

namespace Lode.Tests.Integration;

/// <summary>
/// A stack with a tiny real GGUF behind chat, one indexed document, every span the app ends collected in process and
/// every log record kept with its scopes. The Prometheus endpoint needs <see cref="ScrapeToken"/>.
/// </summary>
public sealed class TelemetryStackFixture : IAsyncLifetime
{
    public const string ScrapeToken = "test-scrape-token-0123456789";
    public const string DocumentKey = "finance/expenses.md";

    /// <summary>A sentence only the document holds: no span may carry any of it.</summary>
    public const string DocumentSentence = "Taxi receipts above forty euros need the controller's countersignature.";

    public string ModelPath { get; } = TinyLlamaGguf.WriteTempFile(contextLength: 4096);
    public SpanCollector Spans { get; } = new();
    public ScopedLogs Logs { get; } = new();
    public LodeStack Stack { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Stack = await LodeStack.StartAsync(null, services =>
            {
                services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddProcessor(Spans));
                services.AddSingleton<ILoggerProvider>(Logs);
            },
            "--Llm:Provider=llamasharp", $"--Llm:ModelPath={ModelPath}", "--Llm:ContextSize=4096", "--Llm:MaxOutputTokens=16",
            "--Llm:Seed=42", "--Llm:Threads=1",
            $"--Telemetry:PrometheusToken={ScrapeToken}", "--Telemetry:BacklogRefreshSeconds=1",
            // Records written inside requests and jobs, to check they carry the trace id.
            "--Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics=Information", "--Logging:LogLevel:Lode=Information");
        await Stack.PutAsync(DocumentKey, Encoding.UTF8.GetBytes($"# Expenses\n\n{DocumentSentence} Hotel bills go to travel desk."), "text/markdown");
        await Stack.WaitForStatusAsync(DocumentKey, "indexed");
    }

    public async Task DisposeAsync()
    {
        await Stack.DisposeAsync();
        File.Delete(ModelPath);
    }
}

/// <summary>Metrics at GET metrics, spans and log correlation, from a real stack doing real work.</summary>
public sealed class TelemetryTests(TelemetryStackFixture fixture) : IClassFixture<TelemetryStackFixture>, IDisposable
{
    private const string Question = "Which receipts need a countersignature from the controller?";

    // A scraper sends its own token only (the stack's client sends the API key on every request).
    private readonly HttpClient _scraper = new() { BaseAddress = fixture.Stack.Api.BaseAddress };

    // A caller from elsewhere whose traceparent arrives as sent: this process's own HttpClient tracing (the app's,
    // since the test runs in the same process) would otherwise replace it with a span of its own.
    private readonly HttpClient _tracedCaller = new(new SocketsHttpHandler { ActivityHeadersPropagator = null })
    {
        BaseAddress = fixture.Stack.Api.BaseAddress,
        DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", LodeStack.ApiKey) },
    };

    private LodeStack Stack => fixture.Stack;
    private SpanCollector Spans => fixture.Spans;

    [Fact]
    public async Task A_scrape_after_indexing_shows_step_durations_queue_depth_documents_by_status_and_http_requests()
    {
        var text = await ScrapeUntilAsync(t => Regex.IsMatch(t, Series("lode_documents", @"status=""indexed""") + " [1-9]"));

        foreach (var step in new[] { "fetch", "extract", "chunk", "embed", "store" })
            Assert.Matches(Series("lode_ingest_step_duration_seconds_count", $@"step=""{step}""") + " [1-9]", text);
        Assert.Matches(Series("lode_ingest_queue_depth") + @" \d+", text);
        Assert.Matches(Series("lode_ingest_queue_oldest_age_seconds") + @" \d", text);
        Assert.Matches(Series("lode_documents", @"status=""failed""") + " 0", text);
        Assert.Matches(Series("lode_ingest_documents_total", @"outcome=""indexed""") + " [1-9]", text);
        Assert.Matches(Series("http_server_request_duration_seconds_count", @"http_route=""api/documents/\{bucket\}/\{\*key\}""") + " [1-9]", text);
    }

    [Fact]
    public async Task Search_and_chat_record_retrieval_chat_and_model_latency_and_model_speed()
    {
        using (var search = await Stack.Api.PostAsJsonAsync("api/search", new { query = "taxi receipts" })) search.EnsureSuccessStatusCode();
        var answer = await AskAsync(Question);
        Assert.Equal("generated", answer.GetProperty("mode").GetString());

        var text = await ScrapeUntilAsync(t => Regex.IsMatch(t, Series("lode_chat_duration_seconds_count", @"mode=""generated""") + " [1-9]"));

        Assert.Matches(Series("lode_retrieval_duration_seconds_count", @"mode=""hybrid""") + @" ([2-9]|[1-9]\d+)\b", text);
        Assert.Matches(Series("lode_chat_time_to_first_token_seconds_count", @"mode=""generated""") + " [1-9]", text);
        Assert.Matches(Series("lode_llm_time_to_first_token_seconds_count") + " [1-9]", text);
        Assert.Matches(Series("lode_llm_generation_duration_seconds_count") + " [1-9]", text);
        Assert.Matches(Series("lode_llm_tokens_total", @"type=""output""") + " [1-9]", text);
        Assert.Matches(Series("lode_llm_tokens_total", @"type=""input""") + " [1-9]", text);
        Assert.Matches(Series("lode_llm_output_speed_per_second_count") + " [1-9]", text);
    }

    [Fact]
    public async Task A_scrape_needs_the_configured_token()
    {
        // No token, a wrong one, and an API key that is good everywhere else.
        foreach (var token in new[] { null, "not-the-scrape-token-0123456789", LodeStack.ApiKey })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, PrometheusMetrics.Route);
            if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var refused = await _scraper.SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
            Assert.Contains("Bearer", refused.Headers.WwwAuthenticate.ToString());
        }

        using var scraped = await ScrapeAsync();
        Assert.Equal(HttpStatusCode.OK, scraped.StatusCode);
        Assert.Equal("text/plain", scraped.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task An_ingestion_job_is_a_span_with_one_child_span_per_step_and_the_steps_calls_nest_under_them()
    {
        var job = await Spans.WaitForAsync(a => a.OperationName == IngestTracing.JobSpanName
            && Equals(a.GetTagItem("lode.key"), TelemetryStackFixture.DocumentKey) && Equals(a.GetTagItem("lode.ingest.outcome"), "indexed"));

        var children = Spans.Ended.Where(a => a.TraceId == job.TraceId && a.ParentSpanId == job.SpanId).ToList();
        var steps = children.Where(a => a.OperationName.StartsWith(IngestTracing.StepSpanPrefix, StringComparison.Ordinal)).ToList();
        Assert.Equal(["lode.ingest.fetch", "lode.ingest.extract", "lode.ingest.chunk", "lode.ingest.embed", "lode.ingest.store"],
            steps.OrderBy(a => a.StartTimeUtc).Select(a => a.OperationName));
        Assert.All(steps, step => Assert.NotEqual(ActivityStatusCode.Error, step.Status));
        Assert.Equal(LodeStack.Bucket, job.GetTagItem("lode.bucket"));

        // The object's download is an HTTP call under the fetch step; the index write is SQL under the store step.
        var fetch = steps.Single(a => a.OperationName == "lode.ingest.fetch");
        var store = steps.Single(a => a.OperationName == "lode.ingest.store");
        Assert.Contains(Spans.Ended, a => a.ParentSpanId == fetch.SpanId && a.Kind == ActivityKind.Client && a.GetTagItem("http.request.method") is "GET");
        Assert.Contains(Spans.Ended, a => a.ParentSpanId == store.SpanId && a.Source.Name == "Npgsql");
    }

    [Fact]
    public async Task A_chat_request_span_holds_the_answer_span_with_its_retrieval_and_generation()
    {
        var traceId = ActivityTraceId.CreateRandom();
        await AskAsync(Question, traceId);

        var answer = await Spans.WaitForAsync(a => a.TraceId == traceId && a.OperationName == ChatTelemetry.AnswerSpanName);
        var server = Assert.Single(Spans.Ended, a => a.TraceId == traceId && a.Kind == ActivityKind.Server);
        var retrieval = Assert.Single(Spans.Ended, a => a.TraceId == traceId && a.OperationName == RetrievalTelemetry.SpanName);
        var generation = Assert.Single(Spans.Ended, a => a.TraceId == traceId && a.OperationName == ChatTelemetry.GenerationSpanName);

        Assert.Equal("api/chat", server.GetTagItem("http.route"));
        Assert.Equal(server.SpanId, answer.ParentSpanId);
        Assert.Equal(answer.SpanId, retrieval.ParentSpanId);
        Assert.Equal(answer.SpanId, generation.ParentSpanId);
        Assert.Equal("generated", answer.GetTagItem("lode.chat.mode"));
        Assert.True((int)generation.GetTagItem("gen_ai.usage.output_tokens")! > 0);
        Assert.Equal(ActivityStatusCode.Unset, answer.Status);
    }

    [Fact]
    public async Task No_span_carries_document_text_or_the_question()
    {
        var searchTrace = ActivityTraceId.CreateRandom();
        var chatTrace = ActivityTraceId.CreateRandom();
        await PostTracedAsync("api/search", new { query = Question }, searchTrace);
        await AskAsync(Question, chatTrace);
        foreach (var traceId in new[] { searchTrace, chatTrace })
        {
            await Spans.WaitForAsync(a => a.TraceId == traceId && a.Kind == ActivityKind.Server);
            Assert.Contains(Spans.Ended, a => a.TraceId == traceId && a.OperationName == RetrievalTelemetry.SpanName);
        }

        string[] secrets = ["countersignature", "receipts", "Taxi", "Hotel", Stack.Api.DefaultRequestHeaders.Authorization!.Parameter!];
        var values = Spans.Ended.SelectMany(a => a.TagObjects.Select(t => (Span: a.OperationName, t.Key, Value: Text(t.Value)))
            .Concat(a.Events.SelectMany(e => e.Tags.Select(t => (Span: a.OperationName, t.Key, Value: Text(t.Value)))))
            .Append((Span: a.OperationName, Key: "name", Value: a.DisplayName))).ToList();
        Assert.NotEmpty(values);
        Assert.All(values, v => Assert.DoesNotContain(secrets, s => v.Value.Contains(s, StringComparison.OrdinalIgnoreCase)));
    }

    [Fact]
    public async Task Logs_written_while_serving_a_request_or_running_a_job_carry_its_trace_id()
    {
        var traceId = ActivityTraceId.CreateRandom();
        using (var request = new HttpRequestMessage(HttpMethod.Get, LodeStack.DocumentPath(TelemetryStackFixture.DocumentKey)))
        {
            request.Headers.Add("traceparent", TraceParent(traceId));
            using var response = await _tracedCaller.SendAsync(request);
            response.EnsureSuccessStatusCode();
        }

        var requestLogs = fixture.Logs.Entries.Where(e => e.Category == "Microsoft.AspNetCore.Hosting.Diagnostics"
            && e.Message.Contains(TelemetryStackFixture.DocumentKey.Split('/')[0], StringComparison.Ordinal)
            && Equals(e.Scope.GetValueOrDefault("TraceId"), traceId.ToHexString())).ToList();
        Assert.NotEmpty(requestLogs);

        var job = await Spans.WaitForAsync(a => a.OperationName == IngestTracing.JobSpanName
            && Equals(a.GetTagItem("lode.key"), TelemetryStackFixture.DocumentKey) && Equals(a.GetTagItem("lode.ingest.outcome"), "indexed"));
        var indexed = Assert.Single(fixture.Logs.Entries,
            e => e.Message.StartsWith($"Indexed {LodeStack.Bucket}/{TelemetryStackFixture.DocumentKey}:", StringComparison.Ordinal));
        Assert.Equal(job.TraceId.ToHexString(), indexed.Scope.GetValueOrDefault("TraceId"));
        Assert.Equal(job.SpanId.ToHexString(), indexed.Scope.GetValueOrDefault("SpanId"));
    }

    public void Dispose()
    {
        _scraper.Dispose();
        _tracedCaller.Dispose();
    }

    private Task<JsonElement> AskAsync(string question, ActivityTraceId? traceId = null) =>
        PostTracedAsync("api/chat", new { messages = new[] { new { role = "user", content = question } } }, traceId ?? ActivityTraceId.CreateRandom());

    private async Task<JsonElement> PostTracedAsync(string path, object body, ActivityTraceId traceId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Add("traceparent", TraceParent(traceId));
        using var response = await _tracedCaller.SendAsync(request);
        response.EnsureSuccessStatusCode();
        return await response.Content.ReadFromJsonAsync<JsonElement>();
    }

    private async Task<HttpResponseMessage> ScrapeAsync()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, PrometheusMetrics.Route);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", TelemetryStackFixture.ScrapeToken);
        return await _scraper.SendAsync(request);
    }

    // The exporter caches a scrape briefly and the database gauges for a second: poll until the expected series shows.
    private async Task<string> ScrapeUntilAsync(Func<string, bool> done)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            using var response = await ScrapeAsync();
            response.EnsureSuccessStatusCode();
            var text = await response.Content.ReadAsStringAsync();
            if (done(text)) return text;
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"The expected series did not appear:\n{text}");
            await Task.Delay(200);
        }
    }

    private static string TraceParent(ActivityTraceId traceId) => $"00-{traceId.ToHexString()}-{ActivitySpanId.CreateRandom().ToHexString()}-01";

    /// <summary>A Prometheus sample line's start: the name, and labels that include <paramref name="label"/> if given.</summary>
    private static string Series(string name, string? label = null) =>
        label is null ? $@"(?m)^{name}(\{{[^}}]*\}})?" : $@"(?m)^{name}\{{([^}}]*,)?{label}(,[^}}]*)?\}}";

    private static string Text(object? value) => value switch
    {
        null => "",
        string s => s,
        System.Collections.IEnumerable items => string.Join(" ", items.Cast<object?>()),
        _ => value.ToString() ?? "",
    };
}
