using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Lode.Functions.Http;

/// <summary>Reads a JSON request body into <typeparamref name="T"/>, or gives the 400/413 to answer instead.</summary>
public static class JsonBody
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public static async Task<(T? Value, IActionResult? Error)> ReadAsync<T>(HttpRequest request, long maxBytes, CancellationToken ct)
        where T : class
    {
        try
        {
            var body = await RequestBody.ReadAsync(request, maxBytes, ct);
            var value = JsonSerializer.Deserialize<T>(body.Span, Options);
            return value is null
                ? (null, ApiErrors.Result(400, "invalid_json", "The body must be a JSON object."))
                : (value, null);
        }
        catch (JsonException e)
        {
            return (null, ApiErrors.Result(400, "invalid_json", JsonErrorText.Describe(e)));
        }
        catch (RequestTooLargeException e)
        {
            return (null, ApiErrors.Result(413, "payload_too_large", e.Message));
        }
    }
}
