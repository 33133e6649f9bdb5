using System.Reflection;
using Lode.Functions.Hosting;
using Lode.Identity;

namespace Lode.Functions.Invocation;

/// <summary>
/// What an HTTP function declared it needs (who may call it, its body), read once from its method's attributes at
/// start-up: the invocation pipeline applies it the same way in both hosting modes.
/// </summary>
public sealed record FunctionPolicy(string Name, AllowedCallers Access, long? MaxBodyBytes, Type? BodyType)
{
    /// <summary>Reads <paramref name="method"/>'s declarations; throws <see cref="FunctionSignatureException"/> when they are incomplete.</summary>
    public static FunctionPolicy Of(string name, MethodInfo method)
    {
        var access = method.GetCustomAttribute<CallerAccessAttribute>()?.Access
            ?? throw Invalid(method, "declare who may call it with [CallerAccess(Access....)]; no function is public by omission");
        var maxBody = method.GetCustomAttribute<MaxBodyAttribute>()?.Bytes;
        var bodies = method.GetParameters().Where(p => p.GetCustomAttribute<BodyAttribute>() is not null).ToList();
        if (bodies.Count > 1) throw Invalid(method, "only one parameter can be the [Body]");
        if (bodies.Count == 1 && maxBody is null) throw Invalid(method, "a [Body] parameter needs [MaxBody(bytes)] on the method");
        if (maxBody is <= 0) throw Invalid(method, "[MaxBody] must be a positive number of bytes");
        if (access is not (AllowedCallers.Caller or AllowedCallers.Admin) && method.GetParameters().Any(p => p.ParameterType == typeof(Caller)))
            throw Invalid(method, "a Caller parameter needs [CallerAccess(AllowedCallers.Caller)] or [CallerAccess(AllowedCallers.Admin)]");
        return new FunctionPolicy(name, access, maxBody, bodies.SingleOrDefault()?.ParameterType);
    }

    private static FunctionSignatureException Invalid(MethodInfo method, string why) =>
        new($"Function method {method.DeclaringType?.FullName}.{method.Name} cannot be served: {why}.");
}
