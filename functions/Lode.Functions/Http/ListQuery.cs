using Microsoft.AspNetCore.Http;

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
    /// (a <see cref="PageCursor"/> of <paramref name="cursorParts"/> parts, null for the first page); 400 otherwise.
    /// </summary>
    public static (int Limit, string[]? After) ReadPage(IQueryCollection query, int defaultLimit, int maxLimit, int cursorParts)
    {
        var limit = defaultLimit;
        if (Text(query, "limit") is { } limitText && (!int.TryParse(limitText, out limit) || limit < 1 || limit > maxLimit))
            throw ApiException.BadRequest("invalid_limit", $"limit must be a whole number from 1 to {maxLimit}.");
        return PageCursor.TryDecode(Text(query, "cursor"), cursorParts, out var after) ? (limit, after) : throw InvalidCursor();
    }

    /// <summary>The 400 for a cursor this API did not make.</summary>
    public static ApiException InvalidCursor() => ApiException.BadRequest("invalid_cursor", "cursor is not one this API returned.");

    /// <summary>A filter's value that must be one of <paramref name="allowed"/> when present; 400 otherwise.</summary>
    public static string? OneOf(IQueryCollection query, string name, Func<string, bool> allowed, string code, string message) =>
        Text(query, name) is { } value && !allowed(value) ? throw ApiException.BadRequest(code, message) : Text(query, name);

}
