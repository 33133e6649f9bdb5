using Lode.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Minio;

namespace Lode.Tests.Support;

/// <summary>
/// The real object store, except that the first stat of <see cref="Key"/> replaces that object in the real store right
/// after answering (new content, new metadata): the worst moment for whoever decides on the stat and then downloads.
/// </summary>
public sealed class ReplacingObjectStore(IObjectStore inner) : IObjectStore
{
    private int _replaced;

    public string? Key { get; set; }
    public byte[] Replacement { get; set; } = [];
    public IReadOnlyDictionary<string, string> ReplacementMetadata { get; set; } = new Dictionary<string, string>();

    /// <summary>Whether the replacement has happened.</summary>
    public bool Replaced => Volatile.Read(ref _replaced) == 1;

    /// <summary>Replaces the app's store by this one over the real store; resolve it as <see cref="ReplacingObjectStore"/>.</summary>
    public static void Register(IServiceCollection services)
    {
        services.AddSingleton(sp => new ReplacingObjectStore(new MinioObjectStore(
            sp.GetRequiredService<IMinioClient>(), sp.GetRequiredService<IOptions<StorageOptions>>())));
        services.AddSingleton<IObjectStore>(sp => sp.GetRequiredService<ReplacingObjectStore>());
    }

    public async Task<ObjectInfo?> StatAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        var info = await inner.StatAsync(bucket, key, cancellationToken);
        if (info is not null && key == Key && Interlocked.Exchange(ref _replaced, 1) == 0)
        {
            using var content = new MemoryStream(Replacement);
            await inner.PutAsync(bucket, key, content, info.ContentType ?? "application/octet-stream", cancellationToken, ReplacementMetadata);
        }
        return info;
    }

    public Task<FetchedObject?> FetchAsync(ObjectInfo current, CancellationToken cancellationToken) => inner.FetchAsync(current, cancellationToken);

    public IAsyncEnumerable<ObjectInfo> ListAsync(string bucket, string? prefix, string? startAfter, CancellationToken cancellationToken) =>
        inner.ListAsync(bucket, prefix, startAfter, cancellationToken);

    public Task PutAsync(string bucket, string key, Stream content, string contentType, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? userMetadata = null) =>
        inner.PutAsync(bucket, key, content, contentType, cancellationToken, userMetadata);

    public Task DeleteAsync(string bucket, string key, CancellationToken cancellationToken) => inner.DeleteAsync(bucket, key, cancellationToken);

    public Task EnsureBucketAsync(string bucket, CancellationToken cancellationToken) => inner.EnsureBucketAsync(bucket, cancellationToken);

    public Task<bool> BucketExistsAsync(string bucket, CancellationToken cancellationToken) => inner.BucketExistsAsync(bucket, cancellationToken);
}
