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
/// <param name="ReadGroups">The groups that may read the document, normalized (see Lode.Security.AccessGroups).</param>
public sealed record IndexedObject(string Etag, long SizeBytes, string? ContentType, int Pages, string EmbeddingModel, string[] ReadGroups);
