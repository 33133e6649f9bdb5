using Lode.Database;
using Microsoft.Extensions.Logging;

namespace Lode.Ingestion.Operations;

/// <summary>
/// Takes reindex requests: checks them, records the run and wakes the lister, which does the listing in the background
/// (the request returns at once, whatever the bucket's size).
/// </summary>
public sealed class ReindexRequests(
    ReindexRunStore runs,
    IndexedBuckets buckets,
    ReindexSignal signal,
    ILogger<ReindexRequests> logger)
{
    // S3 keys are at most 1024 bytes of UTF-8; a longer prefix matches nothing.
    private const int MaxPrefixBytes = 1024;

    /// <exception cref="ReindexRequestException">The bucket or prefix is not one Lode can reindex.</exception>
    public async Task<ReindexRun> StartAsync(string? bucket, string? prefix, bool force, string requestedBy, CancellationToken ct)
    {
        if (prefix is not null && System.Text.Encoding.UTF8.GetByteCount(prefix) > MaxPrefixBytes)
            throw new ReindexRequestException(ReindexRequestException.InvalidPrefix, $"prefix must be at most {MaxPrefixBytes} bytes of UTF-8.");
        if (await buckets.ProblemWithAsync(bucket, ct) is { } problem)
            throw new ReindexRequestException(problem.Code, problem.Message);

        var run = await runs.CreateAsync(bucket!, string.IsNullOrEmpty(prefix) ? null : prefix, force, requestedBy, ct);
        logger.LogInformation("Reindex {Run} of {Bucket}/{Prefix} (force: {Force}) requested by {Caller}",
            run.Id, run.Bucket, run.Prefix ?? "", run.Force, requestedBy);
        signal.Notify();
        return run;
    }

    public Task<ReindexRun?> GetAsync(Guid id, CancellationToken ct) => runs.GetAsync(id, ct);
}
