using System.Globalization;
using Lode.Audit;
using Lode.Functions.Http;
using Lode.Ingestion.Links;
using Lode.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Lode.Functions;

/// <summary>
/// GET api/sources/{bucket}/{*key}?page=N: a short-lived presigned link that opens a cited document (at page N for
/// PDFs) → <c>{bucket, key, page, url, expiresAt}</c>; 404 when the caller's groups may not read it. Each link given
/// out is an audit row.
/// </summary>
public sealed class Sources(SourceLinks links, AccessAudit audit)
{
    [Function(nameof(Sources)), CallerAccess(AllowedCallers.Caller)]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/sources/{bucket}/{*key}")] HttpRequest request,
        string bucket, string? key, Caller caller, CancellationToken cancellationToken)
    {
        var page = Page(request.Query);
        var link = (string.IsNullOrEmpty(key) ? null : await links.OpenAsync(caller, bucket, key, page, cancellationToken))
            ?? throw ApiException.NotFound("document_not_found", "No document with that bucket and key is known.");
        await audit.AccessedAsync(caller, AuditSurfaces.Sources, new AuditSource(link.Bucket, link.Key, link.Page ?? 1));
        return new OkObjectResult(new SourceLinkView(link.Bucket, link.Key, link.Page, link.Url, link.ExpiresAt));
    }

    private static int? Page(IQueryCollection query) =>
        ListQuery.Text(query, "page") is not { } text ? null
        : int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number >= 1 ? number
        : throw ApiException.BadRequest("invalid_page", "page must be a page number (1 or more).");
}

/// <summary>The response of <see cref="Sources"/>.</summary>
public sealed record SourceLinkView(string Bucket, string Key, int? Page, string Url, DateTimeOffset ExpiresAt);
