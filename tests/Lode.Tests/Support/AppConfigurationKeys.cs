using System.ComponentModel;
using System.Reflection;
using Lode.Functions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Lode.Tests.Support;

/// <summary>
/// The configuration keys the app reads, gathered from the code rather than written down a second time: every options
/// class <see cref="LodeServices.AddLode"/> registers (found in the service collection it builds) that declares its
/// section in a <c>SectionName</c> constant, walked property by property the way the configuration binder walks it.
/// Collections and dictionaries become a <c>*</c> segment (<c>Security:ApiKeys:*:Groups:*</c>). Plus a short list of
/// keys that are not options but are legitimately configured (<see cref="NonOptionsKeys"/>). Tests that check a
/// document or a manifest against the app's configuration use this one helper.
/// </summary>
public static class AppConfigurationKeys
{
    /// <summary>Matches any one segment of a key: a list index, a dictionary key such as an API key's name.</summary>
    public const string AnySegment = "*";

    private const int MaxDepth = 8;

    private static readonly Type[] OptionsServiceDefinitions =
    [
        typeof(IConfigureOptions<>), typeof(IPostConfigureOptions<>), typeof(IValidateOptions<>), typeof(IOptionsChangeTokenSource<>),
    ];

    private static readonly Lazy<IReadOnlyList<Type>> RegisteredOptionsTypes = new(FindRegisteredOptionsTypes);
    private static readonly Lazy<IReadOnlyList<OptionKey>> BoundKeys = new(() =>
        RegisteredOptionsTypes.Value.Where(t => SectionOf(t) is not null).SelectMany(KeysOf).ToList());

    /// <summary>
    /// Keys that no options class binds but that a deployment or README may name, each with the reason. A trailing
    /// <c>*</c> matches any rest of the key.
    /// </summary>
    public static IReadOnlyList<(string Key, string Reason)> NonOptionsKeys { get; } =
    [
        ("Urls", "standalone listen address, read by ASP.NET Core (LodeApp.BuildStandalone)"),
        ("ASPNETCORE_URLS", "the listen address as ASP.NET Core's own variable, read by standalone mode and the Functions host"),
        ("AzureWebJobs*", "the Functions host's settings (AzureWebJobsScriptRoot, AzureWebJobsStorage) and AzureWebJobs.<Function>.Disabled, which both hosting modes honour"),
        ("AzureFunctionsJobHost:*", "host.json values overridden from the environment, read by the Functions host"),
        ("FUNCTIONS_*", "the Functions host's runtime settings (FUNCTIONS_WORKER_RUNTIME, ...)"),
        ("Logging:*", "log levels, read by Microsoft.Extensions.Logging in both hosting modes"),
        ("OTEL_*", "OpenTelemetry's standard environment variables (OTEL_EXPORTER_OTLP_ENDPOINT, ..._HEADERS, ...), read by its exporters"),
        .. TriggerSettingKeys(),
    ];

    /// <summary>
    /// Settings named by the functions' trigger binding expressions (<c>[TimerTrigger("%Reconcile:Schedule%")]</c>):
    /// read by the Functions host and by the standalone timer scheduler, not by an options class.
    /// </summary>
    private static IEnumerable<(string Key, string Reason)> TriggerSettingKeys() =>
        typeof(LodeApp).Assembly.GetTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
            .SelectMany(m => m.GetParameters().Select(p => (Method: m, Trigger: p.GetCustomAttribute<Microsoft.Azure.Functions.Worker.TimerTriggerAttribute>())))
            .Where(x => x.Trigger?.Schedule is ['%', .., '%'])
            .Select(x => (x.Trigger!.Schedule[1..^1], $"the schedule of timer function {x.Method.DeclaringType!.Name}"));

    /// <summary>Options types registered by AddLode (in the Lode namespaces), whether or not they declare a section.</summary>
    public static IReadOnlyList<Type> OptionsTypes => RegisteredOptionsTypes.Value;

    /// <summary>Every key pattern the registered options classes bind, e.g. <c>Ingestion:Buckets:*</c>.</summary>
    public static IReadOnlyList<OptionKey> Bound => BoundKeys.Value;

    /// <summary>The <c>SectionName</c> constant of an options type, or null when it declares none.</summary>
    public static string? SectionOf(Type optionsType) =>
        optionsType.GetField("SectionName", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } field
            ? (string?)field.GetRawConstantValue()
            : null;

    /// <summary><c>Section__Key</c> (an environment variable, a ConfigMap key) as the configuration key <c>Section:Key</c>.</summary>
    public static string FromEnvironmentName(string name) => name.Replace("__", ":", StringComparison.Ordinal);

    /// <summary>The options key <paramref name="key"/> falls under, if any (case-insensitive, as configuration is).</summary>
    public static OptionKey? BindingOf(string key) => Bound.FirstOrDefault(k => Matches(k.Pattern, key));

    /// <summary>The allowlisted non-options entry <paramref name="key"/> falls under, if any.</summary>
    public static string? NonOptionsEntryOf(string key) =>
        NonOptionsKeys.Select(e => e.Key).FirstOrDefault(allowed => allowed.EndsWith('*')
            ? key.StartsWith(allowed[..^1], StringComparison.OrdinalIgnoreCase)
            : key.Equals(allowed, StringComparison.OrdinalIgnoreCase));

    /// <summary>True when the app reads <paramref name="key"/>: an options key or an allowlisted one.</summary>
    public static bool IsRead(string key) => BindingOf(key) is not null || NonOptionsEntryOf(key) is not null;

    /// <summary>Segment by segment; <see cref="AnySegment"/> in either stands for any one segment.</summary>
    public static bool Matches(string pattern, string key)
    {
        var p = pattern.Split(':');
        var k = key.Split(':');
        return p.Length == k.Length && p.Zip(k).All(s =>
            s.First == AnySegment || s.Second == AnySegment || s.First.Equals(s.Second, StringComparison.OrdinalIgnoreCase));
    }

    private static IReadOnlyList<Type> FindRegisteredOptionsTypes()
    {
        var services = new ServiceCollection();
        services.AddLode(new ConfigurationBuilder().Build());
        return services
            .Select(d => d.ServiceType)
            .Where(t => t.IsGenericType && OptionsServiceDefinitions.Contains(t.GetGenericTypeDefinition()))
            .Select(t => t.GetGenericArguments()[0])
            .Where(t => t.Namespace?.StartsWith("Lode.", StringComparison.Ordinal) == true)
            .Distinct()
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .ToList();
    }

    private static IEnumerable<OptionKey> KeysOf(Type optionsType) =>
        PropertyKeys(SectionOf(optionsType)!, optionsType, optionsType.Name, 0)
            .Select(k => new OptionKey(k.Pattern, k.PropertyPath, optionsType));

    // What ConfigurationBinder binds: public instance properties it can set, and get-only ones holding an object,
    // collection or dictionary it fills in place.
    private static IEnumerable<(string Pattern, string PropertyPath)> PropertyKeys(string prefix, Type type, string path, int depth)
    {
        if (depth > MaxDepth) yield break;
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetMethod is not { IsPublic: true } || property.GetIndexParameters().Length > 0) continue;
            var settable = property.SetMethod is { IsPublic: true };
            var leaf = IsLeaf(property.PropertyType);
            if (!settable && leaf) continue;
            var name = property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? property.Name;
            foreach (var key in ValueKeys($"{prefix}:{name}", property.PropertyType, $"{path}.{property.Name}", depth + 1))
            {
                yield return key;
            }
        }
    }

    private static IEnumerable<(string Pattern, string PropertyPath)> ValueKeys(string key, Type type, string path, int depth)
    {
        if (IsLeaf(type)) return [(key, path)];
        if (ElementType(type) is { } element) return ValueKeys($"{key}:{AnySegment}", element, path, depth);
        return PropertyKeys(key, type, path, depth);
    }

    private static bool IsLeaf(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t == typeof(string) || t.IsPrimitive || t.IsEnum || t == typeof(object)
            || TypeDescriptor.GetConverter(t).CanConvertFrom(typeof(string));
    }

    // The value type of a dictionary (keys are the segment), or the element type of an array or collection.
    private static Type? ElementType(Type type)
    {
        if (type.IsArray) return type.GetElementType();
        var interfaces = type.IsInterface ? type.GetInterfaces().Append(type) : type.GetInterfaces();
        var generic = interfaces.Where(i => i.IsGenericType).ToList();
        var dictionary = generic.FirstOrDefault(i => i.GetGenericTypeDefinition() is var d
            && (d == typeof(IDictionary<,>) || d == typeof(IReadOnlyDictionary<,>)));
        if (dictionary is not null) return dictionary.GetGenericArguments()[1];
        return generic.FirstOrDefault(i => i.GetGenericTypeDefinition() == typeof(IEnumerable<>))?.GetGenericArguments()[0];
    }
}

/// <summary>One bindable key: its pattern (<c>Teams:UserGroups:*:*</c>), the property path and the options type.</summary>
public sealed record OptionKey(string Pattern, string PropertyPath, Type OptionsType);
