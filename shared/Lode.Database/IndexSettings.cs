using Npgsql;

namespace Lode.Database;

/// <summary>The index was built with another embedding model than the one configured now.</summary>
public sealed class EmbeddingModelMismatchException(string message) : Exception(message);

/// <summary>
/// Facts about how the index was built, by name. The embedding model that built it: vectors of different models are
/// not comparable, so starting with a different model (or dimension) is refused with a clear message instead of
/// silently returning nonsense. The access rules its documents' groups were decided by (<see cref="AccessRules"/>).
/// </summary>
public sealed class IndexSettings(NpgsqlDataSource dataSource)
{
    /// <summary>Name of the setting that identifies the access rules the stored read groups follow.</summary>
    public const string AccessRules = "access_rules";

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

    public async Task EnsureEmbeddingModelAsync(string model, int dimensions, CancellationToken ct)
    {
        await using var insert = dataSource.CreateCommand("""
            INSERT INTO index_settings (name, value) VALUES ('embedding_model', $1), ('embedding_dimensions', $2)
            ON CONFLICT (name) DO NOTHING
            """);
        insert.Parameters.Add(new() { Value = model });
        insert.Parameters.Add(new() { Value = dimensions.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        await insert.ExecuteNonQueryAsync(ct);

        await using var select = dataSource.CreateCommand(
            "SELECT name, value FROM index_settings WHERE name IN ('embedding_model', 'embedding_dimensions')");
        var stored = new Dictionary<string, string>();
        await using (var reader = await select.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct)) stored[reader.GetString(0)] = reader.GetString(1);
        }

        var storedModel = stored["embedding_model"];
        var storedDimensions = stored["embedding_dimensions"];
        if (storedModel != model || storedDimensions != dimensions.ToString(System.Globalization.CultureInfo.InvariantCulture))
        {
            throw new EmbeddingModelMismatchException(
                $"The index was built with embedding model '{storedModel}' ({storedDimensions} dimensions) but the " +
                $"configured model is '{model}' ({dimensions} dimensions). Configure the original model, or rebuild " +
                "the index into a new database.");
        }
    }
}
