using System.Globalization;
using Lode.Audit;
using Lode.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Lode.Functions;

/// <summary>
/// GET api/admin/audit?caller=&amp;surface=&amp;from=&amp;to=&amp;limit=&amp;cursor=: the audit trail of questions asked,
/// newest first, keyset-paged (admins only). <c>from</c> (inclusive) and <c>to</c> (exclusive) are ISO 8601 instants.
/// </summary>
public sealed class ListAuditEvents(AuditLog audit)
{
    [Function(nameof(ListAuditEvents)), CallerAccess(AllowedCallers.Admin)]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/admin/audit")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var query = request.Query;
        var (limit, after) = ListQuery.ReadPage(query, defaultLimit: 100, maxLimit: 1000, cursorParts: 2);
        var position = after is null ? null : AuditEventView.PositionOf(after) ?? throw ListQuery.InvalidCursor();
        var filter = new AuditQuery(ListQuery.Text(query, "caller"), ListQuery.Text(query, "surface"), Instant(query, "from"), Instant(query, "to"));

        var events = await audit.QueryAsync(filter, position, limit, cancellationToken);
        var next = events.Count == limit ? PageCursor.Encode(AuditEventView.CursorOf(events[^1])) : null;
        return new OkObjectResult(new AuditPage(events.Select(AuditEventView.From).ToList(), next));
    }

    private static DateTimeOffset? Instant(IQueryCollection query, string name) =>
        ListQuery.Text(query, name) is not { } text ? null
        : DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed) ? parsed
        : throw ApiException.BadRequest("invalid_time", "from and to must be ISO 8601 instants, e.g. 2025-01-31T00:00:00Z.");
}
