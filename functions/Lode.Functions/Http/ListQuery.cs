using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Lode.Functions.Http;

/// <summary>The query string of a keyset-paged list endpoint: filters, <c>limit</c> and <c>cursor</c>.</summary>
public static class ListQuery
{
    /// <summary>A filter's value; null when absent or empty ("any").</summary>
    public static string? Text(IQueryCollection query, string name)
    {
        string? value = query[name];
        return string.IsNullOrEmpty(value) ? null : value;
    }

    /// <summary>
    /// <c>limit</c> (1 to <paramref name="maxLimit"/>, <paramref name="defaultLimit"/> when absent) and <c>cursor</c>
    /// (a <see cref="PageCursor"/> of <paramref name="cursorParts"/> parts, null for the first page), or the 400 to answer.
    /// </summary>
    public static (int Limit, string[]? After, IActionResult? Error) ReadPage(IQueryCollection query, int defaultLimit, int maxLimit, int cursorParts)
    {
        var limit = defaultLimit;
        if (Text(query, "limit") is { } limitText && (!int.TryParse(limitText, out limit) || limit < 1 || limit > maxLimit))
            return (0, null, ApiErrors.Result(400, "invalid_limit", $"limit must be a whole number from 1 to {maxLimit}."));
        return PageCursor.TryDecode(Text(query, "cursor"), cursorParts, out var after)
            ? (limit, after, null)
            : (0, null, InvalidCursor());
    }

    /// <summary>The 400 for a cursor this API did not make.</summary>
    public static IActionResult InvalidCursor() => ApiErrors.Result(400, "invalid_cursor", "cursor is not one this API returned.");

}
