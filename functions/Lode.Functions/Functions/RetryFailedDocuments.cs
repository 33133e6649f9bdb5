using Lode.Functions.Http;
using Lode.Ingestion.Operations;
using Lode.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Lode.Functions;

/// <summary>
/// POST api/documents/retry-failed/{bucket}?prefix= (admins only): queues every failed document of the bucket (under
/// the prefix) again → 202 with how many.
/// </summary>
public sealed class RetryFailedDocuments(DeadLetters deadLetters)
{
    [Function(nameof(RetryFailedDocuments)), CallerAccess(AllowedCallers.Admin)]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/documents/retry-failed/{bucket}")] HttpRequest request,
        string bucket, Caller caller, CancellationToken cancellationToken)
    {
        var prefix = ListQuery.Text(request.Query, "prefix");
        var queued = await deadLetters.RetryAllAsync(bucket, prefix, caller.Name, cancellationToken);
        return new AcceptedResult((string?)null, new RetriedDocuments(bucket, prefix, queued));
    }
}
