using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace Lode.Cli;

/// <summary>
/// The app's HTTP API as the command line uses it: every call sends the API key, and every refusal (401, 403, 429,
/// 503, an unreachable address) becomes a <see cref="CliFailure"/> with one sentence the operator can act on.
/// </summary>
public sealed class LodeApi(HttpClient http) : IDisposable
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static LodeApi Create(Uri baseAddress, string? apiKey)
    {
        var http = new HttpClient { BaseAddress = baseAddress, Timeout = Timeout.InfiniteTimeSpan };
        if (!string.IsNullOrWhiteSpace(apiKey))
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        return new LodeApi(http);
    }

    public Uri BaseAddress => http.BaseAddress!;

    public Task<JsonElement> GetAsync(string path, CancellationToken ct) =>
        SendForJsonAsync(new HttpRequestMessage(HttpMethod.Get, path), ct);

    /// <summary>GET that answers null on 404 (a document the app has not seen yet).</summary>
    public async Task<JsonElement?> GetOrNullAsync(string path, CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, path), HttpCompletionOption.ResponseContentRead, ct, notFoundIsNull: true);
        return response is null ? null : await response.Content.ReadFromJsonAsync<JsonElement>(Json, ct);
    }

    public Task<JsonElement> PostAsync(string path, object? body, CancellationToken ct) =>
        SendForJsonAsync(new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : JsonContent.Create(body, options: Json) }, ct);

    public async Task DeleteAsync(string path, CancellationToken ct)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Delete, path), HttpCompletionOption.ResponseContentRead, ct);
    }

    /// <summary>Sends the request and returns the response once its headers arrived (for streams); refusals throw.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken ct) =>
        (await SendAsync(request, completion, ct, notFoundIsNull: false))!;

    private async Task<HttpResponseMessage?> SendAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken ct,
        bool notFoundIsNull)
    {
        HttpResponseMessage response;
        try
        {
            using (request) response = await http.SendAsync(request, completion, ct);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException || e.HttpRequestError == HttpRequestError.ConnectionError)
        {
            throw new CliFailure($"Cannot reach Lode at {BaseAddress}: is the app running, and is --url (LODE_URL) right?", e);
        }
        catch (HttpRequestException e)
        {
            throw new CliFailure($"The request to Lode at {BaseAddress} failed: {e.Message}", e);
        }
        if (response.IsSuccessStatusCode) return response;
        if (notFoundIsNull && response.StatusCode == HttpStatusCode.NotFound)
        {
            response.Dispose();
            return null;
        }
        using (response) throw await RefusalAsync(response, ct);
    }

    private async Task<JsonElement> SendForJsonAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using var response = await SendAsync(request, HttpCompletionOption.ResponseContentRead, ct);
        if (response.Content.Headers.ContentLength == 0 || response.StatusCode == HttpStatusCode.NoContent) return default;
        return await response.Content.ReadFromJsonAsync<JsonElement>(Json, ct);
    }

    private static async Task<CliFailure> RefusalAsync(HttpResponseMessage response, CancellationToken ct)
    {
        var detail = await ErrorMessageAsync(response, ct);
        var status = (int)response.StatusCode;
        return status switch
        {
            401 => new CliFailure("Lode refused the API key (401): pass a valid key with --api-key or LODE_API_KEY."),
            // The app's reason names what is missing: the admin group, or the upload groups.
            403 => new CliFailure($"This API key may not do that (403).{Suffix(detail)}"),
            // The app's reason says which limit was hit: the key's requests, or failed sign-ins from this address.
            429 => new CliFailure($"Too many requests (429): try again {RetryAfter(response)}.{Suffix(detail)}"),
            503 => new CliFailure($"Lode is unavailable or busy (503): try again {RetryAfter(response)}.{Suffix(detail)}"),
            _ => new CliFailure($"Lode answered {status} {response.ReasonPhrase}.{Suffix(detail)}", status: status),
        };
    }

    private static string Suffix(string? detail) => detail is null ? "" : $" {detail}";

    private static string RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => InSeconds(delta),
        { Date: { } date } => $"after {date:u}",
        _ => "later",
    };

    private static string InSeconds(TimeSpan delay) => (int)Math.Ceiling(delay.TotalSeconds) switch
    {
        <= 1 => "in 1 second",
        var seconds => $"in {seconds} seconds",
    };

    /// <summary>The message of an <c>{error:{code,message}}</c> body, when the response has one.</summary>
    private static async Task<string?> ErrorMessageAsync(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            var body = await response.Content.ReadFromJsonAsync<JsonElement>(Json, ct);
            return body.TryGetProperty("error", out var error) && error.TryGetProperty("message", out var message)
                ? message.GetString()
                : null;
        }
        catch (Exception e) when (e is JsonException or NotSupportedException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>The API path of a document: each segment of the key escaped, the slashes kept.</summary>
    public static string DocumentPath(string bucket, string key) =>
        $"api/documents/{Uri.EscapeDataString(bucket)}/{string.Join('/', key.Split('/').Select(Uri.EscapeDataString))}";

    public static string Query(params (string Name, string? Value)[] parameters) =>
        string.Join('&', parameters.Where(p => !string.IsNullOrEmpty(p.Value)).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}"));

    public void Dispose() => http.Dispose();
}
