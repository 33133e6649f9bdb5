using Npgsql;

namespace Lode.Database;

/// <summary>The index was built with another embedding model than the one configured now.</summary>
public sealed class EmbeddingModelMismatchException(string message) : Exception(message);

/// <summary>
/// Records which embedding model built the index. Vectors of different models are not comparable, so starting with a
/// different model (or dimension) is refused with a clear message instead of silently returning nonsense.
/// </summary>
public sealed class IndexSettings(NpgsqlDataSource dataSource)
{
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
