using System.Buffers.Text;
using System.Text.Json;

namespace Lode.Functions.Http;

/// <summary>An opaque keyset cursor: the sort key of the last row of a page, as strings, base64url-encoded JSON.</summary>
public static class PageCursor
{
    public static string Encode(params string[] position) =>
        Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(position));

    /// <summary>
    /// True with the position (null when there is no cursor: the first page); false for a cursor that is not one of
    /// <paramref name="parts"/> parts this API made.
    /// </summary>
    public static bool TryDecode(string? cursor, int parts, out string[]? position)
    {
        position = null;
        if (string.IsNullOrEmpty(cursor)) return true;
        try
        {
            var decoded = JsonSerializer.Deserialize<string?[]>(Base64Url.DecodeFromChars(cursor));
            if (decoded is null || decoded.Length != parts || decoded.Any(p => p is null)) return false;
            position = decoded!;
            return true;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return false;
        }
    }
}
