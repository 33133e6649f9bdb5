using Lode.Database;
using Lode.Functions.Http;
using Lode.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Lode.Functions;

/// <summary>GET api/documents?bucket=&amp;prefix=&amp;status=&amp;limit=&amp;cursor=: documents and their indexing state.</summary>
public sealed class ListDocuments(ApiCallers callers, DocumentRepository documents)
{
    private const int DefaultLimit = 100;
    private const int MaxLimit = 1000;

    [Function(nameof(ListDocuments))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/documents")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var check = await callers.AuthenticateAsync(request, cancellationToken);
        if (check.Refused) return check.Refusal;

        var query = request.Query;
        var status = ListQuery.Text(query, "status");
        if (status is not null && !DocumentStatus.IsValid(status))
            return ApiErrors.Result(400, "invalid_status", "status must be one of pending, indexed, failed.");
        var (limit, after, invalid) = ListQuery.ReadPage(query, DefaultLimit, MaxLimit, cursorParts: 2);
        if (invalid is not null) return invalid;

        var page = await documents.ListAsync(
            new DocumentQuery(ReadableBy(check.Caller), ListQuery.Text(query, "bucket"), ListQuery.Text(query, "prefix"), status),
            after is [var bucket, var key] ? (bucket, key) : null, limit, cancellationToken);
        var next = page.Count == limit ? PageCursor.Encode(page[^1].Bucket, page[^1].Key) : null;
        return new OkObjectResult(new DocumentPage(page.Select(d => DocumentView.From(d, check.Caller)).ToList(), next));
    }

    /// <summary>Admins see every document (to find and fix failures); everyone else the ones their groups may read.</summary>
    internal static IReadOnlyList<string>? ReadableBy(Caller caller) => caller.IsAdmin ? null : caller.Groups;
}

/// <summary>GET api/documents/{bucket}/{*key}: one document's state (pending, indexed, failed with its error).</summary>
public sealed class GetDocument(ApiCallers callers, DocumentRepository documents)
{
    [Function(nameof(GetDocument))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/documents/{bucket}/{*key}")] HttpRequest request,
        string bucket,
        string key,
        CancellationToken cancellationToken)
    {
        var check = await callers.AuthenticateAsync(request, cancellationToken);
        if (check.Refused) return check.Refusal;
        var document = await documents.GetAsync(bucket, key, ListDocuments.ReadableBy(check.Caller), cancellationToken);
        return document is null
            ? ApiErrors.Result(404, "document_not_found", "No document with that bucket and key is known.")
            : new OkObjectResult(DocumentView.From(document, check.Caller));
    }
}
