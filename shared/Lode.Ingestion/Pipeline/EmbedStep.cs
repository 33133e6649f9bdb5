using Lode.Database;
using Lode.Ingestion.Chunking;
using Microsoft.Extensions.AI;

namespace Lode.Ingestion.Pipeline;

/// <summary>
/// Step 4: give every chunk a vector. Chunks whose text is unchanged since the last indexing reuse their stored vector;
/// only new or changed text goes through the model, in batches.
/// </summary>
public sealed class EmbedStep(IEmbeddingGenerator<string, Embedding<float>> generator, ChunkVectorCache cache)
{
    public string ModelName { get; } = generator.GetService<EmbeddingGeneratorMetadata>()?.DefaultModelId ?? "unknown";

    public async Task<EmbeddedChunks> RunAsync(string bucket, string key, IReadOnlyList<TextChunk> chunks, CancellationToken ct)
    {
        // Chunks are matched to vectors by content hash, as hex: computed once per chunk.
        var keys = chunks.Select(c => Convert.ToHexString(c.ContentHash)).ToArray();
        var known = await cache.FindAsync(bucket, key, ModelName, chunks.Select(c => c.ContentHash).ToArray(), ct);

        var vectors = new Dictionary<string, ReadOnlyMemory<float>>(known);
        var missing = chunks.Where((_, i) => !known.ContainsKey(keys[i])).DistinctBy(c => Convert.ToHexString(c.ContentHash)).ToList();
        if (missing.Count > 0)
        {
            var embeddings = await generator.GenerateAsync(missing.Select(c => c.EmbeddingInput), cancellationToken: ct);
            for (var i = 0; i < missing.Count; i++) vectors[Convert.ToHexString(missing[i].ContentHash)] = embeddings[i].Vector;
        }

        var rows = chunks.Select((c, i) => new ChunkRow(ChunkIdentity.For(bucket, key, c.Ordinal), c.Ordinal, c.PageStart, c.PageEnd,
            c.TokenCount, c.Text, c.ContentHash, vectors[keys[i]], c.HeadingPath, c.Context, c.IsNavigation)).ToList();
        return new EmbeddedChunks(rows, Reused: keys.Count(known.ContainsKey), Embedded: missing.Count);
    }
}

/// <summary>Chunks ready to store, and how many vectors were reused versus computed.</summary>
public sealed record EmbeddedChunks(IReadOnlyList<ChunkRow> Rows, int Reused, int Embedded);
