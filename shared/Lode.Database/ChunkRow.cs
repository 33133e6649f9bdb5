namespace Lode.Database;

/// <summary>A chunk as stored: text, where it came from, and its vector.</summary>
public sealed record ChunkRow(
    Guid Id,
    int Ordinal,
    int PageStart,
    int PageEnd,
    int TokenCount,
    string Content,
    byte[] ContentHash,
    ReadOnlyMemory<float> Embedding);

/// <summary>What the worker learned about an object it indexed.</summary>
public sealed record IndexedObject(string Etag, long SizeBytes, string? ContentType, int Pages, string EmbeddingModel);
