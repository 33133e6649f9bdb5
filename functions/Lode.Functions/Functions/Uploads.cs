using Lode.Audit;
using Lode.Functions.Http;
using Lode.Ingestion.Links;
using Lode.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Lode.Functions;

/// <summary>
/// GET api/uploads: what the caller may upload (buckets, formats, size limit, groups to share with); 403 for callers
/// who may not upload (<c>Uploads:Groups</c>, admins).
/// </summary>
public sealed class UploadPermissions(UploadGrants grants)
{
    [Function(nameof(UploadPermissions)), CallerAccess(AllowedCallers.Caller)]
    public IActionResult Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/uploads")] HttpRequest request,
        Caller caller) =>
        new OkObjectResult(grants.TermsFor(caller));
}

/// <summary>
/// POST api/uploads <c>{bucket, key, contentType?, sizeBytes?, groups?, overwrite?}</c> → 201 with a presigned PUT
/// (<c>url</c>, <c>headers</c> to send, <c>expiresAt</c>). The client sends the bytes to the store itself; the store's
/// notification indexes the document, whose progress is GET api/documents/{bucket}/{key}.
/// </summary>
public sealed class Uploads(UploadGrants grants, AccessAudit audit)
{
    [Function(nameof(Uploads)), CallerAccess(AllowedCallers.Caller), MaxBody(16 << 10)]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/uploads")] HttpRequest request,
        [Body] UploadBody body, Caller caller, CancellationToken cancellationToken)
    {
        var asked = new UploadRequest(body.Bucket, body.Key, body.ContentType, body.SizeBytes, body.Groups, body.Overwrite ?? false);
        var grant = await grants.GrantAsync(caller, asked, cancellationToken);
        await audit.AccessedAsync(caller, AuditSurfaces.Uploads, new AuditSource(grant.Bucket, grant.Key, Page: 0));
        return new ObjectResult(grant) { StatusCode = StatusCodes.Status201Created };
    }
}

/// <summary>The body of POST api/uploads.</summary>
public sealed record UploadBody(string? Bucket, string? Key, string? ContentType, long? SizeBytes, List<string>? Groups, bool? Overwrite);
