using Lode.Database;

namespace Lode.Ingestion.Pipeline;

/// <summary>
/// The one place a job's outcome is written: each outcome is one fenced write that also ends the job (completes it,
/// fails it, or releases it for a retry), so a worker that lost its lease can record nothing.
/// </summary>
public sealed class JobOutcomeRecorder(IndexWriter writer, JobQueue queue)
{
    public Task WriteAsync(IngestJob job, JobOutcome outcome, CancellationToken cancellationToken) => outcome switch
    {
        JobOutcome.Indexed o => writer.SaveIndexedAsync(job, o.Document, o.Chunks, cancellationToken, considered: o.Considered),
        JobOutcome.Unchanged o => writer.SaveUnchangedAsync(job, o.ReadGroups, cancellationToken, considered: o.Considered),
        JobOutcome.Deleted => writer.SaveDeletedAsync(job, cancellationToken),
        JobOutcome.Rejected o => writer.SaveFailedAsync(job, o.Reason, o.Etag, o.ReadGroups, cancellationToken),
        JobOutcome.Retry o => queue.ReleaseForRetryAsync(job, o.Reason, o.Delay, cancellationToken),
        JobOutcome.GaveUp o => writer.SaveGaveUpAsync(job, o.Reason, cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome, "Unknown job outcome."),
    };
}
