using System.Collections.Concurrent;
using Lode.Embeddings;
using Lode.Ingestion.Chunking;
using Lode.Ingestion.Extraction;
using Microsoft.Extensions.Options;

namespace Lode.Ingestion.Pipeline;

/// <summary>
/// Step 3: cut the text into token-bounded chunks that remember their pages, counted with the tokenizer of the model
/// that will embed them (each index generation's own).
/// </summary>
public sealed class ChunkStep(IEmbeddingModelRegistry models, IOptions<ChunkingOptions> options)
{
    private readonly ConcurrentDictionary<string, TokenAwareChunker> _chunkers = new(StringComparer.Ordinal);

    public IReadOnlyList<TextChunk> Run(ExtractedDocument document, string model, CancellationToken cancellationToken) =>
        _chunkers.GetOrAdd(model, m => new TokenAwareChunker(models.TokenCounter(m), options.Value)).Chunk(document, cancellationToken);
}
