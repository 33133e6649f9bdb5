using System.Collections.Concurrent;
using Lode.Embeddings;
using Lode.Ingestion.Chunking;
using Microsoft.Extensions.Options;

namespace Lode.Ingestion.Pipeline;

/// <summary>
/// Cuts the text into token-bounded chunks that remember their pages, for every stale generation, counted with the
/// tokenizer of the model that will embed them (each generation's own).
/// </summary>
public sealed class ChunkStep(IEmbeddingModelRegistry models, IOptions<ChunkingOptions> options) : IIngestStep
{
    private readonly ConcurrentDictionary<string, TokenAwareChunker> _chunkers = new(StringComparer.Ordinal);

    public string Name => IngestStepNames.Chunk;

    public Task RunAsync(IngestContext context, CancellationToken cancellationToken)
    {
        var text = IngestContext.Required(context.Text, "the extracted text");
        context.Chunked = context.Stale
            .Select(g => new GenerationText(g, _chunkers.GetOrAdd(g.Model, m => new TokenAwareChunker(models.TokenCounter(m), options.Value)).Chunk(text, cancellationToken)))
            .ToList();
        return Task.CompletedTask;
    }
}
