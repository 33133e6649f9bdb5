using Lode.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Lode.Tests.Deployment;

/// <summary>
/// The security review's findings in the deployment material (issue 12, item 11): each test names what it keeps out.
/// </summary>
public sealed partial class DeploymentManifestTests
{
    [Fact]
    public void The_chat_scaler_series_is_scraped_with_the_token_and_KEDA_authenticates_to_Prometheus()
    {
        // GET /metrics refuses every scrape without Telemetry:PrometheusToken: an unauthenticated scrape left the
        // chat ScaledObject's query without a series, so it never scaled.
        var monitor = Infra.OfKind("PodMonitor").Single();
        var credentials = monitor.Node.Map("spec").Seq("podMetricsEndpoints").Maps().Single().Map("authorization").Map("credentials");
        Assert.Equal("lode-secrets", credentials.Str("name"));
        Assert.Equal("Telemetry__PrometheusToken", credentials.Str("key"));
        Assert.Contains("Telemetry__PrometheusToken", Infra.SecretKeys("lode-secrets")!);
        var chatPods = Infra.Find("Deployment", ChatDeployment)!.PodTemplate.Map("metadata").Map("labels").Scalars();
        Assert.All(monitor.Node.Map("spec").Map("selector").Map("matchLabels").Scalars(), l => Assert.Equal(l.Value, chatPods[l.Key]));
        Assert.DoesNotContain(Infra.Find("Deployment", ChatDeployment)!.PodTemplate.Map("metadata").Map("annotations").Keys(),
            k => k.StartsWith("prometheus.io/", StringComparison.Ordinal));

        var trigger = Infra.Find("ScaledObject", ChatDeployment)!.Node.Map("spec").Seq("triggers").Maps().Single();
        Assert.Equal("bearer", trigger.Map("metadata").Str("authModes"));
        var authentication = Infra.Find("TriggerAuthentication", trigger.Map("authenticationRef").Str("name")!);
        Assert.NotNull(authentication);
        var secretRef = authentication.Node.Map("spec").Seq("secretTargetRef").Maps().Single();
        Assert.Equal("bearerToken", secretRef.Str("parameter"));
        Assert.Contains(secretRef.Str("key")!, Infra.SecretKeys(secretRef.Str("name")!)!);
    }

    [Fact]
    public void The_Functions_host_home_page_is_disabled_wherever_the_host_runs()
    {
        Assert.Equal("true", Infra.Dockerfile.Stage("functions").Environment["AzureWebJobsDisableHomepage"]);
        Assert.Equal("true", Infra.BaseCompose.EnvironmentOf("app")["AzureWebJobsDisableHomepage"]);
        Assert.All(Infra.OfKind("Deployment"), d =>
            Assert.Equal("true", Infra.EnvironmentOf(d, d.Containers.Single())["AzureWebJobsDisableHomepage"].Value));
    }

    [Fact]
    public void Kubernetes_defaults_speak_TLS_to_MinIO_and_verify_the_database_certificate()
    {
        Assert.All(Infra.OfKind("Deployment"), d =>
        {
            var environment = Infra.EnvironmentOf(d, d.Containers.Single());
            Assert.Equal("true", environment["Storage__UseSsl"].Value);
            // Require encrypts but accepts any certificate: anyone on the path could pose as the database.
            Assert.Contains("SSL Mode=VerifyFull", environment["Database__ConnectionString"].Value, StringComparison.OrdinalIgnoreCase);
        });
        var keda = DotEnv.Read(Infra.Full($"{InfraManifests.K8sFolder}/keda.env.example"));
        Assert.Contains("sslmode=verify-full", keda["connection"], StringComparison.Ordinal);
    }

    [Fact]
    public void Network_policies_deny_by_default_and_let_in_only_the_app_port()
    {
        var policies = Infra.OfKind("NetworkPolicy").ToList();
        var lodePods = Infra.OfKind("Deployment").Select(d => d.PodTemplate.Map("metadata").Map("labels").Scalars()).ToList();
        bool Selects(K8sResource policy, IReadOnlyDictionary<string, string> labels) =>
            policy.Node.Map("spec").Map("podSelector").Map("matchLabels").Scalars().All(l => labels.TryGetValue(l.Key, out var v) && v == l.Value);

        var denyAll = policies.Where(p => p.Node.Map("spec").Get("ingress") is null && p.Node.Map("spec").Get("egress") is null
            && p.Node.Map("spec").Seq("policyTypes").Strings().ToHashSet().SetEquals(["Ingress", "Egress"])).ToList();
        Assert.All(lodePods, pod => Assert.Contains(denyAll, p => Selects(p, pod)));

        var ingressPorts = policies.SelectMany(p => p.Node.Map("spec").Seq("ingress").Maps())
            .SelectMany(rule => rule.Seq("ports").Maps().Select(port => port.Str("port"))).ToList();
        Assert.NotEmpty(ingressPorts);
        Assert.All(ingressPorts, port => Assert.Equal(ContractPort.ToString(System.Globalization.CultureInfo.InvariantCulture), port));
        Assert.All(policies.SelectMany(p => p.Node.Map("spec").Seq("ingress").Maps()), rule => Assert.NotNull(rule.Seq("from")));

        // Egress reaches the MinIO port the ConfigMap names.
        var minioPort = Infra.Find("ConfigMap", "lode-settings")!.Node.Map("data").Scalars()["Storage__Endpoint"].Split(':')[1];
        var egressPorts = policies.SelectMany(p => p.Node.Map("spec").Seq("egress").Maps())
            .SelectMany(rule => rule.Seq("ports").Maps().Select(port => port.Str("port"))).ToHashSet();
        Assert.Contains(minioPort, egressPorts);
        Assert.Contains("5432", egressPorts);
    }

    [Fact]
    public void Compose_MinIO_accepts_cross_origin_calls_from_the_web_page_only()
    {
        var origin = Infra.BaseCompose.EnvironmentOf("minio")["MINIO_API_CORS_ALLOW_ORIGIN"];
        Assert.DoesNotContain("*", origin, StringComparison.Ordinal);
        Assert.Contains("LODE_WEB_ORIGIN", origin, StringComparison.Ordinal);
        Assert.True(DotEnv.Read(Infra.Full($"{InfraManifests.ComposeFolder}/.env.example")).ContainsKey("LODE_WEB_ORIGIN"));
    }
}
