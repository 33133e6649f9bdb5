using System.Net.Http.Headers;
using System.Text.Json;

namespace Lode.Cli;

/// <summary>
/// Sends a file to the presigned URL of an upload grant (<c>POST api/uploads</c>): straight to the object store, with
/// the grant's headers and without the API key, which is for the app only.
/// </summary>
public static class PresignedPut
{
    // One client for every upload: a PUT of a large file may take long, so no overall timeout; the store closes idle ones.
    private static readonly HttpClient Store = new() { Timeout = Timeout.InfiniteTimeSpan };

    public static async Task SendAsync(JsonElement grant, FileInfo file, string key, CancellationToken ct)
    {
        var url = grant.GetProperty("url").GetString() ?? throw new CliFailure($"The app's upload grant for {key} has no url.");
        await using var content = file.OpenRead();
        using var request = new HttpRequestMessage(HttpMethod.Put, url) { Content = new StreamContent(content) };
        request.Content.Headers.ContentLength = file.Length;
        if (grant.TryGetProperty("headers", out var headers))
        {
            // Signed headers (x-amz-meta-*) go on the request, Content-Type on the content; the store checks the values.
            foreach (var header in headers.EnumerateObject())
            {
                if (!request.Headers.TryAddWithoutValidation(header.Name, header.Value.GetString()))
                    request.Content.Headers.TryAddWithoutValidation(header.Name, header.Value.GetString());
            }
        }
        request.Content.Headers.ContentType ??= new MediaTypeHeaderValue("application/octet-stream");

        HttpResponseMessage response;
        try
        {
            response = await Store.SendAsync(request, ct);
        }
        catch (HttpRequestException e)
        {
            throw new CliFailure($"Cannot reach the object store at {new Uri(url).GetLeftPart(UriPartial.Authority)} to upload {key}: {e.Message}", e);
        }
        using (response)
        {
            if (!response.IsSuccessStatusCode)
                throw new CliFailure($"The object store refused {key} ({(int)response.StatusCode} {response.ReasonPhrase}); nothing of it was stored.");
        }
    }
}
