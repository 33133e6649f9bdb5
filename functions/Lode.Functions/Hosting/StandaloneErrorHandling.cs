using Lode.Functions.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;

namespace Lode.Functions.Hosting;

/// <summary>
/// Keeps the error contract in standalone mode: every error the framework or a failing function produces is
/// <c>{"error":{"code","message"}}</c>, and no exception text or stack trace reaches the caller.
/// </summary>
internal static class StandaloneErrorHandling
{
    /// <summary>Code of the 404 that no function produced; lets callers (and tests) tell it from a function's 404.</summary>
    public const string RouteNotFoundCode = "route_not_found";

    public static IApplicationBuilder UseJsonErrors(this IApplicationBuilder app) =>
        app.UseMiddleware<ExceptionToJsonMiddleware>()
            .UseStatusCodePages(context => WriteBareStatusAsync(context.HttpContext));

    // Runs only for 4xx/5xx responses that have no body yet (routing's 404 and 405, bare StatusCodeResults).
    private static Task WriteBareStatusAsync(HttpContext http)
    {
        var status = http.Response.StatusCode;
        var endpoint = http.GetEndpoint();
        return status == StatusCodes.Status404NotFound && endpoint is null
            ? ApiErrors.WriteAsync(http, status, RouteNotFoundCode, "No function serves this route.")
            : status == StatusCodes.Status405MethodNotAllowed
                ? ApiErrors.WriteAsync(http, status, ApiErrors.CodeFor(status), $"This route does not accept {http.Request.Method}.")
                : ApiErrors.WriteAsync(http, status, ApiErrors.CodeFor(status), ReasonPhrase(status));
    }

    private static string ReasonPhrase(int status) =>
        Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status) is { Length: > 0 } phrase ? phrase : "Error";

    private sealed class ExceptionToJsonMiddleware(RequestDelegate next, ILogger<ExceptionToJsonMiddleware> logger)
    {
        public async Task InvokeAsync(HttpContext context)
        {
            try
            {
                await next(context);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The caller went away; there is nobody to answer.
            }
            catch (BadHttpRequestException e) when (!context.Response.HasStarted)
            {
                // Kestrel's own request errors (body too large, malformed request): their message is meant for callers.
                await ApiErrors.WriteAsync(context, e.StatusCode, ApiErrors.CodeFor(e.StatusCode), e.Message);
            }
            catch (Exception e)
            {
                logger.LogError(e, "{Endpoint} failed for {Method} {Path}",
                    context.GetEndpoint()?.DisplayName ?? "Request", context.Request.Method, context.Request.Path);
                if (context.Response.HasStarted)
                {
                    // A streamed answer cannot turn into an error response any more; cut it so the caller sees a failure.
                    context.Abort();
                    return;
                }

                context.Response.Clear();
                await ApiErrors.WriteAsync(context, StatusCodes.Status500InternalServerError,
                    ApiErrors.CodeFor(StatusCodes.Status500InternalServerError), ApiErrors.InternalErrorMessage);
            }
        }
    }
}
