using Lode.Audit;
using Lode.Functions.Http;
using Lode.Ingestion;
using Lode.Ingestion.Links;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Lode.Functions;

/// <summary>
/// GET api/uploads: what the caller may upload (buckets, formats, size limit, groups to share with); 403 for callers
/// who may not upload (<c>Uploads:Groups</c>, admins).
/// </summary>
public sealed class UploadPermissions(ApiCallers callers, UploadGrants grants)
{
    [Function(nameof(UploadPermissions))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/uploads")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var check = await callers.AuthenticateAsync(request, cancellationToken);
        if (check.Refused) return check.Refusal;
        try
        {
            return new OkObjectResult(grants.TermsFor(check.Caller));
        }
        catch (UploadRefusedException e)
        {
            return Uploads.Refused(e);
        }
    }
}

/// <summary>
/// POST api/uploads <c>{bucket, key, contentType?, sizeBytes?, groups?, overwrite?}</c> → 201 with a presigned PUT
/// (<c>url</c>, <c>headers</c> to send, <c>expiresAt</c>). The client sends the bytes to the store itself; the store's
/// notification indexes the document, whose progress is GET api/documents/{bucket}/{key}.
/// </summary>
public sealed class Uploads(ApiCallers callers, UploadGrants grants, QuestionAudit audit)
{
    private const long MaxBodyBytes = 16 << 10;

    [Function(nameof(Uploads))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/uploads")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var check = await callers.AuthenticateAsync(request, cancellationToken);
        if (check.Refused) return check.Refusal;
        var (body, invalid) = await JsonBody.ReadAsync<UploadBody>(request, MaxBodyBytes, cancellationToken);
        if (invalid is not null) return invalid;

        try
        {
            var grant = await grants.GrantAsync(check.Caller,
                new UploadRequest(body!.Bucket, body.Key, body.ContentType, body.SizeBytes, body.Groups, body.Overwrite ?? false), cancellationToken);
            return await audit.AccessedAsync(check.Caller, AuditSurfaces.Uploads, new AuditSource(grant.Bucket, grant.Key, Page: 0),
                new ObjectResult(grant) { StatusCode = StatusCodes.Status201Created });
        }
        catch (UploadRefusedException e)
        {
            return Refused(e);
        }
    }

    internal static IActionResult Refused(UploadRefusedException e) => ApiErrors.Result(e.Code switch
    {
        UploadRefusedException.NotAllowed => StatusCodes.Status403Forbidden,
        UploadRefusedException.ObjectExists => StatusCodes.Status409Conflict,
        UploadRefusedException.TooLarge => StatusCodes.Status413PayloadTooLarge,
        UploadRefusedException.NotConfigured => StatusCodes.Status503ServiceUnavailable,
        BucketProblem.BucketNotFound => StatusCodes.Status404NotFound,
        _ => StatusCodes.Status400BadRequest,
    }, e.Code, e.Message);
}

/// <summary>The body of POST api/uploads.</summary>
public sealed record UploadBody(string? Bucket, string? Key, string? ContentType, long? SizeBytes, List<string>? Groups, bool? Overwrite);
