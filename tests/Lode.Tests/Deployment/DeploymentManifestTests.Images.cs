using System.Text.Json;
using System.Text.RegularExpressions;
using Lode.Tests.Support;

namespace Lode.Tests.Deployment;

/// <summary>The Dockerfile, the container health check, host.json, and how pods and containers are locked down.</summary>
public sealed partial class DeploymentManifestTests
{
    [Theory]
    [InlineData(200, 0)]
    [InlineData(503, 1)]
    public async Task The_container_healthcheck_passes_only_when_api_health_answers_200(int status, int expectedExit)
    {
        var served = new TaskCompletionSource<string?>(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var server = LoopbackHttpServer.Start(context =>
        {
            context.Response.StatusCode = context.Request.Url?.AbsolutePath == HealthPath ? status : 404;
            served.TrySetResult(context.Request.Url?.AbsolutePath);
            return Task.CompletedTask;
        });

        var (exit, _, error) = await ShellScript.RunAsync("bash", Infra.Full("infra/docker/healthcheck.sh"), [server.Port.ToString()], new Dictionary<string, string?>());

        Assert.Equal(HealthPath, await served.Task.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.True(exit == expectedExit, $"exit {exit} for HTTP {status}: {error}");
    }

    [Fact]
    public async Task The_container_healthcheck_fails_when_nothing_listens()
    {
        var (exit, _, _) = await ShellScript.RunAsync("bash", Infra.Full("infra/docker/healthcheck.sh"), [FreePort.Next().ToString()], new Dictionary<string, string?>());

        Assert.NotEqual(0, exit);
    }

    [Fact]
    public void Pods_and_the_compose_app_run_as_non_root_on_a_read_only_root_with_a_writable_tmp()
    {
        var problems = new List<string>();
        var imageUser = Infra.Dockerfile.Stage("functions").All("USER").Single();
        foreach (var deployment in Infra.OfKind("Deployment"))
        {
            var pod = deployment.PodTemplate.Map("spec");
            var podSecurity = pod.Map("securityContext");
            if (pod.Str("automountServiceAccountToken") != "false") problems.Add($"{deployment}: automountServiceAccountToken must be false (the app never calls the API server)");
            if (podSecurity.Str("runAsNonRoot") != "true") problems.Add($"{deployment}: runAsNonRoot must be true");
            if ($"{podSecurity.Str("runAsUser")}:{podSecurity.Str("runAsGroup")}" != imageUser) problems.Add($"{deployment}: runAsUser:runAsGroup must be the images' USER {imageUser}");
            if (podSecurity.Map("seccompProfile").Str("type") != "RuntimeDefault") problems.Add($"{deployment}: seccompProfile must be RuntimeDefault");
            var emptyDirs = pod.Seq("volumes").Maps().Where(v => v.Get("emptyDir") is not null).Select(v => v.Str("name")).ToHashSet();
            foreach (var container in deployment.Containers)
            {
                var security = container.Map("securityContext");
                if (security.Str("readOnlyRootFilesystem") != "true") problems.Add($"{deployment}: readOnlyRootFilesystem must be true");
                if (security.Str("allowPrivilegeEscalation") != "false") problems.Add($"{deployment}: allowPrivilegeEscalation must be false");
                if (!security.Map("capabilities").Seq("drop").Strings().Contains("ALL")) problems.Add($"{deployment}: capabilities must drop ALL");
                if (!container.Seq("volumeMounts").Maps().Any(m => m.Str("mountPath") == "/tmp" && emptyDirs.Contains(m.Str("name"))))
                    problems.Add($"{deployment}: /tmp must be an emptyDir (the root filesystem is read-only)");
                var resources = container.Map("resources");
                if (resources.Map("requests") is null || resources.Map("limits").Str("memory") is null)
                    problems.Add($"{deployment}: needs resource requests and a memory limit");
            }
        }
        foreach (var stage in new[] { "functions", "gpu" }.Select(Infra.Dockerfile.Stage))
        {
            if (stage.All("USER").LastOrDefault() != imageUser) problems.Add($"Dockerfile stage {stage.Name}: USER must be {imageUser}");
        }
        if (!UserIdPattern().IsMatch(imageUser) || imageUser.StartsWith("0:", StringComparison.Ordinal))
            problems.Add($"Dockerfile USER {imageUser} must be a numeric non-root uid:gid (so runAsNonRoot can verify it)");
        var app = Infra.BaseCompose.Service("app");
        if (app.Str("read_only") != "true") problems.Add("compose service app must be read_only");
        if (!app.Seq("tmpfs").Strings().Any(t => t.Split(':')[0] == "/tmp")) problems.Add("compose service app needs a tmpfs on /tmp");
        AssertNone(problems, "container security");
    }

    [Fact]
    public void Host_json_has_the_contracts_timeout_log_levels_and_empty_route_prefix()
    {
        using var json = JsonDocument.Parse(File.ReadAllText(Infra.Full("host.json")));
        var root = json.RootElement;

        Assert.Equal("2.0", root.GetProperty("version").GetString());
        Assert.True(TimeSpan.TryParse(root.GetProperty("functionTimeout").GetString(), out var timeout) && timeout > TimeSpan.Zero);
        var levels = root.GetProperty("logging").GetProperty("logLevel");
        Assert.True(levels.TryGetProperty("default", out var level) && level.GetString() is { Length: > 0 });
        // Routes are written in full (api/..., v1/...): the host must not add its /api prefix.
        Assert.Equal("", root.GetProperty("extensions").GetProperty("http").GetProperty("routePrefix").GetString());
    }

    [Fact]
    public void The_dockerfile_builds_the_functions_image_by_default_and_the_gpu_image_with_the_cuda_switch()
    {
        var dockerfile = Infra.Dockerfile;
        var functions = dockerfile.Stage("functions");
        var gpu = dockerfile.Stage("gpu");
        var publishCpu = dockerfile.Stage("publish-cpu");
        var publishGpu = dockerfile.Stage("publish-gpu");
        var packages = File.ReadAllText(Infra.Full("Directory.Packages.props"));

        Assert.Equal("functions", dockerfile.Stages[^1].Name);
        Assert.Equal("mcr.microsoft.com/azure-functions/dotnet-isolated:4-dotnet-isolated10.0", dockerfile.BaseImageOf(functions));
        Assert.Equal("/home/site/wwwroot", functions.Environment["AzureWebJobsScriptRoot"]);
        Assert.Contains("--from=publish-cpu /out /home/site/wwwroot", functions.All("COPY"));
        Assert.StartsWith("mcr.microsoft.com/dotnet/sdk:10.0", dockerfile.BaseImageOf(dockerfile.Stage("source")));

        // The GPU build is the switch docs/gpu.md and Directory.Packages.props define; the CPU build never sets it.
        var cudaSwitch = Regex.Match(string.Join(" ", publishGpu.All("RUN")), @"-p:(\w+)=(\w+)");
        Assert.Equal(("LodeLlamaBackend", "Cuda12"), (cudaSwitch.Groups[1].Value, cudaSwitch.Groups[2].Value));
        Assert.Contains("'$(LodeLlamaBackend)' == 'Cuda12'", packages);
        Assert.DoesNotContain("LodeLlamaBackend", string.Join(" ", publishCpu.All("RUN")));
        Assert.StartsWith("nvidia/cuda:12.", dockerfile.BaseImageOf(gpu));
        Assert.Contains("--from=publish-gpu /out /app", gpu.All("COPY"));
        Assert.Equal("[\"dotnet\", \"/app/Lode.Functions.dll\"]", gpu.All("ENTRYPOINT").Single());

        foreach (var stage in new[] { functions, gpu })
        {
            Assert.True(string.Join(" ", stage.All("RUN")).Contains("libgomp1", StringComparison.Ordinal), $"{stage.Name}: LLamaSharp needs libgomp1");
            Assert.Equal($"http://+:{ContractPort}", stage.Environment["ASPNETCORE_URLS"]);
            Assert.Contains(ContractPort.ToString(), stage.All("EXPOSE"));
        }
    }

    [Fact]
    public void Image_names_map_to_dockerfile_targets_the_same_way_in_compose_and_kubernetes()
    {
        var targets = Infra.Compose.SelectMany(c => c.AppServices.Select(s => c.Service(s)!))
            .Select(s => (Image: s.Str("image")!, Target: s.Map("build").Str("target")!))
            .ToList();
        var stages = Infra.Dockerfile.Stages.Select(s => s.Name).ToHashSet();

        Assert.Equal([("lode", "functions"), ("lode-gpu", "gpu")], targets.OrderBy(t => t.Image, StringComparer.Ordinal));
        Assert.All(targets, t => Assert.Contains(t.Target, stages));
        Assert.All(Infra.OfKind("Deployment").SelectMany(d => d.Containers), c => Assert.Contains(c.Str("image"), targets.Select(t => t.Image)));
    }
}
