using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Lode.Tests.Support;

namespace Lode.Tests.LanguageModels;

/// <summary>
/// A stand-in for a remote OpenAI-compatible server (llama.cpp's llama-server, vLLM) on loopback: answers
/// POST /v1/chat/completions in OpenAI's wire format, as one JSON document or as server-sent events, and records
/// every request so tests can check what the client really sent.
/// </summary>
public sealed class FakeOpenAiServer : IAsyncDisposable
{
    public const string Answer = "The harbour opens at six.";
    public static readonly string[] StreamedPieces = ["The", " harbour", " opens", " at", " six."];

    private readonly LoopbackHttpServer _server;

    public FakeOpenAiServer()
    {
        _server = LoopbackHttpServer.Start(HandleAsync);
        BaseUrl = $"{_server.BaseUrl}/v1";
    }

    /// <summary>The endpoint to configure (Llm:Endpoint), with its /v1.</summary>
    public string BaseUrl { get; }

    public ConcurrentQueue<RecordedRequest> Requests { get; } = new();

    /// <summary>When set, every request gets 503 with this Retry-After (seconds), as a saturated server answers.</summary>
    public int? BusyRetryAfterSeconds { get; set; }

    /// <summary>When set, every request fails with this status (a broken server).</summary>
    public int? FailWithStatus { get; set; }

    /// <summary>When set, chat requests wait for it before answering (a server still working on them).</summary>
    public TaskCompletionSource? Hold { get; set; }

    /// <summary>
    /// When set, a streamed answer dies after this many of <see cref="StreamedPieces"/>: the server drops the
    /// connection in the middle of the chunked body, as a server process that crashes or is killed mid-answer does.
    /// </summary>
    public int? CutStreamAfterPieces { get; set; }

    public sealed record RecordedRequest(string Method, string Path, string? Authorization, JsonObject Body);

    private async Task HandleAsync(HttpListenerContext context)
    {
        var response = context.Response;
        using var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8);
        var body = JsonNode.Parse(await reader.ReadToEndAsync()) as JsonObject ?? [];
        Requests.Enqueue(new RecordedRequest(context.Request.HttpMethod, context.Request.Url!.AbsolutePath, context.Request.Headers["Authorization"], body));

        if (context.Request.HttpMethod != "POST" || context.Request.Url.AbsolutePath != "/v1/chat/completions")
        {
            response.StatusCode = 404;
            return;
        }

        if (FailWithStatus is { } status)
        {
            response.StatusCode = status;
            await LoopbackHttpServer.WriteAsync(response, """{"error":{"code":500,"message":"Server failed","type":"server_error"}}""");
            return;
        }

        if (Hold is { } hold)
        {
            await hold.Task;
        }

        if (BusyRetryAfterSeconds is { } retryAfter)
        {
            response.StatusCode = 503;
            response.AddHeader("Retry-After", retryAfter.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await LoopbackHttpServer.WriteAsync(response, """{"error":{"code":503,"message":"Server busy","type":"unavailable_error"}}""");
            return;
        }

        var model = body["model"]?.GetValue<string>() ?? "unknown";
        if (body["stream"]?.GetValue<bool>() == true)
        {
            await StreamAsync(response, model, body["stream_options"]?["include_usage"]?.GetValue<bool>() == true, CutStreamAfterPieces);
        }
        else
        {
            await LoopbackHttpServer.WriteAsync(response, JsonSerializer.Serialize(new
            {
                id = "chatcmpl-fake-1",
                @object = "chat.completion",
                created = 1_700_000_000,
                model,
                choices = new[] { new { index = 0, message = new { role = "assistant", content = Answer }, finish_reason = "stop" } },
                usage = new { prompt_tokens = 21, completion_tokens = 7, total_tokens = 28 },
            }));
        }
    }

    private static async Task StreamAsync(HttpListenerResponse response, string model, bool includeUsage, int? cutAfterPieces)
    {
        response.ContentType = "text/event-stream";
        response.SendChunked = true;
        var stream = response.OutputStream;

        async Task Event(object payload)
        {
            var bytes = Encoding.UTF8.GetBytes("data: " + JsonSerializer.Serialize(payload) + "\n\n");
            await stream.WriteAsync(bytes);
            await stream.FlushAsync();
        }

        object Chunk(object delta, string? finishReason) => new
        {
            id = "chatcmpl-fake-2",
            @object = "chat.completion.chunk",
            created = 1_700_000_000,
            model,
            choices = new[] { new { index = 0, delta, finish_reason = finishReason } },
        };

        await Event(Chunk(new { role = "assistant", content = "" }, null));
        foreach (var (piece, index) in StreamedPieces.Select((piece, index) => (piece, index)))
        {
            if (index == cutAfterPieces)
            {
                response.Abort(); // no terminating chunk, no [DONE]: the connection just ends
                return;
            }

            await Event(Chunk(new { content = piece }, null));
        }

        await Event(Chunk(new { }, "length"));
        if (includeUsage)
        {
            await Event(new
            {
                id = "chatcmpl-fake-2",
                @object = "chat.completion.chunk",
                created = 1_700_000_000,
                model,
                choices = Array.Empty<object>(),
                usage = new { prompt_tokens = 21, completion_tokens = 5, total_tokens = 26 },
            });
        }

        var done = Encoding.UTF8.GetBytes("data: [DONE]\n\n");
        await stream.WriteAsync(done);
    }

    public ValueTask DisposeAsync() => _server.DisposeAsync();
}
