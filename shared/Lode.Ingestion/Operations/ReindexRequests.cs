using System.Text.RegularExpressions;
using Lode.Database;
using Lode.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Lode.Ingestion.Operations;

/// <summary>
/// Takes reindex requests: checks them, records the run and wakes the lister, which does the listing in the background
/// (the request returns at once, whatever the bucket's size).
/// </summary>
public sealed partial class ReindexRequests(
    ReindexRunStore runs,
    IObjectStore store,
    ReindexSignal signal,
    IOptions<IngestionOptions> ingestion,
    ILogger<ReindexRequests> logger)
{
    // S3 keys are at most 1024 bytes of UTF-8; a longer prefix matches nothing.
    private const int MaxPrefixBytes = 1024;

    /// <exception cref="ReindexRequestException">The bucket or prefix is not one Lode can reindex.</exception>
    public async Task<ReindexRun> StartAsync(string? bucket, string? prefix, bool force, string requestedBy, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(bucket) || !BucketName().IsMatch(bucket))
            throw new ReindexRequestException(ReindexRequestException.InvalidBucket,
                "bucket must be an S3 bucket name: 3 to 63 lower-case letters, digits, dots and hyphens.");
        var buckets = ingestion.Value.Buckets;
        if (buckets.Count > 0 && !buckets.Contains(bucket, StringComparer.Ordinal))
            throw new ReindexRequestException(ReindexRequestException.BucketNotIndexed,
                $"Bucket '{bucket}' is not one Lode indexes (Ingestion:Buckets).");
        if (prefix is not null && System.Text.Encoding.UTF8.GetByteCount(prefix) > MaxPrefixBytes)
            throw new ReindexRequestException(ReindexRequestException.InvalidPrefix, $"prefix must be at most {MaxPrefixBytes} bytes of UTF-8.");
        if (!await store.BucketExistsAsync(bucket, ct))
            throw new ReindexRequestException(ReindexRequestException.BucketNotFound, $"Bucket '{bucket}' does not exist in the store.");

        var run = await runs.CreateAsync(bucket, string.IsNullOrEmpty(prefix) ? null : prefix, force, requestedBy, ct);
        logger.LogInformation("Reindex {Run} of {Bucket}/{Prefix} (force: {Force}) requested by {Caller}",
            run.Id, run.Bucket, run.Prefix ?? "", run.Force, requestedBy);
        signal.Notify();
        return run;
    }

    public Task<ReindexRun?> GetAsync(Guid id, CancellationToken ct) => runs.GetAsync(id, ct);

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketName();
}
