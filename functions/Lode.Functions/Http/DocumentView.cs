using Lode.Database;
using Lode.Identity;

namespace Lode.Functions.Http;

/// <summary>
/// A document as the API shows it. <see cref="ReadGroups"/> (who may read it) is shown to admins only: it is what they
/// check when someone cannot find a document, while a reader has no business learning which other groups exist
/// (null for admins too when the current version never indexed: it grants no one). <see cref="ServingEtag"/> is the
/// version whose text answers questions; <see cref="StaleSince"/> is set while that is an older version kept because
/// the newer one failed (status <c>failed</c>, reason in <see cref="Error"/>). <see cref="CanRetry"/> tells the web page
/// to offer a retry: a failed document, seen by an admin (who alone may retry; read groups cannot say so, as they are
/// null for a document whose retries gave up).
/// The OCR fields describe its scanned pages: how many OCR read and their mean word confidence (0–100), the pages OCR
/// failed on, and those left without text because OCR is turned off.
/// </summary>
public sealed record DocumentView(
    string Bucket,
    string Key,
    string Status,
    string? Error,
    string? Etag,
    int? Chunks,
    int? Pages,
    long? SizeBytes,
    string? ContentType,
    int Attempts,
    DateTimeOffset? IndexedAt,
    DateTimeOffset UpdatedAt,
    IReadOnlyList<string>? ReadGroups,
    string? ServingEtag,
    DateTimeOffset? StaleSince,
    bool CanRetry,
    int OcrPages,
    double? OcrMeanConfidence,
    IReadOnlyList<int> OcrFailedPages,
    IReadOnlyList<int> OcrDisabledPages)
{
    public static DocumentView From(DocumentRecord d, Caller caller) => new(d.Bucket, d.Key, d.Status, d.Error, d.Etag, d.Chunks,
        d.Pages, d.SizeBytes, d.ContentType, d.Attempts, d.IndexedAt, d.UpdatedAt, caller.IsAdmin ? d.ReadGroups : null,
        d.ServingEtag, d.StaleSince, caller.IsAdmin && d.Status == DocumentStatus.Failed,
        d.Ocr.PagesRead, d.Ocr.MeanConfidence is { } mean ? Math.Round(mean, 1) : null, d.Ocr.FailedPages, d.Ocr.DisabledPages);
}

/// <summary>One page of documents; pass <see cref="Next"/> as <c>cursor</c> for the next page (null at the end).</summary>
public sealed record DocumentPage(IReadOnlyList<DocumentView> Documents, string? Next);
