using Lode.Chat;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Lode.Functions.Http;

/// <summary>Runs the chat pipeline for an HTTP request: as one JSON answer, or as a stream of server-sent events.</summary>
public static class ChatStreaming
{
    /// <summary>
    /// Streams the events through <paramref name="write"/>. The pipeline yields nothing until the model has accepted
    /// the request, so its expected errors (busy, bad request) still become status codes (thrown to the invocation
    /// pipeline); an error after the stream
    /// started is written with <paramref name="writeError"/> and ends it. A disconnected client cancels generation
    /// through <paramref name="ct"/> (the request's abort token).
    /// </summary>
    public static async Task<IActionResult> StreamAsync(HttpResponse response, IAsyncEnumerable<ChatEvent> events,
        Func<ServerSentEvents, ChatEvent, Task> write, Func<ServerSentEvents, Exception, Task> writeError, CancellationToken ct)
    {
        var sse = new ServerSentEvents(response);
        await using var enumerator = events.GetAsyncEnumerator(ct);
        // Before anything is written: a failure here still reaches the pipeline as an error status.
        var more = await enumerator.MoveNextAsync();

        await sse.StartAsync(ct);
        try
        {
            for (; more; more = await enumerator.MoveNextAsync()) await write(sse, enumerator.Current);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await writeError(sse, e);
            throw; // logged by the hosting layer; the response has started, so nothing else is written
        }
        return new EmptyResult();
    }
}
