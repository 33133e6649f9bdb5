namespace Lode.Ingestion.Operations;

/// <summary>A reindex request that cannot be run as sent; <see cref="Code"/> names why (HTTP maps it to 400 or 404).</summary>
public sealed class ReindexRequestException(string code, string message) : Exception(message)
{
    public const string InvalidBucket = "invalid_bucket";
    public const string InvalidPrefix = "invalid_prefix";
    public const string BucketNotIndexed = "bucket_not_indexed";
    public const string BucketNotFound = "bucket_not_found";

    public string Code { get; } = code;
}
