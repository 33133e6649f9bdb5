using System.Globalization;
using System.Text.Json;

namespace Lode.Functions.Http;

/// <summary>
/// Says where a request body failed to parse, for the caller. Never the exception's message: System.Text.Json names the
/// CLR type it was converting to (<c>Lode.Functions.Http.ChatHttpRequest</c>, <c>System.Int32</c>), which tells an
/// outsider how the service is built and nothing they need to fix their request.
/// </summary>
public static class JsonErrorText
{
    public static string Describe(JsonException error) =>
        error.Path is { Length: > 1 } path
            ? $"The body is not valid JSON of the expected shape (at {path})."
            : error.LineNumber is { } line
                ? string.Create(CultureInfo.InvariantCulture, $"The body is not valid JSON (line {line + 1}, byte {error.BytePositionInLine + 1}).")
                : "The body is not valid JSON.";
}
