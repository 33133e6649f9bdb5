namespace Lode.Storage;

/// <summary>What the object store says about an object now.</summary>
public sealed record ObjectInfo(
    string Bucket,
    string Key,
    string Etag,
    long Size,
    string? ContentType,
    DateTimeOffset LastModified,
    IReadOnlyDictionary<string, string> UserMetadata);

/// <summary>An object's content, buffered so extractors can seek. Dispose it to free memory or the temporary file.</summary>
public sealed class FetchedObject(ObjectInfo info, Stream content) : IAsyncDisposable, IDisposable
{
    public ObjectInfo Info { get; } = info;
    public Stream Content { get; } = content;
    public ValueTask DisposeAsync() => Content.DisposeAsync();
    public void Dispose() => Content.Dispose();
}

/// <summary>The object is bigger than <see cref="StorageOptions.MaxObjectBytes"/>.</summary>
public sealed class ObjectTooLargeException(string bucket, string key, long size, long limit)
    : Exception($"Object {bucket}/{key} is {size} bytes; the limit is {limit} bytes (Storage:MaxObjectBytes).");

/// <summary>The bucket does not exist (any more).</summary>
public sealed class MissingBucketException(string bucket, Exception? inner = null)
    : Exception($"Bucket '{bucket}' does not exist in the store.", inner);

/// <summary>
/// The object was replaced (content or metadata) between the stat the caller decided on and the download: nothing of
/// the download may be used with what the stat said (its groups). Transient: a new look sees the new version.
/// </summary>
public sealed class ObjectChangedException(string bucket, string key)
    : Exception($"Object {bucket}/{key} changed while it was being read; it is read again.");
