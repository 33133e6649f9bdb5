using Lode.Audit;
using Lode.Chat;
using Lode.Functions.Http;
using Lode.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Lode.Functions;

/// <summary>
/// POST v1/chat/completions: OpenAI-compatible chat, retrieval-augmented over the documents, streaming included, so
/// any OpenAI client pointed at http://host:7071/v1 works. The answer's content ends with its cited sources.
/// </summary>
public sealed class OpenAiChatCompletions(ChatService chat, QuestionAudit audit, TimeProvider clock)
{
    [Function(nameof(OpenAiChatCompletions)), CallerAccess(Access.Caller), MaxBody(1 << 20)]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/chat/completions")] HttpRequest request,
        [Body] OpenAiChatRequest body, Caller caller, CancellationToken cancellationToken)
    {
        var id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        var created = clock.GetUtcNow().ToUnixTimeSeconds();
        var streamed = body.Stream == true;
        var events = audit.Track(caller, AuditSurfaces.OpenAiChatCompletions, body.ToChatRequest(caller), streamed);
        if (!streamed) return await ChatStreaming.CollectAsync(events, Shape, cancellationToken);

        var includeUsage = body.StreamOptions?.IncludeUsage == true;
        return await ChatStreaming.StreamAsync(request.HttpContext.Response, events, WriteChunk, WriteError, cancellationToken);

        OpenAiChatResponse Shape(Completed done) => new(id, "chat.completion", created, done.Model,
            [new OpenAiChoice(0, new OpenAiResponseMessage("assistant", done.Answer + CitationFooter.For(done.Citations)), FinishReason(done))],
            OpenAiUsage.From(done.Usage), done.Citations.Select(CitationView.From).ToList());

        async Task WriteChunk(ServerSentEvents sse, ChatEvent chatEvent)
        {
            switch (chatEvent)
            {
                case SourcesFound:
                    await sse.WriteAsync(null, Chunk(new OpenAiDelta("assistant", ""), null), cancellationToken);
                    break;
                case TextDelta delta:
                    await sse.WriteAsync(null, Chunk(new OpenAiDelta(null, delta.Text), null), cancellationToken);
                    break;
                case Completed done:
                    var footer = CitationFooter.For(done.Citations);
                    if (footer.Length > 0) await sse.WriteAsync(null, Chunk(new OpenAiDelta(null, footer), null), cancellationToken);
                    await sse.WriteAsync(null, Chunk(new OpenAiDelta(null, null), FinishReason(done)) with
                    {
                        Citations = done.Citations.Select(CitationView.From).ToList(),
                    }, cancellationToken);
                    if (includeUsage)
                        await sse.WriteAsync(null, new OpenAiChatChunk(id, "chat.completion.chunk", created, chat.ModelName, [], OpenAiUsage.From(done.Usage), null), cancellationToken);
                    await sse.WriteRawAsync(null, "[DONE]", cancellationToken);
                    break;
            }
        }

        OpenAiChatChunk Chunk(OpenAiDelta delta, string? finish) =>
            new(id, "chat.completion.chunk", created, chat.ModelName, [new OpenAiChunkChoice(0, delta, finish)], null, null);

        static Task WriteError(ServerSentEvents sse, Exception error) =>
            sse.WriteAsync(null, ChatErrors.StreamError(error), CancellationToken.None);
    }

    private static string FinishReason(Completed done) => done.FinishReason is "length" ? "length" : "stop";
}
