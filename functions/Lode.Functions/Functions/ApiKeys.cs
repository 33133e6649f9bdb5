using Lode.Functions.Http;
using Lode.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Lode.Functions;

/// <summary>POST api/admin/keys <c>{name, groups[], expiresAt?}</c> → 201 with the new key, shown this once.</summary>
public sealed class CreateApiKey(ApiCallers callers, ApiKeyAdministration keys)
{
    private const long MaxBodyBytes = 16 << 10;

    [Function(nameof(CreateApiKey))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "api/admin/keys")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var check = await callers.AuthenticateAdminAsync(request, cancellationToken);
        if (check.Refused) return check.Refusal;

        var (body, error) = await JsonBody.ReadAsync<ApiKeyRequest>(request, MaxBodyBytes, cancellationToken);
        if (error is not null) return error;
        if (keys.Problem(body!) is { } problem) return ApiErrors.Result(StatusCodes.Status400BadRequest, "invalid_api_key_request", problem);

        var created = await keys.CreateAsync(body!, check.Caller, cancellationToken);
        // The secret must not linger in a cache between here and the administrator.
        request.HttpContext.Response.Headers.CacheControl = "no-store";
        return new ObjectResult(CreatedApiKeyView.From(created)) { StatusCode = StatusCodes.Status201Created };
    }
}

/// <summary>GET api/admin/keys: every key created through the admin API, revoked and expired ones included.</summary>
public sealed class ListApiKeys(ApiCallers callers, ApiKeyAdministration keys)
{
    [Function(nameof(ListApiKeys))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "api/admin/keys")] HttpRequest request,
        CancellationToken cancellationToken)
    {
        var check = await callers.AuthenticateAdminAsync(request, cancellationToken);
        if (check.Refused) return check.Refusal;
        var list = await keys.ListAsync(cancellationToken);
        return new OkObjectResult(new ApiKeyList(list));
    }
}

/// <summary>DELETE api/admin/keys/{id}: revokes the key; it is refused from the next request on.</summary>
public sealed class RevokeApiKey(ApiCallers callers, ApiKeyAdministration keys)
{
    [Function(nameof(RevokeApiKey))]
    public async Task<IActionResult> Run(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "api/admin/keys/{id}")] HttpRequest request,
        Guid id,
        CancellationToken cancellationToken)
    {
        var check = await callers.AuthenticateAdminAsync(request, cancellationToken);
        if (check.Refused) return check.Refusal;
        return await keys.RevokeAsync(id, check.Caller, cancellationToken)
            ? new NoContentResult()
            : ApiErrors.Result(StatusCodes.Status404NotFound, "api_key_not_found", "No API key has that id.");
    }
}
