using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Npgsql;

namespace Lode.Tests.Support;

/// <summary>
/// A PostgreSQL cluster of the test's own (PostgreSQL 15 + pgvector, as infra/local/postgres.sh installs them) in a
/// temporary folder on a free loopback port, for tests that stop and restart the database: the shared test cluster
/// serves other tests at the same time and must never go away. Commands run as the postgres user when the tests run as
/// root (initdb refuses root). Disposing stops the cluster and deletes the folder.
/// </summary>
public sealed class PrivatePostgres : IAsyncDisposable
{
    public const string BinDirectory = "/usr/lib/postgresql/15/bin";
    private const string Superuser = "postgres";
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(120);

    private readonly string _dataDirectory;

    private PrivatePostgres(string root, string dataDirectory, int port, string password)
    {
        Root = root;
        _dataDirectory = dataDirectory;
        Port = port;
        ServerConnectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1", Port = port, Username = Superuser, Password = password, Database = "postgres",
        }.ConnectionString;
    }

    /// <summary>The temporary folder holding the cluster (deleted on dispose).</summary>
    public string Root { get; }

    public int Port { get; }

    /// <summary>The superuser on the maintenance database: pass it to <see cref="TestDatabase.CreateAsync"/> as the server.</summary>
    public string ServerConnectionString { get; }

    public static async Task<PrivatePostgres> StartAsync()
    {
        foreach (var tool in new[] { "initdb", "pg_ctl" })
        {
            if (!File.Exists(Path.Combine(BinDirectory, tool)))
            {
                throw new InvalidOperationException(
                    $"{BinDirectory}/{tool} is missing: this test needs PostgreSQL 15 with pgvector (infra/local/install.sh installs them).");
            }
        }
        var root = Path.Combine(Path.GetTempPath(), "lode-pg-" + Guid.NewGuid().ToString("N"));
        var data = Path.Combine(root, "data");
        Directory.CreateDirectory(root);
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();
        var server = new PrivatePostgres(root, data, FreePort.Next(), password);
        try
        {
            var passwordFile = Path.Combine(root, "password");
            await File.WriteAllTextAsync(passwordFile, password);
            if (RunsAsRoot) await RunAsync("chown", ["-R", $"{Superuser}:{Superuser}", root], asPostgres: false);
            await RunAsync(Path.Combine(BinDirectory, "initdb"),
                ["-D", data, "-U", Superuser, $"--pwfile={passwordFile}", "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8"],
                asPostgres: true);
            File.Delete(passwordFile);
            await File.AppendAllTextAsync(Path.Combine(data, "postgresql.conf"), $"""

                listen_addresses = '127.0.0.1'
                port = {server.Port.ToString(CultureInfo.InvariantCulture)}
                unix_socket_directories = '{data}'
                max_connections = 100
                fsync = off

                """);
            await server.RestartAsync();
            // Every database the test creates gets pgvector, as on the shared cluster.
            var template = new NpgsqlConnectionStringBuilder(server.ServerConnectionString) { Database = "template1", Pooling = false };
            await using var connection = new NpgsqlConnection(template.ConnectionString);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS vector", connection);
            await command.ExecuteNonQueryAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the server as an outage would: `pg_ctl stop -m fast` ends every session at once.</summary>
    public Task StopAsync() =>
        RunAsync(Path.Combine(BinDirectory, "pg_ctl"), ["-D", _dataDirectory, "-m", "fast", "-w", "-t", "60", "stop"], asPostgres: true);

    /// <summary>Starts the server (again) on the same port and data, waiting until it accepts connections.</summary>
    public Task RestartAsync() =>
        RunAsync(Path.Combine(BinDirectory, "pg_ctl"),
            ["-D", _dataDirectory, "-l", Path.Combine(Root, "server.log"), "-w", "-t", "60", "start"], asPostgres: true);

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try
        {
            if (File.Exists(Path.Combine(_dataDirectory, "postmaster.pid")))
            {
                await RunAsync(Path.Combine(BinDirectory, "pg_ctl"), ["-D", _dataDirectory, "-m", "immediate", "-w", "stop"], asPostgres: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already stopped, or refuses: the folder is removed below either way.
        }
        finally
        {
            try { Directory.Delete(Root, recursive: true); }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
        }
    }

    private static bool RunsAsRoot => Environment.UserName == "root";

    private static async Task RunAsync(string program, IReadOnlyList<string> args, bool asPostgres)
    {
        var viaRunuser = asPostgres && RunsAsRoot;
        var start = new ProcessStartInfo(viaRunuser ? "runuser" : program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetTempPath(),
        };
        if (viaRunuser)
        {
            foreach (var arg in new[] { "-u", Superuser, "--", program }) start.ArgumentList.Add(arg);
        }
        foreach (var arg in args) start.ArgumentList.Add(arg);

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception e)
        {
            throw new InvalidOperationException($"Cannot run {start.FileName} (needed to run {program}).", e);
        }
        using (process)
        {
            // pg_ctl start sends the server's output to its log file, so no pipe outlives the command.
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(CommandTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"{program} {string.Join(' ', args)} did not finish within {CommandTimeout.TotalSeconds:0} s.");
            }
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"{program} {string.Join(' ', args)} exited with code {process.ExitCode}:\n{await output}\n{await error}");
            }
        }
    }
}
