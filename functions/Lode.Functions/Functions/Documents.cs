using Lode.Access;
using Lode.Database;
using Lode.Functions.Http;
using Lode.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Lode.Functions;

/// <summary>GET api/documents?bucket=&amp;prefix=&amp;status=&amp;limit=&amp;cursor=: documents and their indexing state.</summary>
public sealed class ListDocuments(DocumentVisibility documents)
{
    [Function(nameof(ListDocuments)), CallerAccess(AllowedCallers.Caller)]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/documents")] HttpRequest request,
        Caller caller, CancellationToken cancellationToken)
    {
        var query = request.Query;
        var status = ListQuery.OneOf(query, "status", DocumentStatus.IsValid, "invalid_status", "status must be one of pending, indexed, failed.");
        var (limit, after) = ListQuery.ReadPage(query, defaultLimit: 100, maxLimit: 1000, cursorParts: 2);

        var filter = new DocumentQuery(null, ListQuery.Text(query, "bucket"), ListQuery.Text(query, "prefix"), status);
        var page = await documents.ListAsync(caller.Groups, caller.IsAdmin, filter, after is [var bucket, var key] ? (bucket, key) : null, limit, cancellationToken);
        var next = page.Count == limit ? PageCursor.Encode(page[^1].Bucket, page[^1].Key) : null;
        return new OkObjectResult(new DocumentPage(page.Select(d => DocumentView.From(d, caller)).ToList(), next));
    }
}

/// <summary>GET api/documents/{bucket}/{*key}: one document's state (pending, indexed, failed with its error).</summary>
public sealed class GetDocument(DocumentVisibility documents)
{
    [Function(nameof(GetDocument)), CallerAccess(AllowedCallers.Caller)]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/documents/{bucket}/{*key}")] HttpRequest request,
        string bucket, string key, Caller caller, CancellationToken cancellationToken) =>
        await documents.GetAsync(caller.Groups, caller.IsAdmin, bucket, key, cancellationToken) is { } document
            ? new OkObjectResult(DocumentView.From(document, caller))
            : throw ApiException.NotFound("document_not_found", "No document with that bucket and key is known.");
}
