using Lode.Functions;
using Lode.Storage;
using Lode.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Lode.Benchmarks;

/// <summary>
/// The app's own services (<see cref="LodeServices.AddLode"/>: queue worker, pipeline, reindex lister, ...) in a generic
/// host, over a real S3 server (infra/local/s3, as the tests start it, without notifications) and a fresh database that
/// is dropped at the end. Production's defaults unless <c>--Section:Key=value</c> settings override them.
/// </summary>
internal sealed class AppServices : IAsyncDisposable
{
    private readonly S3ServerProcess _s3;
    private readonly IHost _host;

    private AppServices(S3ServerProcess s3, TestDatabase database, IHost host)
    {
        _s3 = s3;
        Database = database;
        _host = host;
    }

    public TestDatabase Database { get; }

    public IServiceProvider Services => _host.Services;

    /// <summary>Starts the S3 server with <paramref name="buckets"/>, a fresh database and the host (which migrates it).</summary>
    public static async Task<AppServices> StartAsync(IReadOnlyList<string> buckets, IReadOnlyList<string> settings,
        Action<IServiceCollection>? overrides = null)
    {
        var s3 = await S3ServerProcess.StartAsync("", "", buckets, CancellationToken.None);
        var database = await TestDatabase.CreateAsync(migrate: false, namePrefix: "lode_bench_");
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:ConnectionString"] = database.ConnectionString,
            ["Storage:Endpoint"] = s3.Endpoint,
            ["Storage:AccessKey"] = s3.AccessKey,
            ["Storage:SecretKey"] = s3.SecretKey,
            ["Storage:UploadAccessKey"] = S3ServerProcess.UploadAccessKey,
            ["Storage:UploadSecretKey"] = s3.UploadSecretKey,
            ["Logging:LogLevel:Default"] = "Warning",
        });
        builder.Configuration.AddCommandLine(settings.ToArray());
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.AddLode(builder.Configuration);
        overrides?.Invoke(builder.Services);
        var host = builder.Build();
        var services = new AppServices(s3, database, host);
        try
        {
            await host.StartAsync(); // migrates the schema (IndexInitializer), then starts the worker and the lister
            return services;
        }
        catch
        {
            await services.DisposeAsync();
            throw;
        }
    }

    /// <summary>Puts each file into the bucket under its file name; returns the keys.</summary>
    public async Task<List<string>> UploadAsync(string bucket, IEnumerable<string> files)
    {
        var store = Services.GetRequiredService<IObjectStore>();
        var keys = new List<string>();
        foreach (var file in files)
        {
            var key = Path.GetFileName(file);
            await using var stream = File.OpenRead(file);
            await store.PutAsync(bucket, key, stream, "application/octet-stream", CancellationToken.None);
            keys.Add(key);
        }

        return keys;
    }

    /// <summary>The server processes serving our database (the pool keeps them), whose CPU time counts as ours.</summary>
    public Task<List<int>> DatabaseBackendsAsync() => DatabaseBackendsAsync(Database);

    /// <summary>The server processes serving <paramref name="database"/>, for a benchmark that runs the app another way.</summary>
    public static async Task<List<int>> DatabaseBackendsAsync(TestDatabase database)
    {
        var pids = new List<int>();
        await using var command = database.DataSource.CreateCommand("SELECT pid FROM pg_stat_activity WHERE datname = current_database()");
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) pids.Add(reader.GetInt32(0));
        return pids;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _host.StopAsync();
        }
        finally
        {
            _host.Dispose();
            await Database.DisposeAsync();
            await _s3.DisposeAsync();
        }
    }
}
