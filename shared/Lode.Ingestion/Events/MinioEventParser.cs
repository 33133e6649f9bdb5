using System.Net;
using System.Text;
using System.Text.Json;

namespace Lode.Ingestion.Events;

/// <summary>
/// Reads MinIO's webhook notification body: <c>{"EventName", "Key", "Records":[{eventName, s3:{bucket:{name},
/// object:{key}}}]}</c>. Only object created/removed events are returned; other kinds (bucket events, test events,
/// replication, ...) are ignored, as are fields we do not know.
/// </summary>
public static class MinioEventParser
{
    public static IReadOnlyList<BucketEvent> Parse(ReadOnlySpan<byte> body)
    {
        JsonDocument document;
        try
        {
            var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip });
            document = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            throw new MalformedEventException($"The body is not valid JSON: {e.Message}", e);
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
                throw new MalformedEventException("The body must be a JSON object with a Records array.");
            if (!document.RootElement.TryGetProperty("Records", out var records) || records.ValueKind == JsonValueKind.Null)
                return []; // MinIO sends bodies without records for some kinds (e.g. a test event): nothing to do.
            if (records.ValueKind != JsonValueKind.Array)
                throw new MalformedEventException("Records must be an array.");

            var events = new List<BucketEvent>(records.GetArrayLength());
            var index = 0;
            foreach (var record in records.EnumerateArray())
            {
                var parsed = ParseRecord(record, index++);
                if (parsed is not null) events.Add(parsed);
            }
            return events;
        }
    }

    private static BucketEvent? ParseRecord(JsonElement record, int index)
    {
        if (record.ValueKind != JsonValueKind.Object) throw new MalformedEventException($"Records[{index}] is not an object.");
        var eventName = GetString(record, "eventName");
        if (eventName is null) throw new MalformedEventException($"Records[{index}] has no eventName.");
        // AWS S3 sends names without the "s3:" prefix; MinIO sends them with it. Accept both, speak MinIO's.
        if (!eventName.StartsWith("s3:", StringComparison.Ordinal)) eventName = "s3:" + eventName;
        if (!eventName.StartsWith("s3:ObjectCreated:", StringComparison.Ordinal)
            && !eventName.StartsWith("s3:ObjectRemoved:", StringComparison.Ordinal))
        {
            return null;
        }

        if (!record.TryGetProperty("s3", out var s3) || s3.ValueKind != JsonValueKind.Object)
            throw new MalformedEventException($"Records[{index}] has no s3 section.");
        var bucket = s3.TryGetProperty("bucket", out var b) && b.ValueKind == JsonValueKind.Object ? GetString(b, "name") : null;
        var escapedKey = s3.TryGetProperty("object", out var o) && o.ValueKind == JsonValueKind.Object ? GetString(o, "key") : null;
        if (string.IsNullOrEmpty(bucket)) throw new MalformedEventException($"Records[{index}] has no s3.bucket.name.");
        if (string.IsNullOrEmpty(escapedKey)) throw new MalformedEventException($"Records[{index}] has no s3.object.key.");

        var key = DecodeKey(escapedKey);
        // Concurrent notifications share one transaction: a value PostgreSQL refuses (NUL, broken UTF-16) would fail
        // every request committed with it, on every redelivery. It is no object name; refuse this request alone.
        if (!IsStorableText(eventName) || !IsStorableText(bucket) || !IsStorableText(key))
            throw new MalformedEventException($"Records[{index}] holds a NUL character or invalid Unicode.");
        // Nor can it index a key much over 2.7 KB (the B-tree entry of ingest_jobs (bucket, key)); no S3 object or
        // bucket has a name that long, so a longer one is refused here too.
        if (bucket.Length > MaxBucketChars || Encoding.UTF8.GetByteCount(key) > MaxKeyBytes)
            throw new MalformedEventException(
                $"Records[{index}] names a bucket over {MaxBucketChars} characters or a key over {MaxKeyBytes} bytes, which no S3 object has.");
        return new BucketEvent(eventName, bucket, key);
    }

    /// <summary>Longest S3 object key, in UTF-8 bytes (S3's and MinIO's limit).</summary>
    public const int MaxKeyBytes = 1_024;

    /// <summary>Longest S3 bucket name (S3's and MinIO's limit).</summary>
    public const int MaxBucketChars = 63;

    private static bool IsStorableText(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0' || char.IsLowSurrogate(c)) return false;
            if (!char.IsHighSurrogate(c)) continue;
            if (i + 1 == text.Length || !char.IsLowSurrogate(text[i + 1])) return false;
            i++;
        }
        return true;
    }

    /// <summary>
    /// MinIO escapes keys with Go's url.QueryEscape ('/' as %2F, ' ' as '+', '+' as %2B, UTF-8 bytes as %XX).
    /// WebUtility.UrlDecode is its exact inverse: '+' becomes a space and %XX sequences are decoded as UTF-8.
    /// </summary>
    public static string DecodeKey(string escapedKey) => WebUtility.UrlDecode(escapedKey);

    private static string? GetString(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String) return null;
        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException e)
        {
            // An escaped lone surrogate ("\ud800") cannot become a string.
            throw new MalformedEventException($"{name} is not valid Unicode.", e);
        }
    }
}
