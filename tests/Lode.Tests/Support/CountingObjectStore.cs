using System.Collections.Concurrent;
using Lode.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace Lode.Tests.Support;

/// <summary>
/// The real object store, counting per key the stats and the downloads (GET) the app makes, to see what a run read.
/// </summary>
public sealed class CountingObjectStore(IObjectStore inner) : DelegatingObjectStore(inner)
{
    private readonly ConcurrentDictionary<string, int> _stats = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _fetches = new(StringComparer.Ordinal);

    /// <summary>Replaces the app's store by a counting one over the real store; resolve it as <see cref="CountingObjectStore"/>.</summary>
    public static void Register(IServiceCollection services) => Register(services, inner => new CountingObjectStore(inner));

    public int Fetches => _fetches.Values.Sum();

    public int StatsOf(string key) => _stats.GetValueOrDefault(key);

    public int FetchesOf(string key) => _fetches.GetValueOrDefault(key);

    public void Reset()
    {
        _stats.Clear();
        _fetches.Clear();
    }

    public override Task<ObjectInfo?> StatAsync(string bucket, string key, CancellationToken cancellationToken)
    {
        _stats.AddOrUpdate(key, 1, (_, n) => n + 1);
        return base.StatAsync(bucket, key, cancellationToken);
    }

    public override Task<FetchedObject?> FetchAsync(ObjectInfo current, CancellationToken cancellationToken)
    {
        _fetches.AddOrUpdate(current.Key, 1, (_, n) => n + 1);
        return base.FetchAsync(current, cancellationToken);
    }
}
