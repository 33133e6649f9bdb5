using Lode.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Minio;

namespace Lode.Tests.Support;

/// <summary>
/// The real object store with one behaviour changed: a test store derives from this, overrides what it watches or
/// disturbs, and forwards the rest to <see cref="Inner"/>.
/// </summary>
public abstract class DelegatingObjectStore(IObjectStore inner) : IObjectStore
{
    protected IObjectStore Inner { get; } = inner;

    /// <summary>
    /// Replaces the app's store by <typeparamref name="TStore"/> over the real Minio store; tests resolve it as
    /// <typeparamref name="TStore"/> to steer or read it.
    /// </summary>
    protected static void Register<TStore>(IServiceCollection services, Func<IObjectStore, TStore> create)
        where TStore : DelegatingObjectStore
    {
        services.AddSingleton(sp => create(new MinioObjectStore(
            sp.GetRequiredService<IMinioClient>(), sp.GetRequiredService<IOptions<StorageOptions>>())));
        services.AddSingleton<IObjectStore>(sp => sp.GetRequiredService<TStore>());
    }

    public virtual Task<ObjectInfo?> StatAsync(string bucket, string key, CancellationToken cancellationToken) =>
        Inner.StatAsync(bucket, key, cancellationToken);

    public virtual Task<FetchedObject?> FetchAsync(ObjectInfo current, CancellationToken cancellationToken) =>
        Inner.FetchAsync(current, cancellationToken);

    public virtual IAsyncEnumerable<ObjectInfo> ListAsync(string bucket, string? prefix, string? startAfter, CancellationToken cancellationToken) =>
        Inner.ListAsync(bucket, prefix, startAfter, cancellationToken);

    public virtual Task PutAsync(string bucket, string key, Stream content, string contentType, CancellationToken cancellationToken,
        IReadOnlyDictionary<string, string>? userMetadata = null) =>
        Inner.PutAsync(bucket, key, content, contentType, cancellationToken, userMetadata);

    public virtual Task DeleteAsync(string bucket, string key, CancellationToken cancellationToken) => Inner.DeleteAsync(bucket, key, cancellationToken);

    public virtual Task EnsureBucketAsync(string bucket, CancellationToken cancellationToken) => Inner.EnsureBucketAsync(bucket, cancellationToken);

    public virtual Task<bool> BucketExistsAsync(string bucket, CancellationToken cancellationToken) => Inner.BucketExistsAsync(bucket, cancellationToken);
}
