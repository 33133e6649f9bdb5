namespace Lode.Database;

/// <summary>A request to look at one object. <see cref="Reason"/> is for operators (e.g. "s3:ObjectCreated:Put").</summary>
public sealed record JobRequest(string Bucket, string Key, string Reason, bool Force = false);

/// <summary>
/// A job leased by one worker. <see cref="LeaseToken"/> fences every write: once the lease expires and another worker
/// takes the job, writes carrying the old token change nothing. <see cref="Generation"/> tells whether a new event for
/// the object arrived while the job was being worked on.
/// </summary>
public sealed record IngestJob(
    long Id,
    string Bucket,
    string Key,
    string Reason,
    bool Force,
    int Generation,
    int Attempts,
    Guid LeaseToken)
{
    /// <summary>
    /// The access-rules fingerprint of the worker that leased the job. Its writes of groups are made only while the
    /// index still follows those rules (<see cref="IndexSettings.AccessRules"/>); otherwise the job is handed back.
    /// Null (tools and tests that lease without rules) skips that check.
    /// </summary>
    public string? AccessRules { get; init; }
}
