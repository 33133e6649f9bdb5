using Lode.Tests.Support;

namespace Lode.Tests.Deployment;

/// <summary>The configuration keys in infra/ and README.md against the ones the app binds (<see cref="AppConfigurationKeys"/>).</summary>
public sealed partial class DeploymentManifestTests
{
    [Fact]
    public void Every_configuration_key_the_manifests_set_is_one_the_app_reads()
    {
        Assert.NotEmpty(AppConfigurationKeys.Bound);
        var problems = new List<string>();
        void Check(string name, string where)
        {
            var key = AppConfigurationKeys.FromEnvironmentName(name);
            if (!AppConfigurationKeys.IsRead(key))
                problems.Add($"{where}: {name} (configuration key {key}) is bound by no options class registered in LodeServices.AddLode and is not in AppConfigurationKeys.NonOptionsKeys");
        }

        foreach (var compose in Infra.Compose)
        {
            foreach (var service in compose.AppServices)
            {
                foreach (var name in compose.EnvironmentOf(service).Keys) Check(name, $"{compose.File} service {service}");
            }
        }
        foreach (var deployment in Infra.OfKind("Deployment"))
        {
            foreach (var container in deployment.Containers)
            {
                foreach (var (name, (_, source)) in Infra.EnvironmentOf(deployment, container)) Check(name, source);
            }
        }
        foreach (var stage in new[] { "functions", "gpu" }.Select(Infra.Dockerfile.Stage))
        {
            foreach (var name in stage.Environment.Keys.Where(n => n.Contains("__", StringComparison.Ordinal) || n.StartsWith("AzureWebJobs", StringComparison.Ordinal)))
                Check(name, $"{InfraManifests.DockerfilePath} stage {stage.Name}");
        }
        AssertNone(problems.Distinct(), "configuration keys in infra/");
    }

    [Fact]
    public void Every_setting_a_deployment_needs_without_a_usable_default_is_set_by_every_deployment()
    {
        // No default fits a container: credentials, the database and MinIO addresses, the webhook token.
        string[] required = ["Database:ConnectionString", "Storage:Endpoint", "Storage:AccessKey", "Storage:SecretKey", "Webhook:Token"];
        Assert.All(required, key => Assert.NotNull(AppConfigurationKeys.BindingOf(key)));
        var problems = new List<string>();
        var composeApp = Infra.BaseCompose.EnvironmentOf("app").Keys.Select(AppConfigurationKeys.FromEnvironmentName).ToHashSet(StringComparer.OrdinalIgnoreCase);
        problems.AddRange(required.Where(k => !composeApp.Contains(k)).Select(k => $"compose.yaml service app does not set {k}"));
        foreach (var deployment in Infra.OfKind("Deployment"))
        {
            var set = Infra.EnvironmentOf(deployment, deployment.Containers.Single()).Keys.Select(AppConfigurationKeys.FromEnvironmentName).ToHashSet(StringComparer.OrdinalIgnoreCase);
            problems.AddRange(required.Where(k => !set.Contains(k)).Select(k => $"{deployment} does not set {k}"));
        }
        AssertNone(problems, "required settings");
    }

    [Fact]
    public void Readme_documents_every_key_the_options_bind_and_nothing_else()
    {
        var documented = ReadmeConfigurationTable.Read(File.ReadAllText(Infra.Full("README.md")));
        Assert.NotEmpty(documented);

        var unknown = documented.Where(d => AppConfigurationKeys.BindingOf(d.Key) is null && AppConfigurationKeys.NonOptionsEntryOf(d.Key) is null)
            .Select(d => $"README.md line {d.Line} documents {d.Key}, which no options class binds (nor AppConfigurationKeys.NonOptionsKeys names)");
        var undocumented = AppConfigurationKeys.Bound.Where(k => !documented.Any(d => AppConfigurationKeys.Matches(k.Pattern, d.Key)))
            .Select(k => $"README.md's configuration table lacks {k.Pattern} ({k.OptionsType.Name}: {k.PropertyPath})");
        AssertNone(unknown.Concat(undocumented), "README configuration table vs options");
    }

    [Fact]
    public void Options_registered_by_add_lode_declare_the_section_they_are_bound_to()
    {
        Assert.NotEmpty(AppConfigurationKeys.OptionsTypes);
        var problems = new List<string>();
        foreach (var type in AppConfigurationKeys.OptionsTypes)
        {
            if (AppConfigurationKeys.SectionOf(type) is not { } section)
            {
                problems.Add($"{type.FullName} is registered by AddLode but has no `public const string SectionName`, so its keys cannot be checked");
                continue;
            }
            var probe = AppConfigurationKeys.Bound.FirstOrDefault(k => k.OptionsType == type && SentinelBinding.CanProbe(type, k));
            if (probe is not null && !SentinelBinding.Binds(type, probe))
                problems.Add($"{type.FullName}: setting {probe.Pattern} did not reach {probe.PropertyPath}; AddLode does not bind {type.Name} from its SectionName \"{section}\"");
        }
        AssertNone(problems, "options sections");
    }
}
