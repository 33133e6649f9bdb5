using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;
using Minio;
using Minio.DataModel;
using Minio.DataModel.Args;
using Minio.Exceptions;

namespace Lode.Storage;

/// <summary>
/// <see cref="IObjectStore"/> over the Minio SDK. Objects are read whole (the SDK's ranged GET is broken in 7.0.0) into
/// memory or, above <see cref="StorageOptions.MemoryBufferBytes"/>, a temporary file deleted on close.
/// </summary>
public sealed class MinioObjectStore(IMinioClient client, IOptions<StorageOptions> options) : IObjectStore
{
    private readonly StorageOptions _options = options.Value;

    public async Task<ObjectInfo?> StatAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        try
        {
            var stat = await client.StatObjectAsync(new StatObjectArgs().WithBucket(bucket).WithObject(key), cancellationToken);
            return ToInfo(bucket, key, stat);
        }
        catch (Exception e) when (IsNotFound(e))
        {
            return null;
        }
    }

    public async Task<FetchedObject?> FetchAsync(ObjectInfo current, CancellationToken cancellationToken)
    {
        var (bucket, key) = (current.Bucket, current.Key);
        if (current.Size > _options.MaxObjectBytes) throw new ObjectTooLargeException(bucket, key, current.Size, _options.MaxObjectBytes);

        // The object may have grown since the stat: CopyBounded enforces the limit on what actually arrives.
        Stream buffer = current.Size <= _options.MemoryBufferBytes
            ? new MemoryStream(capacity: (int)current.Size)
            : new FileStream(Path.GetTempFileName(), FileMode.Create, FileAccess.ReadWrite, FileShare.None, 81920,
                FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        try
        {
            var got = await client.GetObjectAsync(new GetObjectArgs().WithBucket(bucket).WithObject(key)
                .WithCallbackStream(async (stream, ct) => await CopyBounded(stream, buffer, bucket, key, ct)), cancellationToken);
            buffer.Position = 0;
            // The caller decided the document's groups from the stat; the content must be that same version. The
            // GET's own response says which version its body is (etag) and with which metadata, so compare those: the
            // SDK's ranged/conditional GET is not something every S3 server here honours (s3rver ignores If-Match).
            var info = ToInfo(bucket, key, got) with { Size = buffer.Length };
            if (!SameVersion(current, info)) throw new ObjectChangedException(bucket, key);
            return new FetchedObject(info, buffer);
        }
        catch (Exception e) when (IsNotFound(e))
        {
            await buffer.DisposeAsync();
            return null;
        }
        catch
        {
            await buffer.DisposeAsync();
            throw;
        }
    }

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string bucket, string? prefix, string? startAfter,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var args = new ListObjectsArgs().WithBucket(bucket).WithRecursive(true);
        if (!string.IsNullOrEmpty(prefix)) args = args.WithPrefix(prefix);
        // The SDK (7.0.0) cannot send ListObjectsV2's start-after: the keys up to it are listed again and skipped here.
        // Listing is cheap next to what follows it (no object is read), and the result is the same.
        await using var items = client.ListObjectsEnumAsync(args, cancellationToken).GetAsyncEnumerator(cancellationToken);
        while (await NextAsync(items, bucket))
        {
            var item = items.Current;
            if (item.IsDir) continue;
            if (startAfter is not null && KeyOrder.Comparer.Compare(item.Key, startAfter) <= 0) continue;
            yield return new ObjectInfo(bucket, item.Key, item.ETag?.Trim('"') ?? "", (long)item.Size, item.ContentType,
                item.LastModifiedDateTime is { } modified ? new DateTimeOffset(modified, TimeSpan.Zero) : DateTimeOffset.MinValue,
                EmptyMetadata);
        }
    }

    // An iterator cannot yield inside a try with a catch: the SDK's "no such bucket" is translated around each step.
    private static async Task<bool> NextAsync(IAsyncEnumerator<Item> items, string bucket)
    {
        try
        {
            return await items.MoveNextAsync();
        }
        catch (Exception e) when (e is BucketNotFoundException or MinioException { Response.Code: "NoSuchBucket" })
        {
            throw new MissingBucketException(bucket, e);
        }
    }

    public async Task PutAsync(string bucket, string key, Stream content, string contentType, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? userMetadata = null)
    {
        var args = new PutObjectArgs().WithBucket(bucket).WithObject(key).WithStreamData(content)
            .WithObjectSize(content.Length - content.Position).WithContentType(contentType);
        if (userMetadata is { Count: > 0 }) args = args.WithHeaders(userMetadata.ToDictionary(p => UserMetadataPrefix + p.Key, p => p.Value));
        await client.PutObjectAsync(args, cancellationToken);
    }

    public Task DeleteAsync(string bucket, string key, CancellationToken cancellationToken) =>
        client.RemoveObjectAsync(new RemoveObjectArgs().WithBucket(bucket).WithObject(key), cancellationToken);

    public async Task EnsureBucketAsync(string bucket, CancellationToken cancellationToken)
    {
        if (!await BucketExistsAsync(bucket, cancellationToken))
            await client.MakeBucketAsync(new MakeBucketArgs().WithBucket(bucket), cancellationToken);
    }

    public Task<bool> BucketExistsAsync(string bucket, CancellationToken cancellationToken) =>
        client.BucketExistsAsync(new BucketExistsArgs().WithBucket(bucket), cancellationToken);

    private async Task CopyBounded(Stream source, Stream target, string bucket, string key, CancellationToken ct)
    {
        var chunk = new byte[81920];
        long total = 0;
        int read;
        while ((read = await source.ReadAsync(chunk, ct)) > 0)
        {
            total += read;
            if (total > _options.MaxObjectBytes) throw new ObjectTooLargeException(bucket, key, total, _options.MaxObjectBytes);
            await target.WriteAsync(chunk.AsMemory(0, read), ct);
        }
    }

    private static readonly IReadOnlyDictionary<string, string> EmptyMetadata = new Dictionary<string, string>();

    private const string UserMetadataPrefix = "x-amz-meta-";

    // The standard headers the Minio SDK (7.0) copies into ObjectStat.MetaData next to the user metadata.
    private static readonly HashSet<string> StandardHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "cache-control", "content-disposition", "content-encoding", "content-type", "x-amz-acl", "x-minio-extract",
    };

    private static ObjectInfo ToInfo(string bucket, string key, ObjectStat stat)
    {
        // The SDK strips the x-amz-meta- prefix of user metadata in MetaData (x-amz-meta-lode-groups arrives as
        // lode-groups), so everything there but the standard headers is user metadata. A name that still carries the
        // prefix loses it, so either form of the SDK gives the same names.
        var metadata = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, value) in stat.MetaData ?? new Dictionary<string, string>())
        {
            if (name.StartsWith(UserMetadataPrefix, StringComparison.OrdinalIgnoreCase)) metadata[name[UserMetadataPrefix.Length..]] = value;
            else if (!StandardHeaders.Contains(name)) metadata[name] = value;
        }
        return new ObjectInfo(bucket, key, stat.ETag?.Trim('"') ?? "", stat.Size, stat.ContentType,
            new DateTimeOffset(DateTime.SpecifyKind(stat.LastModified, DateTimeKind.Utc)), metadata);
    }

    private static bool SameVersion(ObjectInfo stat, ObjectInfo fetched) =>
        string.Equals(stat.Etag, fetched.Etag, StringComparison.Ordinal)
        && stat.UserMetadata.Count == fetched.UserMetadata.Count
        && stat.UserMetadata.All(m => fetched.UserMetadata.TryGetValue(m.Key, out var value) && string.Equals(value, m.Value, StringComparison.Ordinal));

    private static bool IsNotFound(Exception e) =>
        e is ObjectNotFoundException or BucketNotFoundException
        || (e is MinioException { Response.Code: "NoSuchKey" or "NoSuchBucket" });
}
