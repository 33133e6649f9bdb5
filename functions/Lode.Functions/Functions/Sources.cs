using System.Globalization;
using Lode.Audit;
using Lode.Functions.Http;
using Lode.Ingestion.Links;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Lode.Functions;

/// <summary>
/// GET api/sources/{bucket}/{*key}?page=N: a short-lived presigned link that opens a cited document (at page N for
/// PDFs) → <c>{bucket, key, page, url, expiresAt}</c>; 404 when the caller's groups may not read it. Each link given
/// out is an audit row.
/// </summary>
public sealed class Sources(ApiCallers callers, SourceLinks links, QuestionAudit audit)
{
    [Function(nameof(Sources))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/sources/{bucket}/{*key}")] HttpRequest request,
        string bucket,
        string? key,
        CancellationToken cancellationToken)
    {
        var check = await callers.AuthenticateAsync(request, cancellationToken);
        if (check.Refused) return check.Refusal;
        int? page = null;
        if (ListQuery.Text(request.Query, "page") is { } pageText)
        {
            if (!int.TryParse(pageText, NumberStyles.None, CultureInfo.InvariantCulture, out var number) || number < 1)
                return ApiErrors.Result(400, "invalid_page", "page must be a page number (1 or more).");
            page = number;
        }

        var link = string.IsNullOrEmpty(key) ? null : await links.OpenAsync(check.Caller, bucket, key, page, cancellationToken);
        if (link is null) return ApiErrors.Result(404, "document_not_found", "No document with that bucket and key is known.");
        return await audit.AccessedAsync(check.Caller, AuditSurfaces.Sources, new AuditSource(link.Bucket, link.Key, link.Page ?? 1),
            new OkObjectResult(new SourceLinkView(link.Bucket, link.Key, link.Page, link.Url, link.ExpiresAt)));
    }
}

/// <summary>The response of <see cref="Sources"/>.</summary>
public sealed record SourceLinkView(string Bucket, string Key, int? Page, string Url, DateTimeOffset ExpiresAt);
