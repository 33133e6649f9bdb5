using Npgsql;

namespace Lode.Database;

/// <summary>
/// Named PostgreSQL session advisory locks, for work that one instance at a time should do (reconciling, listing a
/// reindex run). The lock lives as long as the connection that took it: an instance that dies releases it with its
/// connection, so nothing stays locked after a crash. No transaction is held meanwhile.
/// </summary>
public sealed class AdvisoryLocks(NpgsqlDataSource dataSource)
{
    /// <summary>Takes the lock if nobody holds it; null when another session does. Dispose to release it.</summary>
    public async Task<IAsyncDisposable?> TryAcquireAsync(string name, CancellationToken ct)
    {
        var connection = await dataSource.OpenConnectionAsync(ct);
        try
        {
            await using var command = new NpgsqlCommand("SELECT pg_try_advisory_lock(hashtextextended($1, 0))", connection);
            command.Parameters.Add(new() { Value = name });
            if (await command.ExecuteScalarAsync(ct) is true) return new HeldLock(connection, name);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
        await connection.DisposeAsync();
        return null;
    }

    private sealed class HeldLock(NpgsqlConnection connection, string name) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            try
            {
                await using var command = new NpgsqlCommand("SELECT pg_advisory_unlock(hashtextextended($1, 0))", connection);
                command.Parameters.Add(new() { Value = name });
                await command.ExecuteNonQueryAsync(CancellationToken.None);
            }
            catch (NpgsqlException)
            {
                // The connection is broken: the server has ended the session, and the lock with it.
            }
            finally
            {
                await connection.DisposeAsync();
            }
        }
    }
}
