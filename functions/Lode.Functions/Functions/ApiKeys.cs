using Lode.Functions.Http;
using Lode.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Lode.Functions;

/// <summary>POST api/admin/keys <c>{name, groups[], expiresAt?}</c> → 201 with the new key, shown this once.</summary>
public sealed class CreateApiKey(ApiKeyAdministration keys)
{
    [Function(nameof(CreateApiKey)), CallerAccess(AllowedCallers.Admin), MaxBody(16 << 10)]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/admin/keys")] HttpRequest request,
        [Body] ApiKeyRequest body, Caller caller, CancellationToken cancellationToken)
    {
        if (keys.Problem(body) is { } problem) throw ApiException.BadRequest("invalid_api_key_request", problem);
        var created = await keys.CreateAsync(body, caller, cancellationToken);
        // The secret must not linger in a cache between here and the administrator.
        request.HttpContext.Response.Headers.CacheControl = "no-store";
        return new ObjectResult(CreatedApiKeyView.From(created)) { StatusCode = StatusCodes.Status201Created };
    }
}

/// <summary>GET api/admin/keys: every key created through the admin API, revoked and expired ones included.</summary>
public sealed class ListApiKeys(ApiKeyAdministration keys)
{
    [Function(nameof(ListApiKeys)), CallerAccess(AllowedCallers.Admin)]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/admin/keys")] HttpRequest request,
        CancellationToken cancellationToken) =>
        new OkObjectResult(new ApiKeyList(await keys.ListAsync(cancellationToken)));
}

/// <summary>DELETE api/admin/keys/{id}: revokes the key; it is refused from the next request on.</summary>
public sealed class RevokeApiKey(ApiKeyAdministration keys)
{
    [Function(nameof(RevokeApiKey)), CallerAccess(AllowedCallers.Admin)]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/admin/keys/{id}")] HttpRequest request,
        Guid id, Caller caller, CancellationToken cancellationToken) =>
        await keys.RevokeAsync(id, caller, cancellationToken)
            ? new NoContentResult()
            : throw ApiException.NotFound("api_key_not_found", "No API key has that id.");
}
