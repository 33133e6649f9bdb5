using Npgsql;
using Pgvector;

namespace Lode.Database;

/// <summary>
/// Finds vectors already computed for chunk texts of a document, by content hash, so re-indexing a changed document
/// only embeds the chunks whose text changed. Only within one index generation: another generation's vectors come
/// from another model and are useless here.
/// </summary>
public sealed class ChunkVectorCache(NpgsqlDataSource dataSource)
{
    public async Task<IReadOnlyDictionary<string, ReadOnlyMemory<float>>> FindAsync(
        string bucket, string key, int generation, IReadOnlyCollection<byte[]> contentHashes, CancellationToken ct)
    {
        var found = new Dictionary<string, ReadOnlyMemory<float>>();
        if (contentHashes.Count == 0) return found;
        await using var command = dataSource.CreateCommand("""
            SELECT DISTINCT ON (c.content_hash) c.content_hash, c.embedding
            FROM chunks c JOIN documents d ON d.id = c.document_id
            WHERE d.bucket = $1 AND d.key = $2 AND c.generation = $3 AND c.content_hash = ANY($4)
            """);
        command.Parameters.Add(new() { Value = bucket });
        command.Parameters.Add(new() { Value = key });
        command.Parameters.Add(new() { Value = generation });
        command.Parameters.Add(new() { Value = contentHashes.ToArray() });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            found[Convert.ToHexString(reader.GetFieldValue<byte[]>(0))] = reader.GetFieldValue<Vector>(1).Memory;
        }
        return found;
    }
}
