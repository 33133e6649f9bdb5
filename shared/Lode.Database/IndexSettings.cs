using Npgsql;

namespace Lode.Database;

/// <summary>
/// Facts about the index, by name: the embedding model searches use (the current index generation's, kept here for
/// operators and tools; generations themselves are in <c>index_generations</c>), and the access rules its documents'
/// groups were decided by (<see cref="AccessRules"/>).
/// </summary>
public sealed class IndexSettings(NpgsqlDataSource dataSource)
{
    /// <summary>Name of the setting that identifies the access rules the stored read groups follow.</summary>
    public const string AccessRules = "access_rules";

    /// <summary>Name of the setting holding the current generation's embedding model.</summary>
    public const string EmbeddingModel = "embedding_model";

    /// <summary>Name of the setting holding the current generation's vector dimension.</summary>
    public const string EmbeddingDimensions = "embedding_dimensions";

    /// <summary>The setting's value, or null when it was never set.</summary>
    public async Task<string?> GetAsync(string name, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("SELECT value FROM index_settings WHERE name = $1");
        command.Parameters.Add(new() { Value = name });
        return (string?)await command.ExecuteScalarAsync(ct);
    }

    public async Task SetAsync(string name, string value, CancellationToken ct)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO index_settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = excluded.value
            """);
        command.Parameters.Add(new() { Value = name });
        command.Parameters.Add(new() { Value = value });
        await command.ExecuteNonQueryAsync(ct);
    }
}
