using System.ComponentModel.DataAnnotations;

namespace Lode.Ingestion.Events;

/// <summary>Configuration section <c>Ingestion:Intake</c>: how webhook notifications become committed jobs.</summary>
public sealed class IntakeOptions
{
    /// <summary>
    /// Concurrent notifications share one transaction (group commit), so intake is not bounded by one commit (and its
    /// fsync) per request. Off: each request commits its own jobs, as before — kept to measure against.
    /// </summary>
    public bool GroupCommit { get; set; } = true;

    /// <summary>Most job rows one shared transaction inserts; a single larger notification still commits alone.</summary>
    [Range(1, 100_000)]
    public int MaxBatchRows { get; set; } = 1_000;

    /// <summary>Requests that may wait for the writer at once; more wait to be queued (back-pressure on the senders).</summary>
    [Range(1, 1_000_000)]
    public int MaxQueuedRequests { get; set; } = 10_000;

    /// <summary>
    /// After a commit shared by several requests, the longest the writer waits for as many requests to be queued again
    /// before it starts the next commit (0: start at once with whatever is queued). Senders answered by one commit come
    /// back together; waiting about one request's handling time lets them share the next commit instead of paying one
    /// commit (one fsync) per few requests. A lone request is never held up.
    /// </summary>
    [Range(0, 10_000)]
    public double GatherMilliseconds { get; set; } = 2;

    /// <summary>
    /// Longest a request waits for its jobs' commit. Past it the request fails (5xx), so a stalled database turns into
    /// MinIO redeliveries instead of requests piling up; jobs that commit later are harmless (they coalesce).
    /// </summary>
    [Range(0.1, 3_600)]
    public double MaxWaitSeconds { get; set; } = 30;
}
