using System.Text.RegularExpressions;
using Lode.Storage;
using Microsoft.Extensions.Options;

namespace Lode.Ingestion;

/// <summary>Why a bucket named in a request is not one Lode can work on; <see cref="Code"/> is the API's error code.</summary>
public sealed record BucketProblem(string Code, string Message)
{
    public const string InvalidBucket = "invalid_bucket";
    public const string BucketNotIndexed = "bucket_not_indexed";
    public const string BucketNotFound = "bucket_not_found";
}

/// <summary>
/// The buckets Lode indexes (<see cref="IngestionOptions.Buckets"/>; empty: any bucket), and the one check that a
/// bucket named in a request (reindex, upload) is one of them and exists.
/// </summary>
public sealed partial class IndexedBuckets(IObjectStore store, IOptions<IngestionOptions> options)
{
    /// <summary>The configured buckets; empty when any bucket is indexed.</summary>
    public IReadOnlyList<string> Configured => options.Value.Buckets;

    /// <summary>Null when the bucket is well-named, indexed and exists; otherwise what is wrong.</summary>
    public async Task<BucketProblem?> ProblemWithAsync(string? bucket, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(bucket) || !BucketName().IsMatch(bucket))
            return new BucketProblem(BucketProblem.InvalidBucket,
                "bucket must be an S3 bucket name: 3 to 63 lower-case letters, digits, dots and hyphens.");
        if (Configured.Count > 0 && !Configured.Contains(bucket, StringComparer.Ordinal))
            return new BucketProblem(BucketProblem.BucketNotIndexed, $"Bucket '{bucket}' is not one Lode indexes (Ingestion:Buckets).");
        if (!await store.BucketExistsAsync(bucket, ct))
            return new BucketProblem(BucketProblem.BucketNotFound, $"Bucket '{bucket}' does not exist in the store.");
        return null;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")]
    private static partial Regex BucketName();
}
