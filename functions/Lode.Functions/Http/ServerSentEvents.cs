using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Lode.Functions.Http;

/// <summary>Writes a text/event-stream response, one flushed event at a time.</summary>
public sealed class ServerSentEvents(HttpResponse response)
{
    public async Task StartAsync(CancellationToken ct)
    {
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = "text/event-stream; charset=utf-8";
        response.Headers.CacheControl = "no-cache";
        // Reverse proxies (nginx) would otherwise buffer the stream and defeat it.
        response.Headers["X-Accel-Buffering"] = "no";
        await response.StartAsync(ct);
    }

    /// <summary>An event with a JSON payload; <paramref name="eventName"/> null writes a bare data line (OpenAI style).</summary>
    public Task WriteAsync(string? eventName, object payload, CancellationToken ct) =>
        WriteRawAsync(eventName, JsonSerializer.Serialize(payload, HttpJson.Options), ct);

    public async Task WriteRawAsync(string? eventName, string data, CancellationToken ct)
    {
        var text = eventName is null ? $"data: {data}\n\n" : $"event: {eventName}\ndata: {data}\n\n";
        await response.WriteAsync(text, ct);
        await response.Body.FlushAsync(ct);
    }

    public static bool Wanted(HttpRequest request, bool? streamFlag) =>
        streamFlag == true || request.Headers.Accept.Any(a => a?.Contains("text/event-stream", StringComparison.OrdinalIgnoreCase) == true);
}
