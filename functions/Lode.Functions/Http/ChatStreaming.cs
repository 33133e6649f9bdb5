using Lode.Chat;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Lode.Functions.Http;

/// <summary>Runs the chat pipeline for an HTTP request: as one JSON answer, or as a stream of server-sent events.</summary>
public static class ChatStreaming
{
    /// <summary>Waits for the whole answer and shapes it with <paramref name="shape"/>.</summary>
    public static async Task<IActionResult> CollectAsync(HttpResponse response, IAsyncEnumerable<ChatEvent> events,
        Func<Completed, object> shape, CancellationToken ct)
    {
        try
        {
            Completed? done = null;
            await foreach (var chatEvent in events.WithCancellation(ct)) done = chatEvent as Completed ?? done;
            return new OkObjectResult(shape(done!));
        }
        catch (Exception e) when (ChatErrors.ToResult(e, response) is { } result)
        {
            return result;
        }
    }

    /// <summary>
    /// Streams the events through <paramref name="write"/>. The pipeline yields nothing until the model has accepted
    /// the request, so its expected errors (busy, bad request) still become status codes; an error after the stream
    /// started is written with <paramref name="writeError"/> and ends it. A disconnected client cancels generation
    /// through <paramref name="ct"/> (the request's abort token).
    /// </summary>
    public static async Task<IActionResult> StreamAsync(HttpResponse response, IAsyncEnumerable<ChatEvent> events,
        Func<ServerSentEvents, ChatEvent, Task> write, Func<ServerSentEvents, Exception, Task> writeError, CancellationToken ct)
    {
        var sse = new ServerSentEvents(response);
        await using var enumerator = events.GetAsyncEnumerator(ct);
        bool more;
        try
        {
            more = await enumerator.MoveNextAsync();
        }
        catch (Exception e) when (ChatErrors.ToResult(e, response) is { } result)
        {
            return result;
        }

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
