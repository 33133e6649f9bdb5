using Lode.Functions.Http;
using Lode.Ingestion.Operations;
using Lode.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Lode.Functions;

/// <summary>
/// POST api/reindex <c>{bucket, prefix?, force?}</c> (admins only): starts a reindex run and answers 202 with its id at
/// once; the bucket is listed in the background. Progress: GET api/reindex/{id}.
/// </summary>
public sealed class Reindex(ReindexRequests reindex)
{
    [Function(nameof(Reindex)), CallerAccess(AllowedCallers.Admin), MaxBody(16 << 10)]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/reindex")] HttpRequest request,
        [Body] ReindexBody body, Caller caller, CancellationToken cancellationToken)
    {
        var run = await reindex.StartAsync(body.Bucket, body.Prefix, body.Force ?? false, caller.Name, cancellationToken);
        return new AcceptedResult($"/api/reindex/{run.Id}", run);
    }
}

/// <summary>GET api/reindex/{id} (admins only): a reindex run's progress, until its status is done (or failed).</summary>
public sealed class ReindexProgress(ReindexRequests reindex)
{
    [Function(nameof(ReindexProgress)), CallerAccess(AllowedCallers.Admin)]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/reindex/{id}")] HttpRequest request,
        string id, CancellationToken cancellationToken) =>
        (Guid.TryParse(id, out var runId) ? await reindex.GetAsync(runId, cancellationToken) : null) is { } run
            ? new OkObjectResult(run)
            : throw ApiException.NotFound("reindex_not_found", "No reindex run with that id.");
}
