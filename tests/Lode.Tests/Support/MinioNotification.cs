using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace Lode.Tests.Support;

/// <summary>MinIO's webhook request as MinIO sends it: one record per request, the key escaped like Go's url.QueryEscape.</summary>
public static class MinioNotification
{
    public static string Body(string bucket, string key, string eventName = "s3:ObjectCreated:Put") => JsonSerializer.Serialize(new
    {
        EventName = eventName,
        Key = $"{bucket}/{key}",
        Records = new[]
        {
            new { eventName, s3 = new { bucket = new { name = bucket }, @object = new { key = WebUtility.UrlEncode(key) } } },
        },
    });

    /// <summary>A body whose escaped key is taken as given (for keys no real object can have).</summary>
    public static string BodyWithEscapedKey(string bucket, string escapedKey) =>
        Body(bucket, "placeholder").Replace("placeholder", escapedKey, StringComparison.Ordinal);

    public static HttpRequestMessage Request(string body, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "api/minio/events") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    public static async Task<HttpStatusCode> SendAsync(HttpClient client, string body, string token, CancellationToken cancellationToken = default)
    {
        using var request = Request(body, token);
        using var response = await client.SendAsync(request, cancellationToken);
        return response.StatusCode;
    }
}
