using Lode.Database;
using Lode.Ingestion.Extraction;
using Lode.Ingestion.Queue;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lode.Ingestion.Pipeline;

/// <summary>
/// Decides what a job that did not index comes to: a document that can never be indexed is rejected at once; any
/// other failure is retried with backoff until <c>Ingestion:MaxAttempts</c>, then given up; a job leased again after
/// its last attempt (its worker died on it) is given up without being worked on.
/// </summary>
public sealed class JobOutcomeDecision(IOptions<IngestionOptions> options, ILogger<JobOutcomeDecision> logger)
{
    private readonly IngestionOptions _options = options.Value;

    public JobOutcome Rejected(IngestContext context, RejectedDocumentException error)
    {
        logger.LogWarning("Rejected {Bucket}/{Key}: {Reason}: {Message}", context.Job.Bucket, context.Job.Key, error.Reason, error.Message);
        return new JobOutcome.Rejected($"{error.Reason}: {error.Message}", context.Current.Etag, context.ReadGroups);
    }

    public JobOutcome AfterFailure(IngestJob job, Exception error)
    {
        var reason = $"{error.GetType().Name}: {error.Message}";
        if (job.Attempts >= _options.MaxAttempts)
        {
            logger.LogWarning("Giving up on {Bucket}/{Key} after {Attempts} attempts: {Reason}", job.Bucket, job.Key, job.Attempts, reason);
            return new JobOutcome.GaveUp($"Failed after {job.Attempts} attempts: {reason}");
        }
        var delay = RetryPolicy.Delay(job.Attempts, _options, Random.Shared.NextDouble());
        logger.LogWarning("Attempt {Attempt} for {Bucket}/{Key} failed, retrying in {Delay:F0}s: {Reason}",
            job.Attempts, job.Bucket, job.Key, delay.TotalSeconds, reason);
        return new JobOutcome.Retry(reason, delay);
    }

    /// <summary>
    /// A job leased again after its last allowed attempt: that attempt ended without an outcome, so the worker running it
    /// died or was killed (a document that kills its worker's process would otherwise do so at every restart). Nothing
    /// is known of the version that killed its worker, so this is a give-up: the last version that did index keeps
    /// answering under its own groups, and the document grants nothing from the unknown one.
    /// </summary>
    public bool IsExhausted(IngestJob job) => job.Attempts > _options.MaxAttempts;

    public JobOutcome Exhausted(IngestJob job)
    {
        var attempts = job.Attempts - 1;
        logger.LogWarning("Refusing {Bucket}/{Key}: {Attempts} attempts ended without an outcome", job.Bucket, job.Key, attempts);
        return new JobOutcome.GaveUp(
            $"Failed after {attempts} attempts (Ingestion:MaxAttempts): the last ended without an outcome " +
            "(its worker stopped or was killed while working on it); not tried again until the object changes or an admin retries it");
    }
}
