namespace Lode.Database;

/// <summary>The states a document shows to callers.</summary>
public static class DocumentStatus
{
    public const string Pending = "pending";
    public const string Indexed = "indexed";
    public const string Failed = "failed";

    public static bool IsValid(string status) => status is Pending or Indexed or Failed;
}

/// <summary>
/// A row of <c>documents</c>: what Lode knows about one object. <paramref name="ReadGroups"/> is null when the current
/// version never indexed (retries gave up): nobody is granted anything from it. <paramref name="ServingEtag"/> is the
/// version whose chunks answer questions in the current index generation (null: none); <paramref name="StaleSince"/>
/// is set while that is an older version than the object's, kept because the newer one failed.
/// </summary>
public sealed record DocumentRecord(
    string Bucket,
    string Key,
    string Status,
    string? Etag,
    long? SizeBytes,
    string? ContentType,
    int? Pages,
    int? Chunks,
    string? Error,
    int Attempts,
    string? EmbeddingModel,
    DateTimeOffset? IndexedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<string>? ReadGroups,
    string? ServingEtag = null,
    DateTimeOffset? StaleSince = null)
{
    /// <summary>What OCR did with the document's scanned pages (all zero and empty for a born-digital document).</summary>
    public OcrSummary Ocr { get; init; } = OcrSummary.None;
}

/// <summary>
/// The OCR facts of a document: pages read by OCR and their mean word confidence (0–100), pages OCR failed on, and
/// scanned pages left unread because OCR is turned off.
/// </summary>
public sealed record OcrSummary(int PagesRead, double? MeanConfidence, IReadOnlyList<int> FailedPages, IReadOnlyList<int> DisabledPages)
{
    public static OcrSummary None { get; } = new(0, null, [], []);
}
