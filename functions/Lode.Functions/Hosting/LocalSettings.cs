using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.EnvironmentVariables;
using Microsoft.Extensions.Configuration.Memory;

namespace Lode.Functions.Hosting;

/// <summary>
/// Reads local.settings.json in standalone mode, as `func start` would: its "Values" become settings (with "__"
/// meaning ":" as in environment variables) and its "ConnectionStrings" become ConnectionStrings:*. The file is
/// optional and sits below environment variables and the command line, which override it.
/// </summary>
internal static class LocalSettings
{
    public const string FileName = "local.settings.json";

    public static void AddTo(IConfigurationManager configuration, string directory)
    {
        var path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            return;
        }

        var source = new MemoryConfigurationSource { InitialData = Read(path) };
        var sources = configuration.Sources;
        var environmentIndex = sources
            .Select((s, i) => (Source: s, Index: i))
            .Where(x => x.Source is EnvironmentVariablesConfigurationSource { Prefix: null or "" })
            .Select(x => x.Index)
            .DefaultIfEmpty(sources.Count)
            .First();
        sources.Insert(environmentIndex, source);
    }

    private static Dictionary<string, string?> Read(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path),
            new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        var settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        Copy(document.RootElement, "Values", prefix: "", settings);
        Copy(document.RootElement, "ConnectionStrings", prefix: "ConnectionStrings:", settings);
        return settings;
    }

    private static void Copy(JsonElement root, string section, string prefix, Dictionary<string, string?> settings)
    {
        if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty(section, out var values) || values.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        foreach (var property in values.EnumerateObject())
        {
            var key = prefix + property.Name.Replace("__", ":", StringComparison.Ordinal);
            settings[key] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : property.Value.GetRawText();
        }
    }
}
