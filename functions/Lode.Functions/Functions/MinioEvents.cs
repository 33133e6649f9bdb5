using Lode.Ingestion.Events;
using Lode.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Lode.Functions;

/// <summary>
/// POST api/minio/events: MinIO's webhook notification target. Answers 2xx only after the jobs are committed, so MinIO
/// keeps (and redelivers) any event Lode has not durably taken. MinIO batches at most a few hundred records: a larger
/// body is not a notification.
/// </summary>
public sealed class MinioEvents(EventIntake intake)
{
    [Function(nameof(MinioEvents)), CallerAccess(AllowedCallers.WebhookToken), MaxBody(4 << 20)]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/minio/events")] HttpRequest request,
        [Body] ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var result = await intake.AcceptAsync(body, cancellationToken);
        return new OkObjectResult(new { records = result.Records, queued = result.Queued, ignored = result.Ignored });
    }
}
