using Lode.Database.Generations;
using Lode.Functions.Http;
using Lode.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Lode.Functions;

/// <summary>
/// GET api/admin/generations (admins only): the index generations (current, building, previous) with their models and
/// progress, so a model change can be followed like a reindex run.
/// </summary>
public sealed class ListGenerations(IndexGenerations generations)
{
    [Function(nameof(ListGenerations)), CallerAccess(AllowedCallers.Admin)]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/admin/generations")] HttpRequest request,
        CancellationToken cancellationToken) =>
        new OkObjectResult(new GenerationList((await generations.ProgressAsync(cancellationToken)).Select(GenerationView.From).ToList()));
}

/// <summary>
/// DELETE api/admin/generations/{id} (admins only): drops a generation that is not current, with its chunks and vector
/// index. A previous generation: switching back to its model then means building it again. A building one: the build
/// is abandoned (until the app starts again with that model configured). 409 for the current generation.
/// </summary>
public sealed class DropGeneration(GenerationSwitch generations, ILogger<DropGeneration> logger)
{
    [Function(nameof(DropGeneration)), CallerAccess(AllowedCallers.Admin)]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/admin/generations/{id}")] HttpRequest request,
        int id, Caller caller, CancellationToken cancellationToken)
    {
        switch (await generations.DropAsync(id, cancellationToken))
        {
            case GenerationDropOutcome.Dropped:
                logger.LogWarning("Index generation {Generation} dropped by {Caller}", id, caller.Name);
                return new NoContentResult();
            case GenerationDropOutcome.IsCurrent:
                throw ApiException.Conflict("generation_current",
                    "Searches use this generation; configure another model and let its generation become current first.");
            default:
                throw ApiException.NotFound("generation_not_found", "No index generation has that id.");
        }
    }
}
