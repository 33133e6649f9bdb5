using Lode.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Lode.Tests.Deployment;

/// <summary>
/// The deployment material under infra/, parsed once: every YAML file, the Kubernetes resources of infra/k8s (with the
/// Secrets its kustomization generates from the <c>*.env.example</c> templates), the compose files, the Dockerfile.
/// </summary>
public sealed class InfraManifests
{
    public const string K8sFolder = "infra/k8s";
    public const string ComposeFolder = "infra/compose";
    public const string DockerfilePath = "infra/docker/Dockerfile";

    private static readonly Lazy<InfraManifests> Instance = new(() => new InfraManifests(S3ServerProcess.FindRepositoryRoot()));

    private InfraManifests(string root)
    {
        Root = root;
        YamlFiles = Directory.EnumerateFiles(Path.Combine(root, "infra"), "*.*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".yaml", StringComparison.Ordinal) || f.EndsWith(".yml", StringComparison.Ordinal))
            .Select(Relative)
            .Where(f => !f.Split('/').Contains("node_modules"))
            .Order(StringComparer.Ordinal)
            .ToList();

        Kustomization = (YamlMappingNode)Yaml.LoadFile(Full($"{K8sFolder}/kustomization.yaml")).Single().RootNode;
        Kubernetes = YamlFiles
            .Where(f => f.StartsWith(K8sFolder + "/", StringComparison.Ordinal) && !f.EndsWith("/kustomization.yaml", StringComparison.Ordinal))
            .SelectMany(f => Yaml.LoadFile(Full(f)).Select(d => K8sResource.From(f, (YamlMappingNode)d.RootNode)))
            .ToList();
        GeneratedSecrets = Kustomization.Seq("secretGenerator").Maps()
            .ToDictionary(g => g.Str("name")!, g => g.Seq("envs").Strings().ToList(), StringComparer.Ordinal);
        Compose = Directory.EnumerateFiles(Full(ComposeFolder), "compose*.yaml")
            .Order(StringComparer.Ordinal)
            .Select(f => new ComposeFile(Relative(f), (YamlMappingNode)Yaml.LoadFile(f).Single().RootNode))
            .ToList();
        Dockerfile = Dockerfile.Parse(File.ReadAllText(Full(DockerfilePath)));
    }

    public static InfraManifests Load() => Instance.Value;

    public string Root { get; }

    /// <summary>Every YAML file under infra/ (repository-relative, '/'-separated), node_modules excluded.</summary>
    public IReadOnlyList<string> YamlFiles { get; }

    public YamlMappingNode Kustomization { get; }

    /// <summary>The resources of the YAML files in infra/k8s (the kustomization excepted).</summary>
    public IReadOnlyList<K8sResource> Kubernetes { get; }

    /// <summary>Secrets the kustomization generates: name → the env files it reads (relative to infra/k8s).</summary>
    public IReadOnlyDictionary<string, List<string>> GeneratedSecrets { get; }

    public IReadOnlyList<ComposeFile> Compose { get; }

    public ComposeFile BaseCompose => Compose.Single(c => c.File.EndsWith("/compose.yaml", StringComparison.Ordinal));

    public Dockerfile Dockerfile { get; }

    public string Full(string relative) => Path.Combine(Root, relative);

    public IEnumerable<K8sResource> OfKind(string kind) => Kubernetes.Where(r => r.Kind == kind);

    public K8sResource? Find(string kind, string name) => Kubernetes.SingleOrDefault(r => r.Kind == kind && r.Name == name);

    /// <summary>
    /// The keys of a generated Secret, from the committed templates (<c>secrets.env.example</c> for
    /// <c>envs: [secrets.env]</c>); null when the kustomization generates no Secret of that name.
    /// </summary>
    public IReadOnlyCollection<string>? SecretKeys(string name) =>
        GeneratedSecrets.TryGetValue(name, out var envs)
            ? envs.SelectMany(e => DotEnv.Read(Full($"{K8sFolder}/{e}.example")).Keys).ToList()
            : null;

    /// <summary>
    /// The environment a Deployment's container gets, by variable: from envFrom (ConfigMaps; Secrets with their
    /// template values), then env (which wins), each with where it comes from.
    /// </summary>
    public IReadOnlyDictionary<string, (string Value, string Source)> EnvironmentOf(K8sResource deployment, YamlMappingNode container)
    {
        var environment = new Dictionary<string, (string, string)>(StringComparer.Ordinal);
        foreach (var source in container.Seq("envFrom").Maps())
        {
            if (source.Map("configMapRef").Str("name") is { } configMap && Find("ConfigMap", configMap) is { } resource)
            {
                foreach (var (key, value) in resource.Node.Map("data").Scalars()) environment[key] = (value, $"{resource.File} ConfigMap {configMap}");
            }
            if (source.Map("secretRef").Str("name") is { } secret && GeneratedSecrets.TryGetValue(secret, out var envs))
            {
                foreach (var env in envs)
                {
                    foreach (var (key, value) in DotEnv.Read(Full($"{K8sFolder}/{env}.example"))) environment[key] = (value, $"{K8sFolder}/{env}.example (Secret {secret})");
                }
            }
        }
        foreach (var variable in container.Seq("env").Maps())
        {
            environment[variable.Str("name")!] = (variable.Str("value") ?? "", $"{deployment.File} Deployment {deployment.Name} ({variable.Where()})");
        }
        return environment;
    }

    private string Relative(string full) => Path.GetRelativePath(Root, full).Replace('\\', '/');
}

/// <summary>One Kubernetes resource: its file, kind, name and YAML.</summary>
public sealed record K8sResource(string File, string Kind, string Name, YamlMappingNode Node)
{
    public static K8sResource From(string file, YamlMappingNode node) =>
        new(file, node.Str("kind") ?? "", node.Map("metadata").Str("name") ?? "", node);

    public YamlMappingNode? PodTemplate => Node.Map("spec").Map("template");

    public IEnumerable<YamlMappingNode> Containers => PodTemplate.Map("spec").Seq("containers").Maps();

    public override string ToString() => $"{File} {Kind} {Name}";
}

/// <summary>One compose file and its root mapping.</summary>
public sealed record ComposeFile(string File, YamlMappingNode Root)
{
    public YamlMappingNode Services => Root.Map("services") ?? new YamlMappingNode();

    /// <summary>Services built from this repository's Dockerfile: the app.</summary>
    public IEnumerable<string> AppServices => Services.Keys().Where(s => Service(s).Get("build") is not null);

    public YamlMappingNode? Service(string name) => Services.Map(name);

    /// <summary>A service's environment, in either compose form (mapping, or a list of NAME=value).</summary>
    public IReadOnlyDictionary<string, string> EnvironmentOf(string service)
    {
        var environment = Service(service).Get("environment");
        if (environment is YamlSequenceNode list)
        {
            return list.Strings().Select(e => e.Split('=', 2)).ToDictionary(p => p[0], p => p.Length == 2 ? p[1] : "", StringComparer.Ordinal);
        }
        return environment.Scalars();
    }
}
