namespace Lode.Storage;

/// <summary>The few object-store operations Lode needs. Implemented over the Minio SDK (S3 protocol).</summary>
public interface IObjectStore
{
    /// <summary>The object's current metadata, or null when it does not exist.</summary>
    Task<ObjectInfo?> StatAsync(string bucket, string key, CancellationToken cancellationToken);

    /// <summary>
    /// Downloads an object the caller has just stat'ed (<paramref name="current"/>: its size picks the buffer and is
    /// checked against the limit without another round trip) into a seekable buffer; null when it no longer exists.
    /// </summary>
    /// <exception cref="ObjectTooLargeException">The object exceeds the configured size limit.</exception>
    /// <exception cref="ObjectChangedException">What was downloaded is not the version <paramref name="current"/> describes (etag or metadata).</exception>
    Task<FetchedObject?> FetchAsync(ObjectInfo current, CancellationToken cancellationToken);

    /// <summary>
    /// Lists objects under a prefix whose keys come after <paramref name="startAfter"/> (null: from the start), in the
    /// store's order (S3: UTF-8 byte order of keys, see <see cref="KeyOrder"/>), fetched page by page from the server.
    /// </summary>
    IAsyncEnumerable<ObjectInfo> ListAsync(string bucket, string? prefix, string? startAfter, CancellationToken cancellationToken);

    Task PutAsync(string bucket, string key, Stream content, string contentType, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? userMetadata = null);

    Task DeleteAsync(string bucket, string key, CancellationToken cancellationToken);

    Task EnsureBucketAsync(string bucket, CancellationToken cancellationToken);

    /// <summary>A cheap call proving the store answers, for health checks.</summary>
    Task<bool> BucketExistsAsync(string bucket, CancellationToken cancellationToken);
}
