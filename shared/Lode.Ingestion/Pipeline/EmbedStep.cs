using Lode.Database;
using Lode.Database.Generations;
using Lode.Embeddings;
using Lode.Ingestion.Chunking;
using Microsoft.Extensions.AI;

namespace Lode.Ingestion.Pipeline;

/// <summary>
/// Gives every chunk a vector, with the model of the index generation it is for. Chunks whose text is unchanged since
/// that generation last indexed the document reuse their stored vector; only new or changed text goes through the
/// model, in batches.
/// </summary>
public sealed class EmbedStep(IEmbeddingModelRegistry models, ChunkVectorCache cache) : IIngestStep
{
    public string Name => IngestStepNames.Embed;

    public async Task RunAsync(IngestContext context, CancellationToken cancellationToken)
    {
        var chunked = IngestContext.Required(context.Chunked, "the chunks");
        var embedded = new List<EmbeddedChunks>(chunked.Count);
        foreach (var (generation, chunks) in chunked)
            embedded.Add(await EmbedAsync(generation, context.Job.Bucket, context.Job.Key, chunks, cancellationToken));
        context.Embedded = embedded;
    }

    private async Task<EmbeddedChunks> EmbedAsync(IndexGeneration generation, string bucket, string key, IReadOnlyList<TextChunk> chunks,
        CancellationToken ct)
    {
        // Chunks are matched to vectors by content hash, as hex: computed once per chunk.
        var keys = chunks.Select(c => Convert.ToHexString(c.ContentHash)).ToArray();
        var known = await cache.FindAsync(bucket, key, generation.Id, chunks.Select(c => c.ContentHash).ToArray(), ct);

        var vectors = new Dictionary<string, ReadOnlyMemory<float>>(known);
        var missing = chunks.Where((_, i) => !known.ContainsKey(keys[i])).DistinctBy(c => Convert.ToHexString(c.ContentHash)).ToList();
        if (missing.Count > 0)
        {
            var embeddings = await models.Generator(generation.Model).GenerateAsync(missing.Select(c => c.EmbeddingInput), cancellationToken: ct);
            for (var i = 0; i < missing.Count; i++) vectors[Convert.ToHexString(missing[i].ContentHash)] = embeddings[i].Vector;
        }

        var rows = chunks.Select((c, i) => new ChunkRow(ChunkIdentity.For(bucket, key, c.Ordinal, generation.Id), c.Ordinal, c.PageStart,
            c.PageEnd, c.TokenCount, c.Text, c.ContentHash, vectors[keys[i]], c.HeadingPath, c.Context, c.IsNavigation)).ToList();
        return new EmbeddedChunks(new GenerationChunks(generation.Id, rows), Reused: keys.Count(known.ContainsKey), Embedded: missing.Count);
    }
}

/// <summary>One generation's chunks ready to store, and how many vectors were reused versus computed.</summary>
public sealed record EmbeddedChunks(GenerationChunks Chunks, int Reused, int Embedded);
