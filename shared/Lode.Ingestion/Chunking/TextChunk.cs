using System.Security.Cryptography;
using System.Text;

namespace Lode.Ingestion.Chunking;

/// <summary>
/// One retrievable piece of a document: its text, the pages it spans, the headings it sits under, and the context
/// line (title › headings) written before the text when it is embedded and full-text indexed.
/// <see cref="ContentHash"/> is the SHA-256 of exactly what is embedded (<see cref="EmbeddingInput"/>), so an
/// unchanged chunk keeps its vector when the document is re-indexed, and a changed heading gets a new one.
/// </summary>
/// <param name="IsNavigation">The chunk comes from a table of contents, an index or a similar page.</param>
public sealed record TextChunk(
    int Ordinal,
    int PageStart,
    int PageEnd,
    string Text,
    int TokenCount,
    IReadOnlyList<string> HeadingPath,
    string Context,
    bool IsNavigation)
{
    /// <summary>What the embedding model reads for this chunk: the context line, a blank line, the text.</summary>
    public string EmbeddingInput => EmbeddingInputOf(Context, Text);

    public byte[] ContentHash { get; } = SHA256.HashData(Encoding.UTF8.GetBytes(EmbeddingInputOf(Context, Text)));

    /// <summary>The text as embedded: <paramref name="context"/>, a blank line, <paramref name="text"/> (the text alone without context).</summary>
    public static string EmbeddingInputOf(string context, string text) => context.Length == 0 ? text : context + "\n\n" + text;
}
