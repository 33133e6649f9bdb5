using Npgsql;

namespace Lode.Database;

/// <summary>
/// The API keys created through the admin API. Whether a key is active is decided here, in SQL against the
/// database's clock, so every app instance agrees the moment a key is revoked or expires.
/// </summary>
public sealed class ApiKeyRepository(NpgsqlDataSource dataSource)
{
    private const string Columns = "id, name, groups, created_at, created_by, expires_at, revoked_at";

    public async Task<ApiKeyRecord> CreateAsync(NewApiKeyRow key, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            INSERT INTO api_keys (name, key_hash, groups, created_by, expires_at) VALUES ($1, $2, $3, $4, $5)
            RETURNING {Columns}
            """);
        command.Parameters.Add(new() { Value = key.Name });
        command.Parameters.Add(new() { Value = key.KeyHash });
        command.Parameters.Add(new() { Value = key.Groups });
        command.Parameters.Add(new() { Value = (object?)key.CreatedBy ?? DBNull.Value });
        command.Parameters.Add(new() { Value = (object?)key.ExpiresAt ?? DBNull.Value });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return Read(reader);
    }

    /// <summary>Every key, revoked and expired ones included (an operator wants to see those too), newest first.</summary>
    public async Task<IReadOnlyList<ApiKeyRecord>> ListAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"SELECT {Columns} FROM api_keys ORDER BY created_at DESC, id");
        var keys = new List<ApiKeyRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken)) keys.Add(Read(reader));
        return keys;
    }

    /// <summary>
    /// Revokes the key; false when there is no key with that id. Revoking twice keeps the first revocation time.
    /// </summary>
    public async Task<bool> RevokeAsync(Guid id, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1");
        command.Parameters.Add(new() { Value = id });
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    /// <summary>The key with this SHA-256 if it is neither revoked nor expired; otherwise null.</summary>
    public async Task<ApiKeyRecord?> FindActiveByHashAsync(byte[] keyHash, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand($"""
            SELECT {Columns} FROM api_keys
            WHERE key_hash = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())
            """);
        command.Parameters.Add(new() { Value = keyHash });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? Read(reader) : null;
    }

    private static ApiKeyRecord Read(NpgsqlDataReader r) => new(
        Id: r.GetGuid(0),
        Name: r.GetString(1),
        Groups: r.GetFieldValue<string[]>(2),
        CreatedAt: r.GetFieldValue<DateTimeOffset>(3),
        CreatedBy: r.IsDBNull(4) ? null : r.GetString(4),
        ExpiresAt: r.IsDBNull(5) ? null : r.GetFieldValue<DateTimeOffset>(5),
        RevokedAt: r.IsDBNull(6) ? null : r.GetFieldValue<DateTimeOffset>(6));
}
