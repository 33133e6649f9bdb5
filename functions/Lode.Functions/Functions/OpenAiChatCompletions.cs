using Lode.Audit;
using Lode.Chat;
using Lode.Functions.Http;
using Lode.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Lode.Functions;

/// <summary>
/// POST v1/chat/completions: OpenAI-compatible chat, retrieval-augmented over the documents, streaming included, so
/// any OpenAI client pointed at http://host:7071/v1 works. The answer's content ends with its cited sources.
/// </summary>
public sealed class OpenAiChatCompletions(AuditedChat chat, ChatStreaming streaming, TimeProvider clock)
{
    [Function(nameof(OpenAiChatCompletions)), CallerAccess(AllowedCallers.Caller), MaxBody(1 << 20)]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "v1/chat/completions")] HttpRequest request,
        [Body] OpenAiChatRequest body, Caller caller, CancellationToken cancellationToken)
    {
        var shapes = new OpenAiChatShapes(chat.ModelName, clock.GetUtcNow().ToUnixTimeSeconds(), body.StreamOptions?.IncludeUsage == true);
        var streamed = body.Stream == true;
        var question = body.ToChatRequest(caller);
        return streamed
            ? await streaming.StreamAsync(request.HttpContext.Response,
                chat.StreamAsync(caller, AuditSurfaces.OpenAiChatCompletions, question, streamed),
                (sse, chatEvent) => shapes.WriteAsync(sse, chatEvent, cancellationToken), OpenAiChatShapes.WriteErrorAsync, cancellationToken)
            : new OkObjectResult(shapes.Whole(await chat.AnswerAsync(caller, AuditSurfaces.OpenAiChatCompletions, question, cancellationToken)));
    }
}
