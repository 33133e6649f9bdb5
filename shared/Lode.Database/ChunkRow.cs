namespace Lode.Database;

/// <summary>A chunk as stored: text, where it came from (pages, headings), and its vector.</summary>
/// <param name="ContentHash">SHA-256 of what was embedded: <paramref name="Context"/> and <paramref name="Content"/>.</param>
/// <param name="HeadingPath">The headings the chunk sits under, outermost first.</param>
/// <param name="Context">The line written before the content when it was embedded and full-text indexed (title › headings).</param>
/// <param name="IsNavigation">From a table of contents, an index or the like: kept out of searches unless asked for.</param>
public sealed record ChunkRow(
    Guid Id,
    int Ordinal,
    int PageStart,
    int PageEnd,
    int TokenCount,
    string Content,
    byte[] ContentHash,
    ReadOnlyMemory<float> Embedding,
    IReadOnlyList<string>? HeadingPath = null,
    string Context = "",
    bool IsNavigation = false);

/// <summary>What the worker learned about an object it indexed.</summary>
/// <param name="ReadGroups">The groups that may read the document, normalized (see Lode.Access.AccessGroups).</param>
/// <param name="Title">The title the document gives itself, if any.</param>
/// <param name="OcrPages">What OCR did with each scanned page (none for born-digital documents).</param>
public sealed record IndexedObject(string Etag, long SizeBytes, string? ContentType, int Pages, string[] ReadGroups, string? Title = null,
    IReadOnlyList<OcrPageRecord>? OcrPages = null);

/// <summary>The OCR facts of one scanned page: <see cref="State"/> is read, failed or disabled (see <see cref="OcrPageStates"/>).</summary>
public sealed record OcrPageRecord(int Page, string State, double? MeanConfidence, string? Reason);

/// <summary>The values of <c>document_ocr_pages.state</c>.</summary>
public static class OcrPageStates
{
    public const string Read = "read";
    public const string Failed = "failed";
    public const string Disabled = "disabled";
}

/// <summary>A document's chunks for one index generation (chunked and embedded with that generation's model).</summary>
public sealed record GenerationChunks(int Generation, IReadOnlyList<ChunkRow> Chunks);
