using System.Reflection;
using Lode.Functions.Invocation;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Configuration;

namespace Lode.Functions.Hosting;

public sealed class HttpFunction
{
    internal HttpFunction(string name, MethodInfo method, RoutePattern route, IReadOnlyList<string> httpMethods, FunctionPolicy policy,
        FunctionMethodInvoker invoker)
    {
        Name = name;
        Policy = policy;
        Method = method;
        Route = route;
        HttpMethods = httpMethods;
        Invoker = invoker;
    }

    public string Name { get; }
    public MethodInfo Method { get; }
    public RoutePattern Route { get; }

    /// <summary>Upper-case HTTP methods; empty means any method, as in the Functions host.</summary>
    public IReadOnlyList<string> HttpMethods { get; }

    /// <summary>What the function declared it needs; the invocation pipeline applies it.</summary>
    public FunctionPolicy Policy { get; }

    internal FunctionMethodInvoker Invoker { get; }
}

public sealed class TimerFunction
{
    internal TimerFunction(string name, MethodInfo method, TimerSchedule schedule, bool runOnStartup, FunctionMethodInvoker invoker)
    {
        Name = name;
        Method = method;
        Schedule = schedule;
        RunOnStartup = runOnStartup;
        Invoker = invoker;
    }

    public string Name { get; }
    public MethodInfo Method { get; }
    public TimerSchedule Schedule { get; }
    public bool RunOnStartup { get; }

    internal FunctionMethodInvoker Invoker { get; }
}

/// <summary>
/// The [Function] methods standalone mode serves, found by reflection and checked once at startup: an HTTP
/// trigger or a timer trigger, a signature standalone can bind, unique names and routes. Anything else throws
/// <see cref="FunctionSignatureException"/> naming the method, so the app refuses to start rather than 404 later.
/// </summary>
public sealed class FunctionCatalog
{
    private FunctionCatalog(IReadOnlyList<HttpFunction> http, IReadOnlyList<TimerFunction> timers)
    {
        Http = http;
        Timers = timers;
    }

    public IReadOnlyList<HttpFunction> Http { get; }
    public IReadOnlyList<TimerFunction> Timers { get; }

    /// <summary>Scans the public types of <paramref name="assemblies"/>, as the Worker SDK does at build time.</summary>
    public static FunctionCatalog Discover(IEnumerable<Assembly> assemblies, IConfiguration configuration) =>
        Discover(assemblies.Distinct().SelectMany(a => a.GetExportedTypes()), configuration);

    public static FunctionCatalog Discover(IEnumerable<Type> types, IConfiguration configuration)
    {
        var http = new List<HttpFunction>();
        var timers = new List<TimerFunction>();
        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);

        var methods = types
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Function: m.GetCustomAttribute<FunctionAttribute>()))
            .Where(x => x.Function is not null);

        foreach (var (method, function) in methods)
        {
            var name = function!.Name;
            if (!names.Add(name))
            {
                throw Invalid(method, $"another function is already named '{name}'");
            }

            if (!method.IsStatic && (method.DeclaringType!.IsAbstract || method.DeclaringType.ContainsGenericParameters))
            {
                throw Invalid(method, "its class must be concrete and non-generic so it can be created per invocation");
            }

            if (IsDisabled(configuration, name))
            {
                continue;
            }

            var parameters = method.GetParameters();
            if (parameters.Select(p => p.GetCustomAttribute<HttpTriggerAttribute>()).FirstOrDefault(a => a is not null) is { } httpTrigger)
            {
                http.Add(CreateHttp(name, method, httpTrigger));
            }
            else if (parameters.Select(p => p.GetCustomAttribute<TimerTriggerAttribute>()).FirstOrDefault(a => a is not null) is { } timerTrigger)
            {
                timers.Add(CreateTimer(name, method, timerTrigger, configuration));
            }
            else
            {
                throw Invalid(method, "standalone mode serves only [HttpTrigger] and [TimerTrigger] functions");
            }
        }

        RejectDuplicateRoutes(http);
        return new FunctionCatalog(http, timers);
    }

    private static HttpFunction CreateHttp(string name, MethodInfo method, HttpTriggerAttribute trigger)
    {
        if (trigger.AuthLevel != AuthorizationLevel.Anonymous)
        {
            // Standalone has no function keys; one behaviour in both modes means the app authenticates callers itself.
            throw Invalid(method, "use AuthorizationLevel.Anonymous; callers are authenticated by the app, not by function keys");
        }

        var resultType = ReturnValues.ResultType(method.ReturnType);
        if (resultType != typeof(void) && !typeof(IActionResult).IsAssignableFrom(resultType) && !typeof(IResult).IsAssignableFrom(resultType))
        {
            throw Invalid(method, "an HTTP function returns IActionResult or IResult (or a Task/ValueTask of one), or writes the response itself and returns Task");
        }

        // With routePrefix "" in host.json, the host's default route is the function name itself.
        var template = (trigger.Route ?? name).Trim('/');
        RoutePattern route;
        try
        {
            route = RoutePatternFactory.Parse(template);
        }
        catch (RoutePatternException e)
        {
            throw Invalid(method, $"route '{template}' is not a valid route template: {e.Message}");
        }

        var httpMethods = (trigger.Methods ?? []).Select(m => m.ToUpperInvariant()).Distinct().ToArray();
        var invoker = new FunctionMethodInvoker(method, FunctionParameters.ForHttp(method, route));
        return new HttpFunction(name, method, route, httpMethods, FunctionPolicy.Of(name, method), invoker);
    }

    private static TimerFunction CreateTimer(string name, MethodInfo method, TimerTriggerAttribute trigger, IConfiguration configuration)
    {
        if (ReturnValues.ResultType(method.ReturnType) != typeof(void))
        {
            throw Invalid(method, "a timer function returns void, Task or ValueTask");
        }

        TimerSchedule schedule;
        try
        {
            schedule = TimerSchedule.Parse(trigger.Schedule, configuration);
        }
        catch (FormatException e)
        {
            throw Invalid(method, $"schedule '{trigger.Schedule}': {e.Message}");
        }

        return new TimerFunction(name, method, schedule, trigger.RunOnStartup,
            new FunctionMethodInvoker(method, FunctionParameters.ForTimer(method)));
    }

    // The host's switch for turning one function off: app setting AzureWebJobs.<FunctionName>.Disabled=true.
    private static bool IsDisabled(IConfiguration configuration, string name) =>
        bool.TryParse(configuration[$"AzureWebJobs.{name}.Disabled"], out var disabled) && disabled;

    private static void RejectDuplicateRoutes(IEnumerable<HttpFunction> functions)
    {
        var seen = new Dictionary<(string Route, string Method), HttpFunction>();
        foreach (var function in functions)
        {
            var route = function.Route.RawText!.Trim('/').ToLowerInvariant();
            foreach (var httpMethod in function.HttpMethods.DefaultIfEmpty("*"))
            {
                if (!seen.TryAdd((route, httpMethod), function))
                {
                    throw Invalid(function.Method, $"{httpMethod} {route} is also served by function '{seen[(route, httpMethod)].Name}'");
                }
            }
        }
    }

    private static FunctionSignatureException Invalid(MethodInfo method, string why) =>
        new($"Function method {method.DeclaringType?.FullName}.{method.Name} cannot be served in standalone mode: {why}.");
}
