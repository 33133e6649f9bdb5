using YamlDotNet.RepresentationModel;

namespace Lode.Tests.Deployment;

/// <summary>Reading parsed YAML without a cast at every step: a missing key or a node of another shape is null.</summary>
public static class Yaml
{
    /// <summary>Every document of a (multi-document) YAML file.</summary>
    public static IReadOnlyList<YamlDocument> LoadFile(string path)
    {
        using var reader = new StreamReader(path);
        var stream = new YamlStream();
        stream.Load(reader);
        return stream.Documents.ToList();
    }

    public static YamlNode? Get(this YamlNode? node, string key) =>
        node is YamlMappingNode map && map.Children.TryGetValue(new YamlScalarNode(key), out var value) ? value : null;

    public static YamlMappingNode? Map(this YamlNode? node, string key) => node.Get(key) as YamlMappingNode;

    public static YamlSequenceNode? Seq(this YamlNode? node, string key) => node.Get(key) as YamlSequenceNode;

    public static string? Str(this YamlNode? node, string key) => (node.Get(key) as YamlScalarNode)?.Value;

    /// <summary>The mappings in a sequence (empty when there is none).</summary>
    public static IEnumerable<YamlMappingNode> Maps(this YamlSequenceNode? sequence) =>
        sequence?.Children.OfType<YamlMappingNode>() ?? [];

    /// <summary>The scalars in a sequence (empty when there is none).</summary>
    public static IEnumerable<string> Strings(this YamlSequenceNode? sequence) =>
        sequence?.Children.OfType<YamlScalarNode>().Select(s => s.Value ?? "") ?? [];

    /// <summary>A mapping of scalars (labels, a ConfigMap's data) as a dictionary.</summary>
    public static IReadOnlyDictionary<string, string> Scalars(this YamlNode? node) =>
        node is YamlMappingNode map
            ? map.Children.Where(c => c.Value is YamlScalarNode).ToDictionary(
                c => ((YamlScalarNode)c.Key).Value ?? "", c => ((YamlScalarNode)c.Value).Value ?? "", StringComparer.Ordinal)
            : new Dictionary<string, string>();

    /// <summary>The keys of a mapping.</summary>
    public static IEnumerable<string> Keys(this YamlNode? node) =>
        node is YamlMappingNode map ? map.Children.Keys.OfType<YamlScalarNode>().Select(k => k.Value ?? "") : [];

    /// <summary>Every scalar under a node, depth first.</summary>
    public static IEnumerable<YamlScalarNode> AllScalars(this YamlNode node) => node switch
    {
        YamlScalarNode scalar => [scalar],
        YamlMappingNode map => map.Children.SelectMany(c => c.Key.AllScalars().Concat(c.Value.AllScalars())),
        YamlSequenceNode sequence => sequence.Children.SelectMany(AllScalars),
        _ => [],
    };

    /// <summary>"line N" of a node, for failure messages.</summary>
    public static string Where(this YamlNode node) => $"line {node.Start.Line}";
}
