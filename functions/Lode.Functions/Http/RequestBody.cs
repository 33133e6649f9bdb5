using Microsoft.AspNetCore.Http;

namespace Lode.Functions.Http;

/// <summary>The request body was larger than the function accepts.</summary>
public sealed class RequestTooLargeException(long limit) : Exception($"The request body is larger than {limit} bytes.")
{
    public long Limit { get; } = limit;
}

public static class RequestBody
{
    /// <summary>The code of every body that is not JSON of the function's shape.</summary>
    public const string InvalidJsonCode = "invalid_json";

    /// <summary>Reads the whole body, refusing more than <paramref name="maxBytes"/> without buffering the excess.</summary>
    public static async Task<ReadOnlyMemory<byte>> ReadAsync(HttpRequest request, long maxBytes, CancellationToken ct)
    {
        if (request.ContentLength > maxBytes) throw new RequestTooLargeException(maxBytes);
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes) throw new RequestTooLargeException(maxBytes);
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }
}
