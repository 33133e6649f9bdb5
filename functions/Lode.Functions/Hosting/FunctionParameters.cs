using System.Globalization;
using System.Reflection;
using Lode.Functions.Invocation;
using Lode.Identity;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Azure.Functions.Worker;

namespace Lode.Functions.Hosting;

/// <summary>
/// Decides, once at startup, where each function parameter comes from in standalone mode. Anything it cannot bind
/// is a startup error naming the method, so a function that works under the host but not here is caught at once.
/// </summary>
internal static class FunctionParameters
{
    private static readonly Type[] RouteValueTypes = [typeof(string), typeof(int), typeof(long), typeof(Guid), typeof(bool)];

    public static Func<FunctionInvocation, object?>[] ForHttp(MethodInfo method, RoutePattern route) =>
        method.GetParameters().Select(p => ForHttp(method, p, route)).ToArray();

    public static Func<FunctionInvocation, object?>[] ForTimer(MethodInfo method) =>
        method.GetParameters().Select(p => ForTimer(method, p)).ToArray();

    private static Func<FunctionInvocation, object?> ForHttp(MethodInfo method, ParameterInfo parameter, RoutePattern route)
    {
        var type = parameter.ParameterType;
        if (parameter.GetCustomAttribute<HttpTriggerAttribute>() is not null)
        {
            return type == typeof(HttpRequest)
                ? invocation => invocation.Http!.Request
                : throw Unsupported(method, parameter, "the [HttpTrigger] parameter must be Microsoft.AspNetCore.Http.HttpRequest");
        }

        if (type == typeof(CancellationToken))
        {
            return invocation => invocation.Cancellation;
        }

        // What the invocation pipeline admitted: the authenticated caller, the body read within its declared size.
        if (parameter.GetCustomAttribute<BodyAttribute>() is not null)
        {
            return invocation => AdmittedRequest.Of(invocation.Http!)?.Body;
        }

        if (type == typeof(Caller))
        {
            return invocation => AdmittedRequest.Of(invocation.Http!)?.Caller;
        }

        var routeParameter = route.Parameters.FirstOrDefault(
            r => string.Equals(r.Name, parameter.Name, StringComparison.OrdinalIgnoreCase));
        if (routeParameter is not null)
        {
            var valueType = Nullable.GetUnderlyingType(type) ?? type;
            if (!RouteValueTypes.Contains(valueType))
            {
                throw Unsupported(method, parameter, "route values bind only to string, int, long, Guid or bool");
            }

            return invocation => RouteValue(invocation.Http!, routeParameter.Name, parameter, valueType);
        }

        throw Unsupported(method, parameter, CommonAdvice(type, $"it is not a route parameter of '{route.RawText}'"));
    }

    private static Func<FunctionInvocation, object?> ForTimer(MethodInfo method, ParameterInfo parameter)
    {
        var type = parameter.ParameterType;
        if (type == typeof(TimerInfo))
        {
            return invocation => invocation.Timer;
        }

        if (parameter.GetCustomAttribute<TimerTriggerAttribute>() is not null)
        {
            throw Unsupported(method, parameter, "the [TimerTrigger] parameter must be TimerInfo");
        }

        if (type == typeof(CancellationToken))
        {
            return invocation => invocation.Cancellation;
        }

        throw Unsupported(method, parameter, CommonAdvice(type, "timer functions take only TimerInfo and CancellationToken"));
    }

    private static string CommonAdvice(Type type, string otherwise) =>
        type == typeof(FunctionContext)
            ? "FunctionContext exists only under the Functions host; inject ILogger<T> and services through the constructor"
            : typeof(Microsoft.Extensions.Logging.ILogger).IsAssignableFrom(type)
                ? "inject ILogger<T> through the constructor instead"
                : otherwise + "; read the body, query and headers from HttpRequest and take services through the constructor";

    private static object? RouteValue(HttpContext http, string name, ParameterInfo parameter, Type valueType)
    {
        var raw = http.GetRouteValue(name)?.ToString();
        if (raw is null)
        {
            return parameter.HasDefaultValue ? parameter.DefaultValue
                : valueType == parameter.ParameterType && valueType.IsValueType
                    ? throw new RouteValueException($"The route value '{name}' is missing.")
                    : null;
        }

        return valueType switch
        {
            _ when valueType == typeof(string) => raw,
            _ when valueType == typeof(int) && int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var i) => i,
            _ when valueType == typeof(long) && long.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var l) => l,
            _ when valueType == typeof(Guid) && Guid.TryParse(raw, out var g) => g,
            _ when valueType == typeof(bool) && bool.TryParse(raw, out var b) => b,
            _ => throw new RouteValueException($"The route value '{name}' is not a valid {valueType.Name}."),
        };
    }

    private static FunctionSignatureException Unsupported(MethodInfo method, ParameterInfo parameter, string why) =>
        new($"Function method {method.DeclaringType?.FullName}.{method.Name}: parameter '{parameter.Name}' of type "
            + $"{parameter.ParameterType.Name} is not supported in standalone mode ({why}).");
}
