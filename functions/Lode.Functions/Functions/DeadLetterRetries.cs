using Lode.Functions.Http;
using Lode.Ingestion.Operations;
using Lode.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Lode.Functions;

// A catch-all ({*key}) must end a route, so "retry after the key" cannot be a route template of its own. Both forms are
// served: POST api/documents/retry/{bucket}/{*key} (unambiguous), and the contract's
// POST api/documents/{bucket}/{*key}/retry, which is the POST of the document route with a key ending in "/retry"
// (GET api/documents/{bucket}/{*key} is GET only, so the two never meet).

/// <summary>
/// POST api/documents/retry/{bucket}/{*key} (admins only): queues a failed document again, once its cause is fixed →
/// 202; 404 when no such document, 409 when it is not failed.
/// </summary>
public sealed class RetryDocument(DeadLetters deadLetters)
{
    [Function(nameof(RetryDocument)), CallerAccess(AllowedCallers.Admin)]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/documents/retry/{bucket}/{*key}")] HttpRequest request,
        string bucket, string? key, Caller caller, CancellationToken cancellationToken) =>
        RetryAsync(deadLetters, bucket, key, caller, cancellationToken);

    internal static async Task<IActionResult> RetryAsync(DeadLetters deadLetters, string bucket, string? key, Caller caller, CancellationToken cancellationToken)
    {
        var outcome = string.IsNullOrEmpty(key) ? RetryOutcome.NotFound : await deadLetters.RetryAsync(bucket, key, caller.Name, cancellationToken);
        return outcome switch
        {
            RetryOutcome.Queued => new AcceptedResult((string?)null, new RetriedDocument(bucket, key!, "pending")),
            RetryOutcome.NotFailed => throw ApiException.Conflict("not_failed",
                "The document is not failed; to index it again use POST api/reindex with its key as the prefix."),
            _ => throw ApiException.NotFound("document_not_found", "No document with that bucket and key is known."),
        };
    }
}

/// <summary>
/// POST api/documents/{bucket}/{*key}/retry (admins only): the same as <see cref="RetryDocument"/>, at the address the
/// HTTP contract names. Any other POST to a document is 404.
/// </summary>
public sealed class RetryDocumentAtItsAddress(DeadLetters deadLetters)
{
    private const string RetrySuffix = "/retry";

    [Function(nameof(RetryDocumentAtItsAddress)), CallerAccess(AllowedCallers.Admin)]
    public Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/documents/{bucket}/{*key}")] HttpRequest request,
        string bucket, string? key, Caller caller, CancellationToken cancellationToken) =>
        key is not null && key.EndsWith(RetrySuffix, StringComparison.Ordinal)
            ? RetryDocument.RetryAsync(deadLetters, bucket, key[..^RetrySuffix.Length], caller, cancellationToken)
            : throw ApiException.NotFound("not_found", "POST to a document only retries it: POST api/documents/{bucket}/{key}/retry.");
}
