namespace Lode.Ingestion.Operations;

/// <summary>A reindex request that cannot be run as sent; <see cref="Code"/> names why (HTTP maps it to 400 or 404).</summary>
public sealed class ReindexRequestException(string code, string message) : Exception(message)
{
    public const string InvalidBucket = BucketProblem.InvalidBucket;
    public const string InvalidPrefix = "invalid_prefix";
    public const string BucketNotIndexed = BucketProblem.BucketNotIndexed;
    public const string BucketNotFound = BucketProblem.BucketNotFound;

    public string Code { get; } = code;
}
