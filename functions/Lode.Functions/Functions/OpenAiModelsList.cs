using Lode.Audit;
using Lode.Database.Generations;
using Lode.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Lode.Functions;

/// <summary>
/// GET v1/models: the chat model (the configured LLM, or the extractive answerer) and the embedding model searches use
/// (the current index generation's).
/// </summary>
public sealed class OpenAiModelsList(AuditedChat chat, CurrentIndexGeneration currentGeneration)
{
    [Function(nameof(OpenAiModelsList)), CallerAccess(AllowedCallers.Caller)]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "v1/models")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var generation = await currentGeneration.GetAsync(cancellationToken);
        return new OkObjectResult(new OpenAiList<OpenAiModel>("list",
        [
            new(chat.ModelName, "model", 0, "lode"),
            new(generation.Model, "model", 0, "lode"),
        ]));
    }
}
