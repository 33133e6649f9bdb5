using System.ComponentModel;
using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;

namespace Lode.Tests.Support;

/// <summary>
/// A real S3 server on loopback for integration tests: infra/local/s3/launcher.mjs (s3rver, SigV4 checked against
/// <see cref="AccessKey"/>/<see cref="SecretKey"/>), which POSTs every object event to a webhook in MinIO's format.
/// Each instance has its own port and temporary data folder; disposing kills the server and deletes the folder.
/// </summary>
public sealed partial class S3ServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly string _dataDirectory;
    private readonly StringBuilder _output;

    private S3ServerProcess(Process process, string dataDirectory, StringBuilder output, string accessKey,
        string secretKey)
    {
        _process = process;
        _dataDirectory = dataDirectory;
        _output = output;
        AccessKey = accessKey;
        SecretKey = secretKey;
    }

    /// <summary>host:port, as the Minio SDK's WithEndpoint wants it.</summary>
    public string Endpoint => $"127.0.0.1:{Port}";

    public int Port { get; private set; }

    public string AccessKey { get; }

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
        var launcher = Path.Combine(launcherDirectory, "launcher.mjs");
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

        var start = new ProcessStartInfo("node")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
            WorkingDirectory = launcherDirectory,
        };
        // Port 0: the launcher binds a free loopback port itself and reports it in its ready line, so no other
        // process can take the port between choosing and binding it.
        foreach (var arg in new[]
                 {
                     launcher, "--port", "0", "--address", "127.0.0.1", "--data-dir", dataDirectory,
                     "--access-key", accessKey, "--secret-key", secretKey, "--exit-on-stdin-close",
                 })
        {
            start.ArgumentList.Add(arg);
        }
        if (!string.IsNullOrEmpty(webhookUrl))
        {
            start.ArgumentList.Add("--webhook-url");
            start.ArgumentList.Add(webhookUrl);
            start.ArgumentList.Add("--webhook-token");
            start.ArgumentList.Add(webhookToken ?? "");
        }
        foreach (var bucket in buckets)
        {
            start.ArgumentList.Add("--bucket");
            start.ArgumentList.Add(bucket);
        }

        var output = new StringBuilder();
        var ready = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
            var match = ReadyLine().Match(e.Data);
            if (match.Success) ready.TrySetResult(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            lock (output) output.AppendLine(e.Data);
        };
        // Exited can fire before the last output lines are read; the message reads Output after WaitForExit.
        process.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("exited"));

        try
        {
            process.Start();
        }
        catch (Win32Exception e)
        {
            TryDeleteDirectory(dataDirectory);
            throw new InvalidOperationException(
                "Cannot start 'node' (Node.js 20 is needed for the S3 test server; infra/local/install.sh installs it).", e);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var server = new S3ServerProcess(process, dataDirectory, output, accessKey, secretKey);
        try
        {
            server.Port = await ready.Task.WaitAsync(StartTimeout, ct).ConfigureAwait(false);
            return server;
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
            await server.DisposeAsync().ConfigureAwait(false);
            throw new InvalidOperationException($"The S3 test server ({launcher}) {what}. Its output:\n{server.Output}", e);
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>The folder that holds Serverless.sln, found by walking up from the test assembly.</summary>
    public static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Serverless.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException($"No Serverless.sln in {AppContext.BaseDirectory} or any folder above it.");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await _process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is InvalidOperationException or OperationCanceledException or Win32Exception)
        {
            // Already gone, never started, or refuses to die: nothing more a test can do about it.
        }
        finally
        {
            _process.Dispose();
            TryDeleteDirectory(_dataDirectory);
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
