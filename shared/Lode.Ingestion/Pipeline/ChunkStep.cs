using Lode.Ingestion.Chunking;
using Lode.Ingestion.Extraction;

namespace Lode.Ingestion.Pipeline;

/// <summary>Step 3: cut the text into token-bounded chunks that remember their pages.</summary>
public sealed class ChunkStep(TokenAwareChunker chunker)
{
    public IReadOnlyList<TextChunk> Run(ExtractedDocument document) => chunker.Chunk(document);
}
