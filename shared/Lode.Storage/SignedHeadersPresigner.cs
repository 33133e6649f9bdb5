using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Lode.Storage;

/// <summary>
/// AWS Signature Version 4 for a presigned PUT (the signature in the query string) that also signs request headers, so
/// the client must send exactly those header values. The Minio SDK (7.0.0) can presign only with the host header: it
/// moves any other header into the query string, where MinIO reads <c>x-amz-meta-*</c> too but lets an unsigned
/// header of the same name win — so metadata put there (an upload's read groups) is not bound by the signature.
/// Signed as headers, a changed, added or dropped value is refused by the store (SignatureDoesNotMatch).
/// Follows the published algorithm (canonical request → string to sign → HMAC chain); path-style addressing, which
/// MinIO always accepts; UNSIGNED-PAYLOAD, as every presigned URL.
/// </summary>
internal static class SignedHeadersPresigner
{
    private const string Algorithm = "AWS4-HMAC-SHA256";

    /// <param name="origin">scheme://host[:port] the client will send the request to (its Host header is signed).</param>
    /// <param name="headers">Header names (any case) and the exact values the client must send.</param>
    public static string PresignPut(Uri origin, string region, string accessKey, string secretKey, string bucket, string key,
        IReadOnlyDictionary<string, string> headers, DateTimeOffset now, int expiresSeconds)
    {
        var amzDate = now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var scope = $"{amzDate[..8]}/{region}/s3/aws4_request";

        // Host as a client sends it: the default port of the scheme is left out (Uri.Authority does the same).
        var signed = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["host"] = origin.Authority };
        foreach (var (name, value) in headers) signed[name.ToLowerInvariant()] = CanonicalValue(value);
        var signedNames = string.Join(';', signed.Keys);

        // Already in canonical order (ordinal by name) and encoding: the URL's query is the canonical query.
        var query = string.Join('&', new[]
        {
            ("X-Amz-Algorithm", Algorithm),
            ("X-Amz-Credential", $"{accessKey}/{scope}"),
            ("X-Amz-Date", amzDate),
            ("X-Amz-Expires", expiresSeconds.ToString(CultureInfo.InvariantCulture)),
            ("X-Amz-SignedHeaders", signedNames),
        }.Select(p => $"{UriEncode(p.Item1)}={UriEncode(p.Item2)}"));
        var path = $"/{UriEncode(bucket)}/{string.Join('/', key.Split('/').Select(UriEncode))}";

        var canonicalRequest = string.Join('\n',
            "PUT", path, query, string.Concat(signed.Select(h => $"{h.Key}:{h.Value}\n")), signedNames, "UNSIGNED-PAYLOAD");
        var stringToSign = string.Join('\n', Algorithm, amzDate, scope, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalRequest))));

        var signingKey = Encoding.UTF8.GetBytes("AWS4" + secretKey);
        foreach (var part in new[] { amzDate[..8], region, "s3", "aws4_request" }) signingKey = HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(part));
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(signingKey, Encoding.UTF8.GetBytes(stringToSign)));

        return $"{origin.Scheme}://{origin.Authority}{path}?{query}&X-Amz-Signature={signature}";
    }

    // SigV4's URI encoding: the unreserved characters of RFC 3986 stay, every other UTF-8 byte becomes %XX (upper case).
    private static string UriEncode(string value)
    {
        var encoded = new StringBuilder(value.Length);
        foreach (var b in Encoding.UTF8.GetBytes(value))
        {
            if (b is (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'a' and <= (byte)'z') or (>= (byte)'0' and <= (byte)'9')
                or (byte)'-' or (byte)'_' or (byte)'.' or (byte)'~')
                encoded.Append((char)b);
            else
                encoded.Append('%').Append(b.ToString("X2", CultureInfo.InvariantCulture));
        }
        return encoded.ToString();
    }

    // A canonical header value: trimmed, runs of spaces made one.
    private static string CanonicalValue(string value) => string.Join(' ', value.Split(' ', StringSplitOptions.RemoveEmptyEntries));
}
