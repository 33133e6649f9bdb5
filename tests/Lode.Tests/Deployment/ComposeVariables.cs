using System.Text.RegularExpressions;

namespace Lode.Tests.Deployment;

/// <summary>Compose's variable interpolation: <c>${NAME}</c>, <c>${NAME:-default}</c>, <c>${NAME:?error}</c>.</summary>
public static partial class ComposeVariables
{
    /// <summary>The variable names a value refers to.</summary>
    public static IEnumerable<string> Referenced(string value) =>
        Reference().Matches(value).Select(m => m.Groups["name"].Value);

    /// <summary>The value with every reference replaced as compose would, from <paramref name="variables"/>.</summary>
    public static string Interpolate(string value, IReadOnlyDictionary<string, string> variables) =>
        Reference().Replace(value, m =>
        {
            var set = variables.TryGetValue(m.Groups["name"].Value, out var v) && v.Length > 0 ? v : null;
            return (set, m.Groups["op"].Value) switch
            {
                ({ } given, _) => given,
                (null, "-") => m.Groups["arg"].Value,
                (null, "?") => throw new InvalidOperationException($"compose would refuse: {m.Groups["arg"].Value}"),
                _ => "",
            };
        });

    [GeneratedRegex(@"\$\{(?<name>\w+)(?::(?<op>[-?])(?<arg>[^}]*))?\}")]
    private static partial Regex Reference();
}
