using Lode.Database;
using Lode.Ingestion.Queue;
using Microsoft.Extensions.Logging;

namespace Lode.Ingestion.Operations;

/// <summary>What a retry of one document did.</summary>
public enum RetryOutcome
{
    /// <summary>A job was queued: the worker looks at the object again.</summary>
    Queued,
    /// <summary>No document with that bucket and key.</summary>
    NotFound,
    /// <summary>The document is not failed (pending or indexed): nothing to retry.</summary>
    NotFailed,
}

/// <summary>
/// Failed documents (the dead letters: rejected, or out of attempts) wait for an operator, who fixes the cause and
/// retries them here. A retry is an ordinary job: the worker looks at the object as it is now, with a fresh count of
/// attempts. Reconciliation does not retry them (a failed document is only looked at again when its object changes).
/// </summary>
public sealed class DeadLetters(DocumentRepository documents, JobQueue queue, IngestSignal signal, ILogger<DeadLetters> logger)
{
    public const string JobReason = "retry";

    // Failed documents re-enqueued per transaction by a retry of a whole bucket.
    private const int PageSize = 500;

    public async Task<RetryOutcome> RetryAsync(string bucket, string key, string requestedBy, CancellationToken ct)
    {
        var document = await documents.GetAsync(bucket, key, ct);
        if (document is null) return RetryOutcome.NotFound;
        if (document.Status != DocumentStatus.Failed) return RetryOutcome.NotFailed;

        await queue.EnqueueAsync([new JobRequest(bucket, key, JobReason)], ct);
        signal.Notify();
        logger.LogInformation("{Caller} retried failed document {Bucket}/{Key}", requestedBy, bucket, key);
        return RetryOutcome.Queued;
    }

    /// <summary>Re-enqueues every failed document of the bucket (under <paramref name="prefix"/>); returns how many.</summary>
    public async Task<long> RetryAllAsync(string bucket, string? prefix, string requestedBy, CancellationToken ct)
    {
        var failed = new DocumentQuery(ReadableBy: null, bucket, string.IsNullOrEmpty(prefix) ? null : prefix, DocumentStatus.Failed);
        (string Bucket, string Key)? after = null;
        long queued = 0;
        while (true)
        {
            var page = await documents.ListAsync(failed, after, PageSize, ct);
            if (page.Count == 0) break;
            await queue.EnqueueAsync(page.Select(d => new JobRequest(d.Bucket, d.Key, JobReason)).ToList(), ct);
            signal.Notify();
            queued += page.Count;
            if (page.Count < PageSize) break;
            after = (page[^1].Bucket, page[^1].Key);
        }
        logger.LogInformation("{Caller} retried {Count} failed documents of {Bucket}/{Prefix}", requestedBy, queued, bucket, prefix ?? "");
        return queued;
    }
}
