using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace Lode.Functions.Invocation;

/// <summary>
/// Every HTTP function's <see cref="FunctionPolicy"/> by function name, read once when the app is built (in host mode;
/// standalone mode keeps them in its function catalog). A function the host invokes that has none is refused.
/// </summary>
public sealed class FunctionPolicies
{
    private readonly Dictionary<string, FunctionPolicy> _byName;

    private FunctionPolicies(Dictionary<string, FunctionPolicy> byName) => _byName = byName;

    public static FunctionPolicies Discover(Assembly assembly) => new((
        from type in assembly.GetExportedTypes()
        from method in type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
        let function = method.GetCustomAttribute<FunctionAttribute>()
        where function is not null && method.GetParameters().Any(p => p.GetCustomAttribute<HttpTriggerAttribute>() is not null)
        select FunctionPolicy.Of(function.Name, method)).ToDictionary(p => p.Name, StringComparer.OrdinalIgnoreCase));

    public FunctionPolicy For(string functionName) =>
        _byName.TryGetValue(functionName, out var policy)
            ? policy
            : throw new InvalidOperationException($"Function '{functionName}' has no declared policy; it is not served.");
}
