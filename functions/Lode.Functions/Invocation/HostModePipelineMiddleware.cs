using Lode.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Converters;
using Microsoft.Azure.Functions.Worker.Middleware;

namespace Lode.Functions.Invocation;

/// <summary>
/// Host mode's door to the <see cref="FunctionPipeline"/>: each HTTP invocation runs through it exactly as a
/// standalone one does. The worker's ASP.NET Core integration executes the invocation result set here (the function's
/// own, or the error) as it would one the function returned; timers pass straight through.
/// </summary>
internal sealed class HostModePipelineMiddleware(FunctionPipeline pipeline, FunctionPolicies policies) : IFunctionsWorkerMiddleware
{
    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        if (context.GetHttpContext() is not { } http)
        {
            await next(context);
            return;
        }

        var result = context.GetInvocationResult();
        result.Value = await pipeline.RunAsync(http, policies.For(context.FunctionDefinition.Name), async () =>
        {
            await next(context);
            return result.Value;
        });
    }
}

/// <summary>
/// Host mode's binder for what the pipeline admitted: a <c>Caller</c> parameter and the <see cref="BodyAttribute"/>
/// parameter get the values the standalone binder gives them (<see cref="AdmittedRequest"/>).
/// </summary>
internal sealed class AdmittedRequestConverter : IInputConverter
{
    public ValueTask<ConversionResult> ConvertAsync(ConverterContext context)
    {
        var admitted = context.FunctionContext.GetHttpContext() is { } http ? AdmittedRequest.Of(http) : null;
        object? value = admitted switch
        {
            { Caller: { } caller } when context.TargetType == typeof(Caller) => caller,
            { Body: { } body } when context.TargetType.IsInstanceOfType(body) && context.TargetType != typeof(object) => body,
            _ => null,
        };
        return ValueTask.FromResult(value is null
            ? ConversionResult.Unhandled()
            : ConversionResult.Success(value));
    }
}
