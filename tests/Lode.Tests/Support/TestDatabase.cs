using Lode.Database;
using Lode.Database.Generations;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Pgvector.Npgsql;

namespace Lode.Tests.Support;

/// <summary>
/// A fresh, migrated database on the test PostgreSQL server (LODE_TEST_PG, as started by infra/local/postgres.sh),
/// dropped on dispose, so test classes never see each other's rows.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public const string DefaultServer = "Host=127.0.0.1;Port=54329;Username=lode;Password=lode;Database=lode";
    public const int Dimensions = 384;

    /// <summary>The model of a migrated test database's first index generation (the app's default model).</summary>
    public const string Model = "all-MiniLM-L6-v2";

    private readonly string _adminConnectionString;
    private bool _keep;

    private TestDatabase(string adminConnectionString, string name, string connectionString, NpgsqlDataSource dataSource)
    {
        _adminConnectionString = adminConnectionString;
        Name = name;
        ConnectionString = connectionString;
        DataSource = dataSource;
    }

    public string Name { get; }
    public string ConnectionString { get; }
    public NpgsqlDataSource DataSource { get; }

    public static string ServerConnectionString =>
        Environment.GetEnvironmentVariable("LODE_TEST_PG") is { Length: > 0 } configured ? configured : DefaultServer;

    /// <summary>
    /// Creates the database, named <paramref name="namePrefix"/> plus a random suffix (the benchmarks use their own
    /// prefix), on <paramref name="server"/> (default: the shared test server). <paramref name="migrate"/>: migrated,
    /// with index generation 1 of <see cref="Model"/> and its vector index, as the app's start-up leaves a fresh index.
    /// </summary>
    public static async Task<TestDatabase> CreateAsync(bool migrate = true, string namePrefix = "lode_test_", string? server = null)
    {
        var admin = server ?? ServerConnectionString;
        var name = namePrefix + Guid.NewGuid().ToString("N")[..12];
        await using (var connection = new NpgsqlConnection(admin))
        {
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand($"CREATE DATABASE {name}", connection);
            await command.ExecuteNonQueryAsync();
        }
        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.UseVector();
        var dataSource = builder.Build();
        var database = new TestDatabase(admin, name, connectionString, dataSource);
        if (migrate)
        {
            await new SchemaMigrator(dataSource, NullLogger<SchemaMigrator>.Instance).MigrateAsync(new SchemaParameters(Dimensions), default);
            var indexes = new GenerationVectorIndexes(dataSource, NullLogger<GenerationVectorIndexes>.Instance);
            await new GenerationSwitch(dataSource, indexes).EnsureFirstAsync(Model, Dimensions, default);
            await indexes.EnsureAsync(default);
        }
        return database;
    }

    /// <summary>
    /// An existing database (one a benchmark kept with <see cref="Keep"/>), not dropped on dispose: an index built once
    /// can be measured again and again.
    /// </summary>
    public static TestDatabase Attach(string name, string? server = null)
    {
        var admin = server ?? ServerConnectionString;
        var connectionString = new NpgsqlConnectionStringBuilder(admin) { Database = name }.ConnectionString;
        var builder = new NpgsqlDataSourceBuilder(connectionString);
        builder.UseVector();
        return new TestDatabase(admin, name, connectionString, builder.Build()) { _keep = true };
    }

    /// <summary>Leaves the database in place on dispose (see <see cref="Attach"/>).</summary>
    public void Keep() => _keep = true;

    public async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var command = DataSource.CreateCommand(sql);
        foreach (var p in parameters) command.Parameters.Add(new() { Value = p });
        return (T)(await command.ExecuteScalarAsync())!;
    }

    public async Task ExecuteAsync(string sql, params object[] parameters)
    {
        await using var command = DataSource.CreateCommand(sql);
        foreach (var p in parameters) command.Parameters.Add(new() { Value = p });
        await command.ExecuteNonQueryAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        NpgsqlConnection.ClearAllPools();
        if (_keep) return;
        // Not WITH (FORCE): that needs the right to signal autovacuum workers, which run as the superuser. Sessions of
        // our own role (an app a test could not stop cleanly) are ended first; DROP itself waits up to 5 s for others,
        // so a few tries outlast an autovacuum pass. A database left behind only costs space.
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                await using var connection = new NpgsqlConnection(_adminConnectionString);
                await connection.OpenAsync();
                await using (var terminate = new NpgsqlCommand(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND usename = current_user", connection))
                {
                    terminate.Parameters.Add(new() { Value = Name });
                    await terminate.ExecuteNonQueryAsync();
                }
                await using var command = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Name}", connection);
                await command.ExecuteNonQueryAsync();
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.ObjectInUse)
            {
                await Task.Delay(250);
            }
        }
    }
}
