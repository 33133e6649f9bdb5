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
        var known = await cache.FindAsync(bucket, key, ModelName, chunks.Select(c => c.ContentHash).ToArray(), ct);

        var missing = chunks.Where(c => !known.ContainsKey(Convert.ToHexString(c.ContentHash)))
            .DistinctBy(c => Convert.ToHexString(c.ContentHash)).ToList();
        var computed = new Dictionary<string, ReadOnlyMemory<float>>(known);
        if (missing.Count > 0)
        {
            var embeddings = await generator.GenerateAsync(missing.Select(c => c.Text), cancellationToken: ct);
            for (var i = 0; i < missing.Count; i++) computed[Convert.ToHexString(missing[i].ContentHash)] = embeddings[i].Vector;
        }

        var rows = chunks.Select(c => new ChunkRow(ChunkIdentity.For(bucket, key, c.Ordinal), c.Ordinal, c.PageStart, c.PageEnd,
            c.TokenCount, c.Text, c.ContentHash, computed[Convert.ToHexString(c.ContentHash)])).ToList();
        return new EmbeddedChunks(rows, Reused: chunks.Count(c => known.ContainsKey(Convert.ToHexString(c.ContentHash))),
            Embedded: missing.Count);
    }
}

/// <summary>Chunks ready to store, and how many vectors were reused versus computed.</summary>
public sealed record EmbeddedChunks(IReadOnlyList<ChunkRow> Rows, int Reused, int Embedded);
