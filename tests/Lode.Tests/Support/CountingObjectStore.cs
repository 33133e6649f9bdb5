using System.Collections.Concurrent;
using Lode.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Minio;

namespace Lode.Tests.Support;

/// <summary>
/// The real object store, counting per key the stats and the downloads (GET) the app makes, to see what a run read.
/// </summary>
public sealed class CountingObjectStore(IObjectStore inner) : IObjectStore
{
    private readonly ConcurrentDictionary<string, int> _stats = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _fetches = new(StringComparer.Ordinal);

    /// <summary>Replaces the app's store by a counting one over the real store; resolve it as <see cref="CountingObjectStore"/>.</summary>
    public static void Register(IServiceCollection services)
    {
        services.AddSingleton(sp => new CountingObjectStore(new MinioObjectStore(
            sp.GetRequiredService<IMinioClient>(), sp.GetRequiredService<IOptions<StorageOptions>>())));
        services.AddSingleton<IObjectStore>(sp => sp.GetRequiredService<CountingObjectStore>());
    }

    public int Fetches => _fetches.Values.Sum();

    public int StatsOf(string key) => _stats.GetValueOrDefault(key);

    public int FetchesOf(string key) => _fetches.GetValueOrDefault(key);

    public void Reset()
    {
        _stats.Clear();
        _fetches.Clear();
    }

    public Task<ObjectInfo?> StatAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        _stats.AddOrUpdate(key, 1, (_, n) => n + 1);
        return inner.StatAsync(bucket, key, cancellationToken);
    }

    public Task<FetchedObject?> FetchAsync(ObjectInfo current, CancellationToken cancellationToken)
    {
        _fetches.AddOrUpdate(current.Key, 1, (_, n) => n + 1);
        return inner.FetchAsync(current, cancellationToken);
    }

    public IAsyncEnumerable<ObjectInfo> ListAsync(string bucket, string? prefix, string? startAfter, CancellationToken cancellationToken) =>
        inner.ListAsync(bucket, prefix, startAfter, cancellationToken);

    public Task PutAsync(string bucket, string key, Stream content, string contentType, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? userMetadata = null) =>
        inner.PutAsync(bucket, key, content, contentType, cancellationToken, userMetadata);

    public Task DeleteAsync(string bucket, string key, CancellationToken cancellationToken) => inner.DeleteAsync(bucket, key, cancellationToken);

    public Task EnsureBucketAsync(string bucket, CancellationToken cancellationToken) => inner.EnsureBucketAsync(bucket, cancellationToken);

    public Task<bool> BucketExistsAsync(string bucket, CancellationToken cancellationToken) => inner.BucketExistsAsync(bucket, cancellationToken);
}
