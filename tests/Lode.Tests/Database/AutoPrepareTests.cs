using Lode.Database;
using Lode.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Lode.Tests.Database;

/// <summary>
/// The app's data source prepares the statements it repeats (<see cref="DatabaseOptions.MaxAutoPrepare"/>) and keeps
/// planning them with their own parameters, against a real PostgreSQL.
/// </summary>
public sealed class AutoPrepareTests : IAsyncLifetime
{
    private const string Repeated = "SELECT count(*) FROM pg_class WHERE relname = $1";

    private TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync(migrate: false);

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task A_statement_the_app_repeats_is_prepared_on_the_server_and_still_planned_per_execution()
    {
        await using var dataSource = DataSourceFor(new DatabaseOptions { ConnectionString = _db.ConnectionString });
        // One connection, so the statement's executions and the checks meet the same server session.
        await using var connection = await dataSource.OpenConnectionAsync();
        for (var i = 0; i < 10; i++)
        {
            await using var command = new NpgsqlCommand(Repeated, connection) { Parameters = { new() { Value = "pg_class" } } };
            Assert.Equal(1L, await command.ExecuteScalarAsync());
        }

        Assert.Equal(1L, await ScalarAsync<long>(connection, "SELECT count(*) FROM pg_prepared_statements WHERE statement = '" + Repeated + "'"));
        Assert.Equal("force_custom_plan", await ScalarAsync<string>(connection, "SHOW plan_cache_mode"));
    }

    [Fact]
    public async Task Zero_turns_preparation_off_and_leaves_the_plan_cache_mode_alone()
    {
        await using var dataSource = DataSourceFor(new DatabaseOptions { ConnectionString = _db.ConnectionString, MaxAutoPrepare = 0 });
        await using var connection = await dataSource.OpenConnectionAsync();
        for (var i = 0; i < 10; i++)
        {
            await using var command = new NpgsqlCommand(Repeated, connection) { Parameters = { new() { Value = "pg_class" } } };
            await command.ExecuteScalarAsync();
        }

        Assert.Equal(0L, await ScalarAsync<long>(connection, "SELECT count(*) FROM pg_prepared_statements"));
        Assert.Equal("auto", await ScalarAsync<string>(connection, "SHOW plan_cache_mode"));
    }

    [Fact]
    public void The_connection_string_wins_over_the_setting()
    {
        var connection = new NpgsqlConnectionStringBuilder("Host=h;Max Auto Prepare=5;Options=-c plan_cache_mode=auto");

        DataSourceSettings.Apply(connection, new DatabaseOptions { MaxAutoPrepare = 64 });

        Assert.Equal(5, connection.MaxAutoPrepare);
        Assert.Equal("-c plan_cache_mode=auto", connection.Options);
    }

    private static NpgsqlDataSource DataSourceFor(DatabaseOptions options) =>
        new ServiceCollection().AddSingleton(Options.Create(options)).AddLodeDatabase()
            .BuildServiceProvider().GetRequiredService<NpgsqlDataSource>();

    private static async Task<T> ScalarAsync<T>(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }
}
