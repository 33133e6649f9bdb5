using Lode.Database.Generations;
using Lode.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Lode.Functions;

/// <summary>
/// GET api/admin/generations (admins only): the index generations (current, building, previous) with their models and
/// progress, so a model change can be followed like a reindex run.
/// </summary>
public sealed class ListGenerations(ApiCallers callers, IndexGenerations generations)
{
    [Function(nameof(ListGenerations))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/admin/generations")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var check = await callers.AuthenticateAdminAsync(request, cancellationToken);
        if (check.Refused) return check.Refusal;
        var progress = await generations.ProgressAsync(cancellationToken);
        return new OkObjectResult(new GenerationList(progress.Select(GenerationView.From).ToList()));
    }
}

/// <summary>
/// DELETE api/admin/generations/{id} (admins only): drops a generation that is not current, with its chunks and vector
/// index. A previous generation: switching back to its model then means building it again. A building one: the build
/// is abandoned (until the app starts again with that model configured). 409 for the current generation.
/// </summary>
public sealed class DropGeneration(ApiCallers callers, GenerationSwitch generations, ILogger<DropGeneration> logger)
{
    [Function(nameof(DropGeneration))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/admin/generations/{id}")] HttpRequest request,
        int id,
        CancellationToken cancellationToken)
    {
        var check = await callers.AuthenticateAdminAsync(request, cancellationToken);
        if (check.Refused) return check.Refusal;
        switch (await generations.DropAsync(id, cancellationToken))
        {
            case GenerationDropOutcome.Dropped:
                logger.LogWarning("Index generation {Generation} dropped by {Caller}", id, check.Caller.Name);
                return new NoContentResult();
            case GenerationDropOutcome.IsCurrent:
                return ApiErrors.Result(StatusCodes.Status409Conflict, "generation_current",
                    "Searches use this generation; configure another model and let its generation become current first.");
            default:
                return ApiErrors.Result(StatusCodes.Status404NotFound, "generation_not_found", "No index generation has that id.");
        }
    }
}
