using Lode.Functions.Http;
using Lode.Ingestion.Operations;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Lode.Functions;

/// <summary>
/// POST api/reindex <c>{bucket, prefix?, force?}</c> (admins only): starts a reindex run and answers 202 with its id at
/// once; the bucket is listed in the background. Progress: GET api/reindex/{id}.
/// </summary>
public sealed class Reindex(ApiCallers callers, ReindexRequests reindex)
{
    private const long MaxBodyBytes = 16 << 10;

    [Function(nameof(Reindex))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/reindex")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var check = await callers.AuthenticateAdminAsync(request, cancellationToken);
        if (check.Refused) return check.Refusal;
        var (body, invalid) = await JsonBody.ReadAsync<ReindexBody>(request, MaxBodyBytes, cancellationToken);
        if (invalid is not null) return invalid;

        try
        {
            var run = await reindex.StartAsync(body!.Bucket, body.Prefix, body.Force ?? false, check.Caller.Name, cancellationToken);
            return new AcceptedResult($"/api/reindex/{run.Id}", run);
        }
        catch (ReindexRequestException e)
        {
            var status = e.Code == ReindexRequestException.BucketNotFound ? StatusCodes.Status404NotFound : StatusCodes.Status400BadRequest;
            return ApiErrors.Result(status, e.Code, e.Message);
        }
    }
}

/// <summary>GET api/reindex/{id} (admins only): a reindex run's progress, until its status is done (or failed).</summary>
public sealed class ReindexProgress(ApiCallers callers, ReindexRequests reindex)
{
    [Function(nameof(ReindexProgress))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/reindex/{id}")] HttpRequest request,
        string id,
        CancellationToken cancellationToken)
    {
        var check = await callers.AuthenticateAdminAsync(request, cancellationToken);
        if (check.Refused) return check.Refusal;
        var run = Guid.TryParse(id, out var runId) ? await reindex.GetAsync(runId, cancellationToken) : null;
        return run is null
            ? ApiErrors.Result(StatusCodes.Status404NotFound, "reindex_not_found", "No reindex run with that id.")
            : new OkObjectResult(run);
    }
}
