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
public sealed class ListAuditEvents(ApiCallers callers, AuditLog audit)
{
    private const int DefaultLimit = 100;
    private const int MaxLimit = 1000;

    [Function(nameof(ListAuditEvents))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/admin/audit")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var check = await callers.AuthenticateAdminAsync(request, cancellationToken);
        if (check.Refused) return check.Refusal;

        var query = request.Query;
        var (limit, after, invalid) = ListQuery.ReadPage(query, DefaultLimit, MaxLimit, cursorParts: 2);
        if (invalid is not null) return invalid;
        var position = after is null ? null : AuditEventView.PositionOf(after);
        if (after is not null && position is null) return ListQuery.InvalidCursor();
        if (!TryReadInstant(query, "from", out var from) || !TryReadInstant(query, "to", out var to))
            return ApiErrors.Result(400, "invalid_time", "from and to must be ISO 8601 instants, e.g. 2025-01-31T00:00:00Z.");

        var events = await audit.QueryAsync(
            new AuditQuery(ListQuery.Text(query, "caller"), ListQuery.Text(query, "surface"), from, to), position, limit, cancellationToken);
        var next = events.Count == limit ? PageCursor.Encode(AuditEventView.CursorOf(events[^1])) : null;
        return new OkObjectResult(new AuditPage(events.Select(AuditEventView.From).ToList(), next));
    }

    private static bool TryReadInstant(IQueryCollection query, string name, out DateTimeOffset? instant)
    {
        instant = null;
        if (ListQuery.Text(query, name) is not { } text) return true;
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed)) return false;
        instant = parsed;
        return true;
    }
}
