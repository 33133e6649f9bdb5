using Lode.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Lode.Tests.Support;

/// <summary>
/// The real object store, except that the first stat of <see cref="Key"/> replaces that object in the real store right
/// after answering (new content, new metadata): the worst moment for whoever decides on the stat and then downloads.
/// </summary>
public sealed class ReplacingObjectStore(IObjectStore inner) : DelegatingObjectStore(inner)
{
    private int _replaced;

    public string? Key { get; set; }
    public byte[] Replacement { get; set; } = [];
    public IReadOnlyDictionary<string, string> ReplacementMetadata { get; set; } = new Dictionary<string, string>();

    /// <summary>Whether the replacement has happened.</summary>
    public bool Replaced => Volatile.Read(ref _replaced) == 1;

    /// <summary>Replaces the app's store by this one over the real store; resolve it as <see cref="ReplacingObjectStore"/>.</summary>
    public static void Register(IServiceCollection services) => Register(services, inner => new ReplacingObjectStore(inner));

    public override async Task<ObjectInfo?> StatAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        var info = await Inner.StatAsync(bucket, key, cancellationToken);
        if (info is not null && key == Key && Interlocked.Exchange(ref _replaced, 1) == 0)
        {
            using var content = new MemoryStream(Replacement);
            await Inner.PutAsync(bucket, key, content, info.ContentType ?? "application/octet-stream", cancellationToken, ReplacementMetadata);
        }
        return info;
    }
}
