using Lode.Functions.Http;
using Lode.Ingestion.Events;
using Lode.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Lode.Functions;

/// <summary>
/// POST api/minio/events: MinIO's webhook notification target. Answers 2xx only after the jobs are committed, so MinIO
/// keeps (and redelivers) any event Lode has not durably taken.
/// </summary>
public sealed class MinioEvents(WebhookAuthenticator webhook, EventIntake intake)
{
    // MinIO batches at most a few hundred records; a larger body is not a notification.
    private const long MaxBodyBytes = 4 << 20;

    [Function(nameof(MinioEvents))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/minio/events")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        if (!webhook.IsAuthorized(request.Headers.Authorization))
            return ApiErrors.Result(StatusCodes.Status401Unauthorized, "unauthorized", "Wrong or missing webhook token.");
        try
        {
            var body = await RequestBody.ReadAsync(request, MaxBodyBytes, cancellationToken);
            var result = await intake.AcceptAsync(body, cancellationToken);
            return new OkObjectResult(new { records = result.Records, queued = result.Queued, ignored = result.Ignored });
        }
        catch (MalformedEventException e)
        {
            return ApiErrors.Result(StatusCodes.Status400BadRequest, "malformed_event", e.Message);
        }
        catch (RequestTooLargeException e)
        {
            return ApiErrors.Result(StatusCodes.Status413PayloadTooLarge, "payload_too_large", e.Message);
        }
    }
}
