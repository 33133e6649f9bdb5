namespace Lode.Ingestion.Chunking;

/// <summary>
/// One retrievable piece of a document. <see cref="ContentHash"/> (SHA-256 of the text) lets an unchanged chunk keep its
/// vector when the document is re-indexed.
/// </summary>
public sealed record TextChunk(int Ordinal, int PageStart, int PageEnd, string Text, int TokenCount, byte[] ContentHash);
