using System.ComponentModel;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Minio;

namespace Lode.Tests.Support;

/// <summary>
/// A real S3 server on loopback for integration tests: infra/local/s3/launcher.mjs (s3rver, SigV4 checked against
/// <see cref="AccessKey"/>/<see cref="SecretKey"/>), which POSTs every object event to a webhook in MinIO's format.
/// Each instance has its own port and temporary data folder; disposing kills the server and deletes the folder.
/// A test can stop it and start it again on the same port and folder, as an outage of the store.
/// </summary>
public sealed partial class S3ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly string _launcherDirectory;
    private readonly IReadOnlyList<string> _arguments;
    private readonly string _dataDirectory;
    private readonly StringBuilder _output = new();
    private Process? _process;

    private S3ServerProcess(string launcherDirectory, IReadOnlyList<string> arguments, string dataDirectory,
        string accessKey, string secretKey)
    {
        _launcherDirectory = launcherDirectory;
        _arguments = arguments;
        _dataDirectory = dataDirectory;
        AccessKey = accessKey;
        SecretKey = secretKey;
    }

    /// <summary>A second key pair the server holds to a put-only policy (PutObject; no reads, no copies), as Lode's
    /// MinIO upload user: upload links are signed with it.</summary>
    public const string UploadAccessKey = "lode-test-uploads";

    public string UploadSecretKey { get; } = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();

    /// <summary>host:port, as the Minio SDK's WithEndpoint wants it.</summary>
    public string Endpoint => $"127.0.0.1:{Port}";

    public int Port { get; private set; }

    public string AccessKey { get; }

    /// <summary>A client of this server, for tests that write objects without an in-process app to lend its store.</summary>
    public Lode.Storage.IObjectStore CreateStore() => new Lode.Storage.MinioObjectStore(
        new MinioClient().WithEndpoint(Endpoint).WithCredentials(AccessKey, SecretKey).Build(),
        Microsoft.Extensions.Options.Options.Create(new Lode.Storage.StorageOptions()));

    public string SecretKey { get; }

    /// <summary>Everything the launcher printed so far (requests are not logged; webhook deliveries are).</summary>
    public string Output
    {
        get { lock (_output) return _output.ToString(); }
    }

    public static async Task<S3ServerProcess> StartAsync(string webhookUrl, string webhookToken,
        IEnumerable<string> buckets, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        var repo = FindRepositoryRoot();
        var launcherDirectory = Path.Combine(repo, "infra", "local", "s3");
        if (!File.Exists(Path.Combine(launcherDirectory, "node_modules", "s3rver", "package.json")))
        {
            throw new InvalidOperationException(
                $"The S3 test server is not installed: {launcherDirectory}/node_modules/s3rver is missing. " +
                "Run infra/local/install.sh (or 'npm ci' in infra/local/s3) first.");
        }

        var dataDirectory = Path.Combine(Path.GetTempPath(), "lode-s3-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dataDirectory);
        const string accessKey = "lode-test";
        var secretKey = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();

        var arguments = new List<string>
        {
            "--address", "127.0.0.1", "--data-dir", dataDirectory,
            "--access-key", accessKey, "--secret-key", secretKey, "--exit-on-stdin-close",
        };
        if (!string.IsNullOrEmpty(webhookUrl))
        {
            arguments.AddRange(["--webhook-url", webhookUrl, "--webhook-token", webhookToken ?? ""]);
        }
        foreach (var bucket in buckets) arguments.AddRange(["--bucket", bucket]);

        var server = new S3ServerProcess(launcherDirectory, arguments, dataDirectory, accessKey, secretKey);
        arguments.AddRange(["--upload-access-key", UploadAccessKey, "--upload-secret-key", server.UploadSecretKey]);
        try
        {
            // Port 0: the launcher binds a free loopback port itself and reports it in its ready line, so no other
            // process can take the port between choosing and binding it.
            await server.LaunchAsync(0, ct).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Kills the server as an outage would, keeping its data folder and port number, so <see cref="RestartAsync"/> can
    /// bring the same store back where clients expect it.
    /// </summary>
    public async Task StopAsync()
    {
        if (_process is null) return;
        await KillAsync(_process).ConfigureAwait(false);
        _process.Dispose();
        _process = null;
    }

    /// <summary>Starts a new server on the same port and data folder (same objects, buckets, keys and webhook).</summary>
    public async Task RestartAsync(CancellationToken ct)
    {
        if (_process is not null) throw new InvalidOperationException("The S3 test server is running; stop it first.");
        // The port was free until StopAsync; a client's connection in TIME_WAIT does not stop a listener binding it.
        await LaunchAsync(Port, ct).ConfigureAwait(false);
    }

    private async Task LaunchAsync(int port, CancellationToken ct)
    {
        var launcher = Path.Combine(_launcherDirectory, "launcher.mjs");
        var start = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = _launcherDirectory,
        };
        start.ArgumentList.Add(launcher);
        start.ArgumentList.Add("--port");
        start.ArgumentList.Add(port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var arg in _arguments) start.ArgumentList.Add(arg);

        var ready = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_output) _output.AppendLine(e.Data);
            var match = ReadyLine().Match(e.Data);
            if (match.Success) ready.TrySetResult(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (_output) _output.AppendLine(e.Data);
        };
        // Exited can fire before the last output lines are read; the message reads Output after WaitForExit.
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("exited"));

        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            process.Dispose();
            throw new InvalidOperationException(
                "Cannot start 'node' (Node.js 20 is needed for the S3 test server; infra/local/install.sh installs it).", e);
        }
        _process = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            Port = await ready.Task.WaitAsync(StartTimeout, ct).ConfigureAwait(false);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            var what = e is TimeoutException
                ? $"did not print its ready line within {StartTimeout.TotalSeconds:0} s"
                : "exited before it was ready";
            if (process.HasExited)
            {
                process.WaitForExit(); // drains the output
                what = $"exited with code {process.ExitCode} before it was ready";
            }
            throw new InvalidOperationException($"The S3 test server ({launcher}) {what}. Its output:\n{Output}", e);
        }
    }

    /// <summary>
    /// The folder that holds Serverless.sln, found by walking up from the test assembly; a build folder copied out of
    /// the repository (to run tests while the repository builds again) falls back to the repository it was built from,
    /// recorded at build time (Lode.Tests.csproj), if that still holds Serverless.sln.
    /// </summary>
    public static string FindRepositoryRoot() => FindRepositoryRoot(AppContext.BaseDirectory);

    internal static string FindRepositoryRoot(string startDirectory)
    {
        for (var dir = new DirectoryInfo(startDirectory); dir is not null; dir = dir.Parent)
        {
            if (IsRepositoryRoot(dir.FullName)) return dir.FullName;
        }
        var built = typeof(S3ServerProcess).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == "Lode.RepositoryRoot")?.Value is { } recorded ? Path.TrimEndingDirectorySeparator(recorded) : null;
        if (built is not null && IsRepositoryRoot(built)) return built;
        throw new InvalidOperationException(
            $"No Serverless.sln in {startDirectory} or any folder above it, nor in {built ?? "(no build-time repository recorded)"}.");
    }

    private static bool IsRepositoryRoot(string directory) => File.Exists(Path.Combine(directory, "Serverless.sln"));

    public async ValueTask DisposeAsync()
    {
        try
        {
            await StopAsync().ConfigureAwait(false);
        }
        finally
        {
            TryDeleteDirectory(_dataDirectory);
        }
    }

    private static async Task KillAsync(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or Win32Exception)
        {
            // Already gone, never started, or refuses to die: nothing more a test can do about it.
        }
    }

    private static void TryDeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path)) Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    [GeneratedRegex(@"^S3 ready on http://[^\s:]+:(\d+)")]
    private static partial Regex ReadyLine();
}
