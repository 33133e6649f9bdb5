using System.Text.Json;
using Lode.Functions.Http;
using Lode.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Lode.Functions.Invocation;

/// <summary>
/// Runs one HTTP function invocation the way its <see cref="FunctionPolicy"/> declares, in both hosting modes (the
/// standalone endpoints and the Functions-host middleware call it alike): admits the request (who may call, the body
/// within its size), runs the function, and turns any exception into the contract's error response, through
/// <see cref="ApiProblems"/> only. Exceptions after the response started, or from a caller that went away, are
/// rethrown: nothing can be answered any more, and the host cuts the response.
/// </summary>
public sealed class FunctionPipeline(ApiCallers callers, WebhookAuthenticator webhook, ILogger<FunctionPipeline> logger)
{
    /// <summary>The function's result, or the error result to execute instead.</summary>
    public async Task<object?> RunAsync(HttpContext http, FunctionPolicy policy, Func<Task<object?>> function)
    {
        try
        {
            (await AdmitAsync(http, policy)).AttachTo(http);
            return await function();
        }
        catch (Exception e) when (!http.Response.HasStarted && !(e is OperationCanceledException && http.RequestAborted.IsCancellationRequested))
        {
            var problem = ApiProblems.From(e);
            if (problem is null) logger.LogError(e, "Function {Function} failed for {Method} {Path}", policy.Name, http.Request.Method, http.Request.Path);
            return ApiErrors.Result(problem ?? ApiProblems.Internal);
        }
    }

    private async Task<AdmittedRequest> AdmitAsync(HttpContext http, FunctionPolicy policy)
    {
        var request = http.Request;
        var caller = policy.Access switch
        {
            AllowedCallers.Caller => await callers.AuthenticateAsync(request, http.RequestAborted),
            AllowedCallers.Admin => await callers.AuthenticateAdminAsync(request, http.RequestAborted),
            AllowedCallers.WebhookToken when !webhook.IsAuthorized(request.Headers.Authorization) =>
                throw new ApiException(StatusCodes.Status401Unauthorized, "unauthorized", "Wrong or missing webhook token."),
            _ => null,
        };
        return new AdmittedRequest(caller, policy.BodyType is { } type ? await ReadBodyAsync(request, type, policy.MaxBodyBytes!.Value) : null);
    }

    private static async Task<object> ReadBodyAsync(HttpRequest request, Type type, long maxBytes)
    {
        var raw = await RequestBody.ReadAsync(request, maxBytes, request.HttpContext.RequestAborted);
        if (type == typeof(ReadOnlyMemory<byte>)) return raw;
        try
        {
            return JsonSerializer.Deserialize(raw.Span, type, HttpJson.Options)
                ?? throw ApiException.BadRequest(RequestBody.InvalidJsonCode, "The body must be a JSON object.");
        }
        catch (JsonException e)
        {
            throw ApiException.BadRequest(RequestBody.InvalidJsonCode, JsonErrorText.Describe(e));
        }
    }
}
