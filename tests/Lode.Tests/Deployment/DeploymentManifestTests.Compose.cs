using System.Text.Json;
using YamlDotNet.RepresentationModel;

namespace Lode.Tests.Deployment;

/// <summary>compose.yaml and its GPU override, and the MinIO wiring script they share with Kubernetes sites.</summary>
public sealed partial class DeploymentManifestTests
{
    [Fact]
    public void Compose_services_reference_defined_services_volumes_and_networks_and_long_running_ones_have_healthchecks()
    {
        var problems = new List<string>();
        var baseFile = Infra.BaseCompose;
        var services = baseFile.Services.Keys().ToHashSet();
        var volumes = baseFile.Root.Map("volumes").Keys().ToHashSet();
        var networks = baseFile.Root.Map("networks").Keys().ToHashSet();
        Assert.Equal(["app", "minio", "minio-init", "postgres"], services.Order(StringComparer.Ordinal));
        foreach (var compose in Infra.Compose)
        {
            foreach (var name in compose.Services.Keys())
            {
                var service = compose.Service(name)!;
                var where = $"{compose.File} service {name}";
                if (!services.Contains(name)) problems.Add($"{where} is not defined in compose.yaml (an override only changes services)");
                foreach (var volume in service.Seq("volumes").Strings())
                {
                    var source = volume.Split(':')[0];
                    if (!source.StartsWith('.') && !source.StartsWith('/') && !source.StartsWith('$') && !volumes.Contains(source))
                        problems.Add($"{where}: volume {source} is not declared under volumes");
                    if (source.StartsWith('.') && !Path.Exists(Path.Combine(Infra.Full(InfraManifests.ComposeFolder), source)))
                        problems.Add($"{where}: mounts {source}, which does not exist");
                }
                var serviceNetworks = service.Get("networks") is YamlSequenceNode list ? list.Strings() : service.Map("networks").Keys();
                problems.AddRange(serviceNetworks.Where(n => !networks.Contains(n)).Select(n => $"{where}: network {n} is not declared under networks"));
                var dependencies = service.Get("depends_on") is YamlSequenceNode deps ? deps.Strings() : service.Map("depends_on").Keys();
                problems.AddRange(dependencies.Where(d => !services.Contains(d)).Select(d => $"{where}: depends on {d}, which is not a service"));
                foreach (var dependency in service.Map("depends_on").Keys())
                {
                    var condition = service.Map("depends_on").Map(dependency).Str("condition");
                    if (condition == "service_healthy" && baseFile.Service(dependency).Get("healthcheck") is null)
                        problems.Add($"{where}: waits for {dependency} to be healthy, but it has no healthcheck");
                }
            }
        }
        foreach (var name in services)
        {
            var service = baseFile.Service(name)!;
            var oneShot = service.Str("restart") == "no";
            if (!oneShot && service.Map("healthcheck").Seq("test") is null) problems.Add($"compose.yaml service {name} runs for good but has no healthcheck");
        }
        AssertNone(problems, "compose references");
    }

    [Fact]
    public void Compose_variables_are_all_in_env_example_and_the_same_secret_backs_both_ends_of_each_link()
    {
        var example = DotEnv.Read(Infra.Full($"{InfraManifests.ComposeFolder}/.env.example"));
        var referenced = Infra.Compose.SelectMany(c => c.Root.AllScalars()).SelectMany(s => ComposeVariables.Referenced(s.Value ?? "")).ToHashSet();
        var ignored = File.ReadAllLines(Infra.Full($"{InfraManifests.ComposeFolder}/.gitignore")).Select(l => l.Trim());
        AssertNone(
            referenced.Except(example.Keys).Select(v => $"compose uses ${{{v}}}, which .env.example does not list")
                .Concat(example.Keys.Except(referenced).Select(v => $".env.example lists {v}, which no compose file uses"))
                .Concat(example.Where(e => e.Key != "LODE_BUCKET" && e.Value.Length > 0).Select(e => $".env.example gives {e.Key} a value: secrets are left empty there"))
                .Concat(ignored.Contains(".env") ? [] : ["infra/compose/.gitignore must ignore .env"]),
            "compose variables");

        var compose = Infra.BaseCompose;
        var app = compose.EnvironmentOf("app");
        var minio = compose.EnvironmentOf("minio");
        var init = compose.EnvironmentOf("minio-init");
        var postgres = compose.EnvironmentOf("postgres");
        var target = Assert.Single(minio.Keys, k => k.StartsWith("MINIO_NOTIFY_WEBHOOK_ENABLE_", StringComparison.Ordinal))["MINIO_NOTIFY_WEBHOOK_ENABLE_".Length..];

        Assert.Equal(Variables(app["Webhook__Token"]), Variables(minio[$"MINIO_NOTIFY_WEBHOOK_AUTH_TOKEN_{target}"]));
        Assert.Equal(Variables(app["Storage__AccessKey"]), Variables(init["LODE_S3_ACCESS_KEY"]));
        Assert.Equal(Variables(app["Storage__SecretKey"]), Variables(init["LODE_S3_SECRET_KEY"]));
        Assert.Equal(Variables(postgres["LODE_DB_PASSWORD"]), Variables(app["Database__ConnectionString"]));
        Assert.Equal(target, init["LODE_NOTIFY_TARGET"]);

        // MinIO posts to the app service on the contract port and route; the app reaches MinIO and PostgreSQL by service name.
        var endpoint = new Uri(minio[$"MINIO_NOTIFY_WEBHOOK_ENDPOINT_{target}"]);
        Assert.Equal(("app", ContractPort, "/api/minio/events"), (endpoint.Host, endpoint.Port, endpoint.AbsolutePath));
        Assert.Contains("app", compose.AppServices);
        Assert.Equal("minio", app["Storage__Endpoint"].Split(':')[0]);
        Assert.Contains("Host=postgres;", app["Database__ConnectionString"]);
        Assert.Contains($"127.0.0.1:{ContractPort}:{ContractPort}", compose.Service("app").Seq("ports").Strings());
    }

    [Theory]
    [InlineData(null, null)] // the default: Lode only reads
    [InlineData("", "arn:aws:s3:::docs/*")] // uploads through Lode's presigned PUTs, anywhere in the bucket
    [InlineData("uploads/,inbox/", "arn:aws:s3:::docs/uploads/*,arn:aws:s3:::docs/inbox/*")] // under these prefixes only
    public async Task The_wiring_script_configures_the_target_and_subscribes_the_bucket_with_least_privilege_users(
        string? uploadPrefixes, string? uploadResources)
    {
        var environment = new Dictionary<string, string>
        {
            ["LODE_WEBHOOK_ENDPOINT"] = "http://lode-ingest.lode.svc.cluster.local:7071/api/minio/events",
            ["LODE_WEBHOOK_TOKEN"] = "token-1",
            ["LODE_WEBHOOK_QUEUE_DIR"] = "/var/lib/minio-events",
            ["LODE_S3_ACCESS_KEY"] = "lode-reader",
            ["LODE_S3_SECRET_KEY"] = "secret-1",
        };
        if (uploadPrefixes is not null)
        {
            environment["LODE_S3_UPLOAD_ACCESS_KEY"] = "lode-uploader";
            environment["LODE_S3_UPLOAD_SECRET_KEY"] = "secret-2";
            environment["LODE_S3_UPLOAD_PREFIXES"] = uploadPrefixes;
        }
        var (calls, policies) = await RunWireScriptAsync(["myminio", "docs"], environment);

        string[] uploaderCalls = uploadPrefixes is null ? [] :
        [
            "admin policy create myminio lode-put-docs",
            "admin user add myminio lode-uploader secret-2",
            "admin user info myminio lode-uploader",
            "admin policy attach myminio lode-put-docs --user lode-uploader",
        ];
        Assert.Equal(
        [
            "admin config set myminio notify_webhook:lode endpoint=http://lode-ingest.lode.svc.cluster.local:7071/api/minio/events auth_token=token-1 queue_dir=/var/lib/minio-events queue_limit=100000",
            "admin service restart myminio",
            "ready myminio",
            "mb --ignore-existing myminio/docs",
            "admin policy create myminio lode-read-docs",
            "admin user add myminio lode-reader secret-1",
            "admin user info myminio lode-reader",
            "admin policy attach myminio lode-read-docs --user lode-reader",
            .. uploaderCalls,
            "event add myminio/docs arn:minio:sqs::lode:webhook --event put,delete --ignore-existing",
        ], calls);
        // The reading user never writes; the upload user only writes (no GetObject: MinIO then refuses a presigned PUT
        // turned into a CopyObject, which needs s3:GetObject on its source).
        Assert.Equal([("s3:GetBucketLocation,s3:ListBucket", "arn:aws:s3:::docs"), ("s3:GetObject", "arn:aws:s3:::docs/*")],
            Statements(policies["lode-read-docs"]));
        if (uploadResources is not null) Assert.Equal([("s3:PutObject", uploadResources)], Statements(policies["lode-put-docs"]));
        else Assert.False(policies.ContainsKey("lode-put-docs"));
    }

    [Fact]
    public async Task The_wiring_script_refuses_the_old_switch_that_let_the_reading_user_sign_uploads()
    {
        var environment = new Dictionary<string, string>
        {
            ["LODE_CONFIGURE_TARGET"] = "no",
            ["LODE_S3_ACCESS_KEY"] = "lode-reader",
            ["LODE_S3_SECRET_KEY"] = "secret-1",
            ["LODE_S3_ALLOW_UPLOADS"] = "yes",
        };

        var (exit, _, error, calls) = await TryWireScriptAsync(["myminio", "docs"], environment);

        Assert.Equal(2, exit);
        Assert.Contains("LODE_S3_UPLOAD_ACCESS_KEY", error, StringComparison.Ordinal);
        Assert.DoesNotContain(calls, c => c.StartsWith("admin policy", StringComparison.Ordinal));
    }

    [Fact]
    public void The_documented_upload_policy_allows_PutObject_and_nothing_else()
    {
        var statements = Statements(File.ReadAllText(Infra.Full("infra/minio/upload-policy.json")));

        Assert.Equal([("s3:PutObject", "arn:aws:s3:::documents/*")], statements);
    }

    private static List<(string Actions, string Resources)> Statements(string policy)
    {
        using var json = JsonDocument.Parse(policy);
        return json.RootElement.GetProperty("Statement").EnumerateArray()
            .Select(s => (string.Join(",", s.GetProperty("Action").EnumerateArray().Select(a => a.GetString())),
                string.Join(",", s.GetProperty("Resource").EnumerateArray().Select(r => r.GetString()))))
            .ToList();
    }

    [Fact]
    public async Task Compose_runs_the_wiring_script_against_the_target_minio_defines_from_its_environment()
    {
        var compose = Infra.BaseCompose;
        var init = compose.Service("minio-init")!;
        var variables = DotEnv.Read(Infra.Full($"{InfraManifests.ComposeFolder}/.env.example"))
            .ToDictionary(v => v.Key, v => v.Value.Length > 0 ? v.Value : $"test-{v.Key.ToLowerInvariant()}");
        var entrypoint = init.Seq("entrypoint").Strings().Select(a => ComposeVariables.Interpolate(a, variables)).ToList();
        var mount = init.Seq("volumes").Strings().Single(v => v.Contains("wire-notifications.sh", StringComparison.Ordinal)).Split(':');
        Assert.Equal(["/bin/sh", mount[1]], entrypoint.Take(2));
        var environment = compose.EnvironmentOf("minio-init")
            .Where(e => !e.Key.StartsWith("MC_HOST_", StringComparison.Ordinal))
            .ToDictionary(e => e.Key, e => ComposeVariables.Interpolate(e.Value, variables));
        var target = compose.EnvironmentOf("minio").Keys.Single(k => k.StartsWith("MINIO_NOTIFY_WEBHOOK_ENABLE_", StringComparison.Ordinal))["MINIO_NOTIFY_WEBHOOK_ENABLE_".Length..];
        var alias = entrypoint[2];

        var (calls, _) = await RunWireScriptAsync(entrypoint.Skip(2), environment);

        Assert.True(init.Map("environment").Keys().Contains($"MC_HOST_{alias}"), $"minio-init must define the alias {alias} (MC_HOST_{alias})");
        Assert.DoesNotContain(calls, c => c.StartsWith("admin config set", StringComparison.Ordinal));
        Assert.Equal($"event add {alias}/{variables["LODE_BUCKET"]} arn:minio:sqs::{target}:webhook --event put,delete --ignore-existing", calls[^1]);
        Assert.Contains($"admin user add {alias} {variables["LODE_S3_ACCESS_KEY"]} {variables["LODE_S3_SECRET_KEY"]}", calls);
    }

    private static List<string> Variables(string value) => ComposeVariables.Referenced(value).ToList();

    // Runs wire-notifications.sh with a stand-in `mc` that records each call (and the policy documents it is given, by name).
    private static async Task<(List<string> Calls, Dictionary<string, string> Policies)> RunWireScriptAsync(IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string> environment)
    {
        var (exit, output, error, calls, policies) = await RunWithStandInMcAsync(arguments, environment);
        Assert.True(exit == 0, $"wire-notifications.sh exited {exit}: {output} {error}");
        return (calls, policies);
    }

    private static async Task<(int Exit, string Output, string Error, List<string> Calls)> TryWireScriptAsync(IEnumerable<string> arguments,
        IReadOnlyDictionary<string, string> environment)
    {
        var (exit, output, error, calls, _) = await RunWithStandInMcAsync(arguments, environment);
        return (exit, output, error, calls);
    }

    private static async Task<(int Exit, string Output, string Error, List<string> Calls, Dictionary<string, string> Policies)> RunWithStandInMcAsync(
        IEnumerable<string> arguments, IReadOnlyDictionary<string, string> environment)
    {
        var bin = Directory.CreateTempSubdirectory("lode-mc-");
        try
        {
            var log = Path.Combine(bin.FullName, "calls.log");
            var mc = Path.Combine(bin.FullName, "mc");
            await File.WriteAllTextAsync(mc, """
                #!/bin/sh
                if [ "$1 $2 $3" = "admin policy create" ]; then
                  cat "$6" > "$MC_LOG.$5.policy"
                  set -- "$1" "$2" "$3" "$4" "$5"
                fi
                printf '%s\n' "$*" >> "$MC_LOG"
                """);
            if (OperatingSystem.IsWindows()) throw new PlatformNotSupportedException("infra/'s scripts are POSIX shell");
            File.SetUnixFileMode(mc, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            // Only the variables given: none the test process happens to have.
            var env = Environment.GetEnvironmentVariables().Keys.Cast<string>()
                .Where(n => n.StartsWith("LODE_", StringComparison.Ordinal) || n.StartsWith("MC_", StringComparison.Ordinal))
                .ToDictionary(n => n, string? (_) => null, StringComparer.Ordinal);
            foreach (var (name, value) in environment) env[name] = value;
            env["PATH"] = $"{bin.FullName}:{Environment.GetEnvironmentVariable("PATH")}";
            env["MC_LOG"] = log;
            env["TMPDIR"] = bin.FullName;

            var (exit, output, error) = await ShellScript.RunAsync("sh", Infra.Full("infra/minio/wire-notifications.sh"), arguments, env);

            var calls = File.Exists(log) ? File.ReadAllLines(log).ToList() : [];
            var policies = Directory.GetFiles(bin.FullName, "calls.log.*.policy")
                .ToDictionary(f => Path.GetFileName(f)["calls.log.".Length..^".policy".Length], File.ReadAllText);
            return (exit, output, error, calls, policies);
        }
        finally
        {
            bin.Delete(recursive: true);
        }
    }
}
