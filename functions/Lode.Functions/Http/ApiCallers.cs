using Lode.Security;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;

namespace Lode.Functions.Http;

/// <summary>
/// Identifies the caller of an API function. Every function except health and the webhooks starts with
/// <c>if (callers.Authenticate(request) is not { } caller) return ApiCallers.Unauthorized();</c>; a test walks every
/// route to make sure none forgot.
/// </summary>
public sealed class ApiCallers(ApiKeyAuthenticator apiKeys)
{
    public Caller? Authenticate(HttpRequest request) => apiKeys.Authenticate(request.Headers.Authorization);

    public static IActionResult Unauthorized() =>
        ApiErrors.Result(StatusCodes.Status401Unauthorized, "unauthorized",
            "Send a valid API key as 'Authorization: Bearer <key>'.");
}
