namespace Lode.Embeddings;

/// <summary>
/// What a text is embedded as. Asymmetric retrieval models (snowflake-arctic-embed-xs) embed a search query
/// differently from the passages it should find; symmetric ones (all-MiniLM-L6-v2) embed both alike.
/// Ask for it with <see cref="EmbeddingInputKindExtensions.WithInputKind"/> or
/// <see cref="EmbeddingInputKindExtensions.GenerateQueryEmbeddingAsync"/>.
/// </summary>
public enum EmbeddingInputKind
{
    /// <summary>A passage to be found: chunks at ingestion, and any text nobody said otherwise of.</summary>
    Document,

    /// <summary>A search query, compared against stored document vectors.</summary>
    Query,
}
