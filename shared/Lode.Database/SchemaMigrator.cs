using Microsoft.Extensions.Logging;
using Npgsql;

namespace Lode.Database;

/// <summary>
/// Brings the schema up to date at start-up. Several app instances may start at once: a session advisory lock makes
/// them take turns, and each migration runs in its own transaction together with its version row.
/// </summary>
public sealed class SchemaMigrator(NpgsqlDataSource dataSource, ILogger<SchemaMigrator> logger)
{
    // Arbitrary constant shared by every Lode instance: "Lode" in ASCII.
    private const long AdvisoryLockKey = 0x4C6F6465;

    /// <param name="throughVersion">Stop after this migration (null: all of them); for tests of an upgrade from an older schema.</param>
    public async Task MigrateAsync(SchemaParameters parameters, CancellationToken cancellationToken, int? throughVersion = null)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        await Execute(connection, null, $"SELECT pg_advisory_lock({AdvisoryLockKey})", cancellationToken);
        try
        {
            await Execute(connection, null, """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    integer PRIMARY KEY,
                    name       text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now()
                )
                """, cancellationToken);

            var applied = new HashSet<int>();
            await using (var command = new NpgsqlCommand("SELECT version FROM schema_migrations", connection))
            await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken)) applied.Add(reader.GetInt32(0));
            }

            var pending = Migrations.All.Where(m => !applied.Contains(m.Version) && m.Version <= (throughVersion ?? int.MaxValue));
            foreach (var migration in pending.OrderBy(m => m.Version))
            {
                await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
                await Execute(connection, transaction, migration.Sql(parameters), cancellationToken);
                await using (var record = new NpgsqlCommand(
                    "INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", connection, transaction))
                {
                    record.Parameters.Add(new() { Value = migration.Version });
                    record.Parameters.Add(new() { Value = migration.Name });
                    await record.ExecuteNonQueryAsync(cancellationToken);
                }
                await transaction.CommitAsync(cancellationToken);
                logger.LogInformation("Applied schema migration {Version}: {Name}", migration.Version, migration.Name);
            }
        }
        finally
        {
            await Execute(connection, null, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
        }
        // Types created by the migration (vector) must be known to every pooled connection.
        await dataSource.ReloadTypesAsync(cancellationToken);
    }

    private static async Task Execute(NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(sql, connection, transaction);
        await command.ExecuteNonQueryAsync(ct);
    }
}
