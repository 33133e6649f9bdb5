using Npgsql;

namespace Lode.Tests.Support;

/// <summary>
/// Holds an uncommitted ingest job row for one object. A transaction that enqueues the same object waits on it (the
/// unique index), so a test can stop the intake writer inside a commit and queue requests behind it — by what
/// PostgreSQL reports, without timing. Opening the gate rolls the row back; the waiting transaction then goes on.
/// </summary>
public sealed class JobRowGate : IAsyncDisposable
{
    private readonly TestDatabase _database;
    private readonly NpgsqlConnection _connection;
    private NpgsqlTransaction? _transaction;

    private JobRowGate(TestDatabase database, NpgsqlConnection connection, NpgsqlTransaction transaction)
    {
        _database = database;
        _connection = connection;
        _transaction = transaction;
    }

    public static async Task<JobRowGate> CloseAsync(TestDatabase database, string bucket, string key)
    {
        var connection = await database.DataSource.OpenConnectionAsync();
        var transaction = await connection.BeginTransactionAsync();
        await using var hold = new NpgsqlCommand("INSERT INTO ingest_jobs (bucket, key, reason) VALUES ($1, $2, 'gate')", connection, transaction);
        hold.Parameters.Add(new() { Value = bucket });
        hold.Parameters.Add(new() { Value = key });
        await hold.ExecuteNonQueryAsync();
        return new JobRowGate(database, connection, transaction);
    }

    /// <summary>Waits until another session of this database is blocked on a lock (the writer, on the held row).</summary>
    public Task WaitForBlockedWriterAsync() => Eventually.WaitUntilAsync(async () => await _database.ScalarAsync<long>(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'") > 0,
        "a transaction to wait on the gate's row");

    public async Task OpenAsync()
    {
        if (_transaction is null) return;
        await _transaction.RollbackAsync();
        await _transaction.DisposeAsync();
        _transaction = null;
    }

    public async ValueTask DisposeAsync()
    {
        await OpenAsync();
        await _connection.DisposeAsync();
    }
}
