using System.Text.RegularExpressions;
using Lode.Database;
using Lode.Tests.Support;
using YamlDotNet.RepresentationModel;

namespace Lode.Tests.Deployment;

/// <summary>
/// The deployment material under infra/ (Dockerfile, compose, Kubernetes + KEDA, the mc wiring) cannot be started on
/// these machines (no container engine, no cluster). These tests check what can be checked here: every file parses,
/// every reference between resources resolves, the settings agree across files and with the code (configuration keys,
/// ports, the KEDA query against the real schema and queue), and the scripts do what they say.
/// </summary>
public sealed partial class DeploymentManifestTests
{
    private const string HealthPath = "/api/health";
    private const int ContractPort = 7071;
    private const string ChatDeployment = "lode-chat";
    private const string IngestDeployment = "lode-ingest";

    private static InfraManifests Infra => InfraManifests.Load();

    [Fact]
    public void Every_yaml_file_under_infra_parses()
    {
        var expected = new[]
        {
            "infra/compose/compose.yaml", "infra/compose/compose.gpu.yaml", "infra/k8s/kustomization.yaml",
            "infra/k8s/configmap.yaml", "infra/k8s/ingest.yaml", "infra/k8s/chat.yaml", "infra/k8s/keda-ingest.yaml",
            "infra/k8s/keda-chat.yaml",
        };
        Assert.All(expected, f => Assert.Contains(f, Infra.YamlFiles));
        Assert.All(Infra.YamlFiles, file =>
        {
            var documents = Yaml.LoadFile(Infra.Full(file));
            Assert.True(documents.Count > 0 && documents.All(d => d.RootNode is YamlMappingNode), $"{file}: every document must be a mapping");
        });
    }

    [Fact]
    public void Every_kubernetes_resource_has_api_version_kind_and_name_and_no_namespace()
    {
        Assert.NotEmpty(Infra.Kubernetes);
        AssertNone(Infra.Kubernetes.SelectMany(r => new[]
        {
            string.IsNullOrEmpty(r.Node.Str("apiVersion")) ? $"{r}: no apiVersion" : null,
            string.IsNullOrEmpty(r.Kind) ? $"{r.File} ({r.Node.Where()}): no kind" : null,
            string.IsNullOrEmpty(r.Name) ? $"{r.File} ({r.Node.Where()}): no metadata.name" : null,
            // Namespace-agnostic: `kubectl apply -k infra/k8s -n <namespace>` or an overlay chooses it.
            r.Node.Map("metadata").Str("namespace") is { } ns ? $"{r}: fixes namespace {ns}" : null,
        }).OfType<string>(), "Kubernetes resources");
    }

    [Fact]
    public void The_kustomization_lists_every_manifest_and_its_secrets_have_committed_templates_only()
    {
        var listed = Infra.Kustomization.Seq("resources").Strings().Select(r => $"{InfraManifests.K8sFolder}/{r}").ToHashSet();
        var present = Infra.YamlFiles.Where(f => f.StartsWith(InfraManifests.K8sFolder + "/", StringComparison.Ordinal)
            && !f.EndsWith("/kustomization.yaml", StringComparison.Ordinal)).ToHashSet();
        var ignored = File.ReadAllLines(Infra.Full($"{InfraManifests.K8sFolder}/.gitignore")).Select(l => l.Trim()).ToHashSet();
        var images = Infra.Kustomization.Seq("images").Maps().Select(i => i.Str("name")!).ToHashSet();
        var used = Infra.OfKind("Deployment").SelectMany(d => d.Containers).Select(c => c.Str("image")!).ToHashSet();

        AssertNone(
            listed.Except(present).Select(f => $"kustomization.yaml lists {f}, which does not exist")
                .Concat(present.Except(listed).Select(f => $"{f} is not in kustomization.yaml's resources"))
                .Concat(Infra.GeneratedSecrets.SelectMany(s => s.Value).SelectMany(env => new[]
                {
                    File.Exists(Infra.Full($"{InfraManifests.K8sFolder}/{env}.example")) ? null : $"secretGenerator reads {env}, but {env}.example (its template) is missing",
                    ignored.Contains(env) ? null : $"{env} holds real secrets but infra/k8s/.gitignore does not ignore it",
                }).OfType<string>())
                .Concat(used.Except(images).Select(i => $"image {i} is not in kustomization.yaml's images (the one place a site sets registry and tag)"))
                .Concat(images.Except(used).Select(i => $"kustomization.yaml's images name {i}, which no container uses")),
            "kustomization");
    }

    [Fact]
    public void Deployments_select_their_own_pods_and_everything_they_reference_exists()
    {
        var problems = new List<string>();
        var deployments = Infra.OfKind("Deployment").ToList();
        Assert.Equal([ChatDeployment, IngestDeployment], deployments.Select(d => d.Name).Order(StringComparer.Ordinal));
        var referenced = new HashSet<string>(StringComparer.Ordinal);
        foreach (var deployment in deployments)
        {
            var labels = deployment.PodTemplate.Map("metadata").Map("labels").Scalars();
            var selector = deployment.Node.Map("spec").Map("selector").Map("matchLabels").Scalars();
            if (selector.Count == 0 || selector.Any(l => !labels.TryGetValue(l.Key, out var v) || v != l.Value))
                problems.Add($"{deployment}: spec.selector.matchLabels must be among its pod template's labels");
            foreach (var container in deployment.Containers)
            {
                foreach (var source in container.Seq("envFrom").Maps())
                {
                    if (source.Map("configMapRef").Str("name") is { } configMap)
                    {
                        referenced.Add($"ConfigMap/{configMap}");
                        if (Infra.Find("ConfigMap", configMap) is null) problems.Add($"{deployment}: envFrom names ConfigMap {configMap}, which infra/k8s does not define");
                    }
                    if (source.Map("secretRef").Str("name") is { } secret)
                    {
                        referenced.Add($"Secret/{secret}");
                        if (Infra.SecretKeys(secret) is null) problems.Add($"{deployment}: envFrom names Secret {secret}, which the kustomization does not generate");
                    }
                }
            }
            foreach (var volume in deployment.PodTemplate.Map("spec").Seq("volumes").Maps())
            {
                if (volume.Map("persistentVolumeClaim").Str("claimName") is { } claim && Infra.Find("PersistentVolumeClaim", claim) is null)
                    problems.Add($"{deployment}: volume {volume.Str("name")} claims {claim}, which infra/k8s does not define");
            }
        }
        foreach (var auth in Infra.OfKind("TriggerAuthentication"))
        {
            foreach (var target in auth.Node.Map("spec").Seq("secretTargetRef").Maps())
            {
                var secret = target.Str("name")!;
                referenced.Add($"Secret/{secret}");
                if (Infra.SecretKeys(secret) is not { } keys) problems.Add($"{auth}: secretTargetRef names Secret {secret}, which the kustomization does not generate");
                else if (!keys.Contains(target.Str("key")!)) problems.Add($"{auth}: Secret {secret} has no key {target.Str("key")} (see its .env.example)");
            }
        }
        problems.AddRange(Infra.OfKind("ConfigMap").Where(c => !referenced.Contains($"ConfigMap/{c.Name}")).Select(c => $"{c} is used by no Deployment"));
        problems.AddRange(Infra.GeneratedSecrets.Keys.Where(s => !referenced.Contains($"Secret/{s}")).Select(s => $"generated Secret {s} is used by no Deployment or TriggerAuthentication"));
        AssertNone(problems, "references between Kubernetes resources");
    }

    [Fact]
    public void Scaled_objects_target_existing_deployments_through_existing_authentication_and_every_deployment_is_scaled()
    {
        var problems = new List<string>();
        var scaled = new HashSet<string>(StringComparer.Ordinal);
        foreach (var scaledObject in Infra.OfKind("ScaledObject"))
        {
            var target = scaledObject.Node.Map("spec").Map("scaleTargetRef");
            var kind = target.Str("kind") ?? "Deployment";
            var name = target.Str("name") ?? "";
            scaled.Add(name);
            if (Infra.Find(kind, name) is null) problems.Add($"{scaledObject}: scaleTargetRef {kind} {name} does not exist");
            foreach (var trigger in scaledObject.Node.Map("spec").Seq("triggers").Maps())
            {
                if (trigger.Map("authenticationRef").Str("name") is { } auth && Infra.Find("TriggerAuthentication", auth) is null)
                    problems.Add($"{scaledObject}: trigger {trigger.Str("type")} authenticates with {auth}, which does not exist");
            }
        }
        problems.AddRange(Infra.OfKind("Deployment").Where(d => !scaled.Contains(d.Name)).Select(d => $"{d} has no ScaledObject"));
        AssertNone(problems, "KEDA references");
    }

    [Fact]
    public void Services_select_the_pods_of_exactly_one_deployment_on_one_of_its_ports()
    {
        var services = Infra.OfKind("Service").ToList();
        Assert.NotEmpty(services);
        AssertNone(services.SelectMany(service =>
        {
            var selector = service.Node.Map("spec").Map("selector").Scalars();
            var selected = Infra.OfKind("Deployment").Where(d =>
            {
                var labels = d.PodTemplate.Map("metadata").Map("labels").Scalars();
                return selector.Count > 0 && selector.All(l => labels.TryGetValue(l.Key, out var v) && v == l.Value);
            }).ToList();
            if (selected.Count != 1) return [$"{service}: selects the pods of {selected.Count} Deployments ({string.Join(", ", selected.Select(d => d.Name))}), must be exactly one"];
            var ports = selected[0].Containers.SelectMany(c => c.Seq("ports").Maps()).ToList();
            return service.Node.Map("spec").Seq("ports").Maps()
                .Where(p => !ports.Any(cp => cp.Str("name") == p.Str("targetPort") || cp.Str("containerPort") == p.Str("targetPort")))
                .Select(p => $"{service}: targetPort {p.Str("targetPort")} is no container port of {selected[0].Name}");
        }), "Services");
    }

    [Fact]
    public void Probes_ask_api_health_on_the_contract_port_in_every_deployment_image_and_compose_service()
    {
        var problems = new List<string>();
        foreach (var deployment in Infra.OfKind("Deployment"))
        {
            foreach (var container in deployment.Containers)
            {
                var ports = container.Seq("ports").Maps().ToList();
                if (!ports.Any(p => p.Str("containerPort") == ContractPort.ToString()))
                    problems.Add($"{deployment}: container {container.Str("name")} does not expose port {ContractPort}");
                foreach (var probe in new[] { "startupProbe", "readinessProbe", "livenessProbe" })
                {
                    var get = container.Map(probe).Map("httpGet");
                    if (get is null)
                    {
                        if (probe != "startupProbe") problems.Add($"{deployment}: no {probe}");
                        continue;
                    }
                    if (get.Str("path") != HealthPath) problems.Add($"{deployment}: {probe} asks {get.Str("path")}, not {HealthPath}");
                    if (!ports.Any(p => p.Str("name") == get.Str("port") || p.Str("containerPort") == get.Str("port")))
                        problems.Add($"{deployment}: {probe} port {get.Str("port")} is no container port");
                }
            }
        }
        foreach (var compose in Infra.Compose)
        {
            foreach (var app in compose.AppServices)
            {
                var healthcheck = compose.Service(app).Map("healthcheck");
                // An override may keep the base file's healthcheck.
                if (healthcheck is null && compose != Infra.BaseCompose) continue;
                if (!healthcheck.Seq("test").Strings().SequenceEqual(["CMD", "lode-healthcheck"]))
                    problems.Add($"{compose.File} service {app}: healthcheck must run lode-healthcheck");
            }
        }
        foreach (var stage in new[] { "functions", "gpu" }.Select(Infra.Dockerfile.Stage))
        {
            if (!stage.All("HEALTHCHECK").Any(h => h.EndsWith("CMD [\"lode-healthcheck\"]", StringComparison.Ordinal)))
                problems.Add($"Dockerfile stage {stage.Name}: HEALTHCHECK must run lode-healthcheck");
            if (!stage.All("COPY").Any(c => c.Contains("infra/docker/healthcheck.sh /usr/local/bin/lode-healthcheck", StringComparison.Ordinal)))
                problems.Add($"Dockerfile stage {stage.Name}: lode-healthcheck is not installed");
        }
        var script = File.ReadAllText(Infra.Full("infra/docker/healthcheck.sh"));
        if (!script.Contains($"GET {HealthPath} ", StringComparison.Ordinal) || !script.Contains($"${{1:-{ContractPort}}}", StringComparison.Ordinal))
            problems.Add($"infra/docker/healthcheck.sh must ask GET {HealthPath} on port {ContractPort} by default");
        AssertNone(problems, "health probes");
    }

    [Fact]
    public void Chat_runs_on_a_gpu_without_the_worker_and_ingestion_runs_the_worker_without_a_model()
    {
        var chat = Infra.Find("Deployment", ChatDeployment)!;
        var ingest = Infra.Find("Deployment", IngestDeployment)!;
        var chatContainer = Assert.Single(chat.Containers);
        var ingestContainer = Assert.Single(ingest.Containers);
        var chatEnv = Infra.EnvironmentOf(chat, chatContainer);
        var ingestEnv = Infra.EnvironmentOf(ingest, ingestContainer);
        var pod = chat.PodTemplate.Map("spec");

        Assert.Equal("false", chatEnv["Ingestion__WorkerEnabled"].Value);
        Assert.Equal("llamasharp", chatEnv["Llm__Provider"].Value);
        Assert.True(int.Parse(chatEnv["Llm__GpuLayers"].Value) > 0, "chat offloads layers to the GPU");
        Assert.StartsWith("/models/", chatEnv["Llm__ModelPath"].Value);
        Assert.True(chatContainer.Seq("volumeMounts").Maps().Any(m => m.Str("mountPath") == "/models" && m.Str("readOnly") == "true"), "the model is mounted read-only at /models");
        Assert.Equal("1", chatContainer.Map("resources").Map("limits").Str("nvidia.com/gpu"));
        Assert.NotEmpty(pod.Map("nodeSelector").Scalars());
        Assert.Contains(pod.Seq("tolerations").Maps(), t => t.Str("key") == "nvidia.com/gpu");
        Assert.Equal("lode-gpu", chatContainer.Str("image"));

        Assert.Equal("true", ingestEnv["Ingestion__WorkerEnabled"].Value);
        Assert.Equal("none", ingestEnv["Llm__Provider"].Value);
        Assert.Null(ingestContainer.Map("resources").Map("limits").Str("nvidia.com/gpu"));
        Assert.Equal("lode", ingestContainer.Str("image"));
    }

    [Fact]
    public void Scaling_targets_follow_the_per_pod_concurrency_and_the_chat_query_selects_the_chat_pods()
    {
        var ingest = Infra.Find("Deployment", IngestDeployment)!;
        var chat = Infra.Find("Deployment", ChatDeployment)!;
        var postgres = Assert.Single(TriggersOf(IngestDeployment), t => t.Str("type") == "postgresql");
        var prometheus = Assert.Single(TriggersOf(ChatDeployment), t => t.Str("type") == "prometheus");

        // One ingestion pod works on Ingestion:MaxConcurrency documents at once, and the query counts in-flight jobs.
        Assert.Equal(Infra.EnvironmentOf(ingest, ingest.Containers.Single())["Ingestion__MaxConcurrency"].Value, postgres.Map("metadata").Str("targetQueryValue"));
        // One chat pod generates Llm:MaxConcurrentSequences answers at once.
        Assert.Equal(Infra.EnvironmentOf(chat, chat.Containers.Single())["Llm__MaxConcurrentSequences"].Value, prometheus.Map("metadata").Str("threshold"));

        var query = prometheus.Map("metadata").Str("query")!;
        Assert.Contains("http_server_active_requests{", query);
        var matchers = LabelMatcher().Matches(query).ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        // Prometheus' label mapping of pod labels: every character outside [a-zA-Z0-9_] becomes '_'.
        var podLabels = chat.PodTemplate.Map("metadata").Map("labels").Scalars()
            .ToDictionary(l => NonLabelCharacter().Replace(l.Key, "_"), l => l.Value);
        Assert.NotEmpty(matchers);
        Assert.All(matchers, m => Assert.True(podLabels.TryGetValue(m.Key, out var v) && v == m.Value,
            $"the query's {m.Key}=\"{m.Value}\" is not a label of the chat pods ({string.Join(", ", podLabels)})"));
        // The series comes from the PodMonitor's authenticated scrape of the chat pods' /metrics.
        var endpoint = Infra.OfKind("PodMonitor").Single().Node.Map("spec").Seq("podMetricsEndpoints").Maps().Single();
        Assert.Equal("/metrics", endpoint.Str("path"));
    }

    [Fact]
    public async Task The_keda_ingest_query_runs_on_the_migrated_schema_and_counts_the_jobs_that_need_a_worker_now()
    {
        var query = Assert.Single(TriggersOf(IngestDeployment), t => t.Str("type") == "postgresql").Map("metadata").Str("query")!;
        await using var db = await TestDatabase.CreateAsync();
        var queue = new JobQueue(db.DataSource);

        await db.ExecuteAsync("EXPLAIN " + query);
        Assert.Equal(0L, await db.ScalarAsync<long>(query));

        await queue.EnqueueAsync([new("docs", "a.pdf", "test"), new("docs", "b.pdf", "test"), new("docs", "c.pdf", "test")], default);
        Assert.Equal(3L, await db.ScalarAsync<long>(query));

        // Leased jobs are still work (a busy pod must not look idle to the autoscaler).
        var leased = await queue.LeaseAsync(2, TimeSpan.FromMinutes(5), "worker-1", default);
        Assert.Equal(2, leased.Count);
        Assert.Equal(3L, await db.ScalarAsync<long>(query));

        // A job waiting out its retry backoff is not work yet.
        await queue.ReleaseForRetryAsync(leased[0], "store away", TimeSpan.FromHours(1), default);
        Assert.Equal(2L, await db.ScalarAsync<long>(query));
    }

    private static IEnumerable<YamlMappingNode> TriggersOf(string deployment) =>
        Infra.OfKind("ScaledObject").Single(s => s.Node.Map("spec").Map("scaleTargetRef").Str("name") == deployment)
            .Node.Map("spec").Seq("triggers").Maps();

    private static void AssertNone(IEnumerable<string> problems, string what)
    {
        var list = problems.ToList();
        Assert.True(list.Count == 0, $"{what}: {list.Count} problem(s)\n  " + string.Join("\n  ", list));
    }

    [GeneratedRegex(@"(\w+)=""([^""]*)""")]
    private static partial Regex LabelMatcher();

    [GeneratedRegex("[^a-zA-Z0-9_]")]
    private static partial Regex NonLabelCharacter();

    [GeneratedRegex(@"^\d+:\d+$")]
    private static partial Regex UserIdPattern();
}
