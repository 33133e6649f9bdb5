using System.Buffers.Text;
using System.Text.Json;

namespace Lode.Functions.Http;

/// <summary>An opaque keyset cursor: the (bucket, key) of the last row of a page, base64url-encoded JSON.</summary>
public static class PageCursor
{
    public static string Encode(string bucket, string key) =>
        Base64Url.EncodeToString(JsonSerializer.SerializeToUtf8Bytes(new[] { bucket, key }));

    public static bool TryDecode(string? cursor, out (string Bucket, string Key)? position)
    {
        position = null;
        if (string.IsNullOrEmpty(cursor)) return true;
        try
        {
            var parts = JsonSerializer.Deserialize<string[]>(Base64Url.DecodeFromChars(cursor));
            if (parts is not [{ } bucket, { } key]) return false;
            position = (bucket, key);
            return true;
        }
        catch (Exception e) when (e is FormatException or JsonException)
        {
            return false;
        }
    }
}
