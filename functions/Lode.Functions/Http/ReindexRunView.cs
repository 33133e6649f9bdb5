using Lode.Database;

namespace Lode.Functions.Http;

/// <summary>The body of POST api/reindex.</summary>
public sealed record ReindexBody(string? Bucket, string? Prefix, bool? Force);

/// <summary>
/// A reindex run as the API shows it. Every queued job ends as one of indexed, skipped (unchanged: not downloaded),
/// failed or removed (the object was gone); <see cref="Pending"/> have no outcome yet. <see cref="ListedThrough"/> is the
/// last key listed so far (where a listing interrupted by a restart resumes).
/// </summary>
public sealed record ReindexRunView(
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
    long Pending,
    string? ListedThrough,
    string? Error,
    DateTimeOffset? FinishedAt)
{
    public static ReindexRunView From(ReindexRun r) => new(r.Id, r.Bucket, r.Prefix, r.Force, r.RequestedBy, r.CreatedAt,
        r.Status, r.Listed, r.Queued, r.Indexed, r.Skipped, r.Failed, r.Removed, r.Pending, r.ListedThrough, r.Error, r.FinishedAt);

    /// <summary>Where a run's progress is read (the 202's Location).</summary>
    public static string PathOf(Guid id) => $"/api/reindex/{id}";
}
