using Lode.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using Microsoft.Extensions.Logging;

namespace Lode.Functions.Hosting;

/// <summary>
/// Host mode's counterpart of the standalone exception handling: an HTTP function that throws answers 500 in the
/// contract's JSON shape instead of the host's empty 500. The worker's ASP.NET Core integration executes the
/// invocation result we set, exactly as it would execute one the function returned.
/// </summary>
internal sealed class HostModeExceptionMiddleware(ILogger<HostModeExceptionMiddleware> logger) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (Exception e) when (context.GetHttpContext() is { Response.HasStarted: false })
        {
            logger.LogError(e, "Function {Function} failed", context.FunctionDefinition.Name);
            context.GetInvocationResult().Value = ApiErrors.Result(StatusCodes.Status500InternalServerError,
                ApiErrors.CodeFor(StatusCodes.Status500InternalServerError), ApiErrors.InternalErrorMessage);
        }
    }
}
