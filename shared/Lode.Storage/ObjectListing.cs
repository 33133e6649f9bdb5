using System.Runtime.CompilerServices;

namespace Lode.Storage;

public static class ObjectListing
{
    /// <summary>
    /// <see cref="IObjectStore.ListAsync"/> cut into pages of <paramref name="pageSize"/> objects, so a bucket of millions
    /// is worked through with one page in memory at a time.
    /// </summary>
    public static async IAsyncEnumerable<IReadOnlyList<ObjectInfo>> ListPagesAsync(this IObjectStore store, string bucket,
        string? prefix, string? startAfter, int pageSize, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfLessThan(pageSize, 1);
        var page = new List<ObjectInfo>(pageSize);
        await foreach (var item in store.ListAsync(bucket, prefix, startAfter, cancellationToken))
        {
            page.Add(item);
            if (page.Count < pageSize) continue;
            yield return page;
            page = new List<ObjectInfo>(pageSize);
        }
        if (page.Count > 0) yield return page;
    }
}
