using Lode.Database;
using Lode.Ingestion.Queue;
using Lode.Storage;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lode.Ingestion.Operations;

/// <summary>
/// Lists the bucket of each reindex run page by page and enqueues one job per object, each page in one short
/// transaction that also moves the run's continuation marker. One instance lists a run at a time (an advisory lock per
/// run, released with its connection if the instance dies); any instance with a worker resumes a run left running
/// after the last page recorded. The worker does the rest: an object unchanged since it was indexed is skipped by etag
/// without being downloaded, unless the run forces re-extraction.
/// </summary>
public sealed class ReindexLister(
    ReindexRunStore runs,
    AdvisoryLocks locks,
    IObjectStore store,
    ReindexSignal signal,
    IngestSignal ingest,
    IOptions<ReindexOptions> options,
    IOptions<IngestionOptions> ingestion,
    ILogger<ReindexLister> logger) : BackgroundService
{
    public const string JobReason = "reindex";

    private readonly ReindexOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!ingestion.Value.WorkerEnabled)
        {
            logger.LogInformation("Reindex listing is left to instances with a worker (Ingestion:WorkerEnabled=false)");
            return;
        }
        Task? wake = null; // one pending wait at a time, reused (see WakeUpSignal.WaitAsync)
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                foreach (var run in await runs.ListingAsync(stoppingToken)) await ListAsync(run.Id, stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning("Could not look for reindex runs to list: {Error}", e.Message);
            }

            wake ??= signal.WaitAsync(stoppingToken);
            try
            {
                await Task.WhenAny(wake, Task.Delay(TimeSpan.FromSeconds(_options.ResumeSeconds), stoppingToken));
            }
            catch (OperationCanceledException) { }
            if (wake.IsCompleted) wake = null;
        }
    }

    private async Task ListAsync(Guid runId, CancellationToken ct)
    {
        await using var held = await locks.TryAcquireAsync($"lode:reindex:{runId}", ct);
        if (held is null) return; // another instance is listing it
        // Read under the lock: another instance may have recorded pages (or ended the listing) before releasing it.
        var run = await runs.GetAsync(runId, ct);
        if (run is not { Status: ReindexRunStatus.Running }) return;
        if (run.ListedThrough is not null)
        {
            logger.LogInformation("Resuming the listing of reindex {Run} after '{Key}' ({Listed} objects listed)",
                run.Id, run.ListedThrough, run.Listed);
        }

        var marker = run.ListedThrough;
        try
        {
            await foreach (var page in store.ListPagesAsync(run.Bucket, run.Prefix, marker, _options.PageSize, ct))
            {
                var jobs = page.Select(o => new JobRequest(run.Bucket, o.Key, JobReason, run.Force)).ToList();
                if (!await runs.RecordPageAsync(run.Id, jobs, marker, page[^1].Key, ct))
                {
                    logger.LogWarning("Reindex {Run} was taken over by another instance; this one stops listing it", run.Id);
                    return;
                }
                marker = page[^1].Key;
                ingest.Notify();
            }
            await runs.FinishListingAsync(run.Id, ct);
            logger.LogInformation("Reindex {Run}: listing of {Bucket}/{Prefix} done", run.Id, run.Bucket, run.Prefix ?? "");
        }
        catch (MissingBucketException e)
        {
            await runs.FailAsync(run.Id, e.Message, ct);
            logger.LogWarning("Reindex {Run} failed: {Error}", run.Id, e.Message);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            // The store or the database went away: the next look (Reindex:ResumeSeconds) resumes after the marker.
            await runs.NoteErrorAsync(run.Id, $"Listing interrupted, will resume: {e.Message}", ct);
            logger.LogWarning("Listing for reindex {Run} interrupted after '{Key}'; it resumes later: {Error}", run.Id, marker, e.Message);
        }
    }
}
