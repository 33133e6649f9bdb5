using Lode.Audit;
using Lode.Chat;
using Lode.Functions.Http;
using Lode.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Lode.Functions;

/// <summary>
/// POST api/chat: answers a conversation from the documents with citations. With <c>stream: true</c> (or
/// <c>Accept: text/event-stream</c>) the answer is server-sent events: <c>citations</c> (the numbered sources), then
/// <c>delta</c> events of text, then <c>done</c> with the whole answer, the sources it cited and usage.
/// </summary>
public sealed class Chat(AuditedChat chat, ChatStreaming streaming)
{
    [Function(nameof(Chat)), CallerAccess(AllowedCallers.Caller), MaxBody(1 << 20)]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/chat")] HttpRequest request,
        [Body] ChatHttpRequest body, Caller caller, CancellationToken cancellationToken)
    {
        var streamed = ServerSentEvents.Wanted(request, body.Stream);
        var question = body.ToChatRequest(caller);
        return streamed
            ? await streaming.StreamAsync(request.HttpContext.Response, chat.StreamAsync(caller, AuditSurfaces.Chat, question, streamed),
                WriteEvent, WriteError, cancellationToken)
            : new OkObjectResult(ChatHttpResponse.From(await chat.AnswerAsync(caller, AuditSurfaces.Chat, question, cancellationToken)));

        Task WriteEvent(ServerSentEvents sse, ChatEvent chatEvent) => chatEvent switch
        {
            SourcesFound sources => sse.WriteAsync("citations", new { citations = sources.Sources.Select(CitationView.From) }, cancellationToken),
            TextDelta delta => sse.WriteAsync("delta", new { text = delta.Text }, cancellationToken),
            Completed done => sse.WriteAsync("done", ChatHttpResponse.From(done), cancellationToken),
            _ => Task.CompletedTask,
        };

        static Task WriteError(ServerSentEvents sse, Exception error) =>
            sse.WriteAsync("error", ChatErrors.StreamError(error), CancellationToken.None);
    }
}
