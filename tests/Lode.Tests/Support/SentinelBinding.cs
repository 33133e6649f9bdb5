using Lode.Functions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Lode.Tests.Support;

/// <summary>
/// Proves that a key <see cref="AppConfigurationKeys"/> derived really reaches its property: configures the app with a
/// sentinel value at the key and applies the <see cref="IConfigureOptions{TOptions}"/> that AddLode registered to a
/// fresh options object (no validation, no other service resolved).
/// </summary>
public static class SentinelBinding
{
    private static readonly Dictionary<Type, Func<object?, object>> Sentinels = new()
    {
        [typeof(string)] = _ => "sentinel-value",
        [typeof(int)] = _ => 7_777,
        [typeof(long)] = _ => 7_777_777L,
        [typeof(double)] = _ => 7.25,
        [typeof(float)] = _ => 7.25f,
        [typeof(bool)] = current => !(bool)(current ?? false),
    };

    /// <summary>True for a plain top-level property (<c>Section:Name</c>) of a type a sentinel exists for.</summary>
    public static bool CanProbe(Type optionsType, OptionKey key) =>
        !key.Pattern.Contains(AppConfigurationKeys.AnySegment, StringComparison.Ordinal)
        && key.PropertyPath.Count(c => c == '.') == 1
        && Sentinels.ContainsKey(PropertyType(optionsType, key));

    public static bool Binds(Type optionsType, OptionKey key)
    {
        var property = optionsType.GetProperty(key.PropertyPath.Split('.')[1])!;
        var propertyType = PropertyType(optionsType, key);
        var sentinel = Sentinels[propertyType](property.GetValue(Activator.CreateInstance(optionsType)));
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection([new KeyValuePair<string, string?>(key.Pattern, Convert.ToString(sentinel, System.Globalization.CultureInfo.InvariantCulture))])
            .Build();
        var services = new ServiceCollection();
        services.AddLode(configuration);
        using var provider = services.BuildServiceProvider();

        var options = Activator.CreateInstance(optionsType)!;
        var configureType = typeof(IConfigureOptions<>).MakeGenericType(optionsType);
        var configure = configureType.GetMethod(nameof(IConfigureOptions<object>.Configure))!;
        foreach (var configurer in provider.GetServices(configureType)) configure.Invoke(configurer, [options]);
        return Equals(property.GetValue(options), sentinel);
    }

    private static Type PropertyType(Type optionsType, OptionKey key)
    {
        var type = optionsType.GetProperty(key.PropertyPath.Split('.')[1])!.PropertyType;
        return Nullable.GetUnderlyingType(type) ?? type;
    }
}
