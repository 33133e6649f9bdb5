using Lode.Functions.Invocation;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Abstractions;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Lode.Functions.Hosting;

/// <summary>Maps each HTTP function to an endpoint: its own route and methods, nothing added in front.</summary>
internal static class FunctionEndpoints
{
    public static IEndpointRouteBuilder MapFunctions(this IEndpointRouteBuilder endpoints, FunctionCatalog catalog)
    {
        foreach (var function in catalog.Http)
        {
            var endpoint = endpoints
                .Map(function.Route, context => InvokeAsync(function, context))
                .WithDisplayName($"Function {function.Name}")
                .WithMetadata(function);
            if (function.HttpMethods.Count > 0)
            {
                endpoint.WithMetadata(new HttpMethodMetadata(function.HttpMethods));
            }
        }

        return endpoints;
    }

    private static async Task InvokeAsync(HttpFunction function, HttpContext context)
    {
        var pipeline = context.RequestServices.GetRequiredService<FunctionPipeline>();
        var result = await pipeline.RunAsync(context, function.Policy, () => function.Invoker.InvokeAsync(
            new FunctionInvocation(context.RequestServices, context, null, context.RequestAborted)));

        // The same result handling as the worker's ASP.NET Core integration (FunctionsHttpProxyingMiddleware).
        switch (result)
        {
            case IActionResult actionResult:
                await actionResult.ExecuteResultAsync(new ActionContext(context, context.GetRouteData(), new ActionDescriptor()));
                break;
            case IResult httpResult:
                await httpResult.ExecuteAsync(context);
                break;
        }
    }
}
