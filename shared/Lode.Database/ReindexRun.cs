namespace Lode.Database;

/// <summary>The states of a reindex run.</summary>
public static class ReindexRunStatus
{
    /// <summary>Listing the bucket (or waiting for an instance to resume its listing).</summary>
    public const string Running = "running";
    /// <summary>Every object is queued; waiting for the outcomes of the last jobs.</summary>
    public const string ListingDone = "listing-done";
    /// <summary>Every queued job has an outcome.</summary>
    public const string Done = "done";
    /// <summary>The bucket could not be listed at all (see the error).</summary>
    public const string Failed = "failed";
}

/// <summary>
/// A row of <c>reindex_runs</c>. <see cref="Listed"/> objects were seen under the prefix and <see cref="Queued"/> jobs
/// enqueued for them; each queued job ends as one of <see cref="Indexed"/>, <see cref="Skipped"/>,
/// <see cref="Failed"/> or <see cref="Removed"/>. <see cref="ListedThrough"/> is the last key listed so far.
/// </summary>
public sealed record ReindexRun(
    Guid Id,
    string Bucket,
    string? Prefix,
    bool Force,
    string RequestedBy,
    DateTimeOffset CreatedAt,
    string Status,
    long Listed,
    long Queued,
    long Indexed,
    long Skipped,
    long Failed,
    long Removed,
    string? ListedThrough,
    string? Error,
    DateTimeOffset? FinishedAt)
{
    /// <summary>Queued jobs without an outcome yet.</summary>
    public long Pending => Queued - Indexed - Skipped - Failed - Removed;
}
