using Lode.Database;
using Lode.Ingestion.Queue;
using Lode.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lode.Ingestion.Operations;

/// <summary>What one reconciliation of a bucket found.</summary>
/// <param name="Listed">Objects in the bucket.</param>
/// <param name="OutOfDate">Objects never indexed or changed since (missed notifications), queued.</param>
/// <param name="Vanished">Documents whose object was not listed, queued for the worker to remove.</param>
public sealed record ReconcileResult(string Bucket, long Listed, long OutOfDate, long Vanished);

/// <summary>
/// Brings the index back in line with the buckets when notifications were missed. Each configured bucket is listed
/// page by page; each page is compared with the index in one query (by key and etag) and what is new or changed is
/// queued. Documents whose object is gone are found by walking the documents in the order S3 lists keys (UTF-8 bytes)
/// beside the listing, a merge of two sorted streams with one page of each in memory. Nothing is changed here: every
/// finding becomes a job, and the worker acts on the object as it is then (a document is removed only once the worker
/// has seen its object missing), so a listing that races with uploads and deletions never does harm.
/// No transaction spans more than one page; one instance reconciles at a time (an advisory lock).
/// </summary>
public sealed class BucketReconciler(
    IObjectStore store,
    IndexInventory inventory,
    JobQueue queue,
    IngestSignal signal,
    AdvisoryLocks locks,
    IOptions<IngestionOptions> ingestion,
    IOptions<ReconcileOptions> options,
    ILogger<BucketReconciler> logger)
{
    public const string LockName = "lode:reconcile";
    public const string OutOfDateReason = "reconcile: not indexed at its current etag";
    public const string VanishedReason = "reconcile: object not listed";

    private static readonly IReadOnlySet<string> NothingListed = new HashSet<string>();

    private readonly int _pageSize = options.Value.PageSize;

    /// <summary>Reconciles every bucket of Ingestion:Buckets; empty when another instance is already at it.</summary>
    public async Task<IReadOnlyList<ReconcileResult>> RunAsync(CancellationToken ct)
    {
        var buckets = ingestion.Value.Buckets;
        if (buckets.Count == 0)
        {
            logger.LogInformation("Nothing to reconcile: Ingestion:Buckets names no bucket");
            return [];
        }
        await using var held = await locks.TryAcquireAsync(LockName, ct);
        if (held is null)
        {
            logger.LogInformation("Another instance is reconciling; this run is skipped");
            return [];
        }

        var results = new List<ReconcileResult>();
        foreach (var bucket in buckets)
        {
            try
            {
                var result = await ReconcileAsync(bucket, ct);
                results.Add(result);
                logger.LogInformation(
                    "Reconciled {Bucket}: {Listed} objects listed, {OutOfDate} not indexed at their etag queued, " +
                    "{Vanished} documents without an object queued for removal", bucket, result.Listed, result.OutOfDate, result.Vanished);
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                // One unreachable bucket does not stop the others; the next scheduled run tries again.
                logger.LogWarning("Could not reconcile bucket {Bucket}: {Error}", bucket, e.Message);
            }
        }
        return results;
    }

    private async Task<ReconcileResult> ReconcileAsync(string bucket, CancellationToken ct)
    {
        long listed = 0, outOfDate = 0, vanished = 0;
        // Every document key up to here has been compared with the listing. It only moves forward, so even a store that
        // lists out of byte order covers every document once (at worst queueing a present one, which the worker keeps).
        string? comparedThrough = null;
        await foreach (var page in store.ListPagesAsync(bucket, null, null, _pageSize, ct))
        {
            listed += page.Count;
            var stale = await inventory.OutOfDateAsync(bucket, page.Select(o => (o.Key, o.Etag)).ToList(), ct);
            outOfDate += await EnqueueAsync(bucket, stale, OutOfDateReason, ct);

            var through = page.Select(o => o.Key).Max(KeyOrder.Comparer)!;
            if (comparedThrough is not null && KeyOrder.Comparer.Compare(through, comparedThrough) < 0) through = comparedThrough;
            var present = page.Select(o => o.Key).ToHashSet(StringComparer.Ordinal);
            vanished += await EnqueueVanishedAsync(bucket, comparedThrough, through, present, ct);
            comparedThrough = through;
        }
        // Documents after the last listed key have no object at all.
        vanished += await EnqueueVanishedAsync(bucket, comparedThrough, null, NothingListed, ct);
        return new ReconcileResult(bucket, listed, outOfDate, vanished);
    }

    /// <summary>Queues the documents in (after, through] whose key is not in <paramref name="listed"/>, page by page.</summary>
    private async Task<long> EnqueueVanishedAsync(string bucket, string? after, string? through, IReadOnlySet<string> listed,
        CancellationToken ct)
    {
        long queued = 0;
        while (true)
        {
            var keys = await inventory.KeysAsync(bucket, after, through, _pageSize, ct);
            queued += await EnqueueAsync(bucket, keys.Where(k => !listed.Contains(k)).ToList(), VanishedReason, ct);
            if (keys.Count < _pageSize) return queued;
            after = keys[^1];
        }
    }

    private async Task<int> EnqueueAsync(string bucket, IReadOnlyList<string> keys, string reason, CancellationToken ct)
    {
        if (keys.Count == 0) return 0;
        await queue.EnqueueAsync(keys.Select(k => new JobRequest(bucket, k, reason)).ToList(), ct);
        signal.Notify();
        return keys.Count;
    }
}
