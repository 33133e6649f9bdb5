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
    DateTimeOffset? StaleSince = null);
