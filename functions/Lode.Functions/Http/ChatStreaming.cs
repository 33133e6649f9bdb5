using Lode.Chat;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace Lode.Functions.Http;

/// <summary>Streams a chat answer to an HTTP response as server-sent events, and ends the stream however the answer ends.</summary>
public sealed class ChatStreaming(ILogger<ChatStreaming> logger)
{
    /// <summary>
    /// Streams the events through <paramref name="write"/>. The pipeline yields nothing until the model has accepted
    /// the request, so its expected errors (busy, bad request) still become status codes (thrown to the invocation
    /// pipeline). A failure after the stream started is logged here, written with <paramref name="writeError"/>, and the
    /// response is then completed normally: handing the failure on would make the host reset the connection, and a reset
    /// can discard the error event before the client has read it. A disconnected client cancels generation through
    /// <paramref name="ct"/> (the request's abort token).
    /// </summary>
    public async Task<IActionResult> StreamAsync(HttpResponse response, IAsyncEnumerable<ChatEvent> events,
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
            LogFailure(response.HttpContext.Request, e);
            await writeError(sse, e);
            // The error event is the stream's last: end the body cleanly so the client reads it, then its end.
            await response.CompleteAsync();
        }
        return new EmptyResult();
    }

    // By type and code only: an exception's message may quote the question or a passage.
    private void LogFailure(HttpRequest request, Exception error)
    {
        var level = ApiProblems.From(error) is null ? LogLevel.Error : LogLevel.Warning;
        logger.Log(level, "Answer stream for {Path} failed after it started ({ErrorType}); the client was sent error {Code}",
            request.Path, error.GetType().FullName, ApiProblems.CodeOf(error));
    }
}
