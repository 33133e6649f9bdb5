using Lode.Database;

namespace Lode.Functions.Http;

/// <summary>A document as the API shows it.</summary>
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
    DateTimeOffset UpdatedAt)
{
    public static DocumentView From(DocumentRecord d) => new(d.Bucket, d.Key, d.Status, d.Error, d.Etag, d.Chunks, d.Pages,
        d.SizeBytes, d.ContentType, d.Attempts, d.IndexedAt, d.UpdatedAt);
}

/// <summary>One page of documents; pass <see cref="Next"/> as <c>cursor</c> for the next page (null at the end).</summary>
public sealed record DocumentPage(IReadOnlyList<DocumentView> Documents, string? Next);
