using Lode.Database;

namespace Lode.Security;

/// <summary>
/// Which documents' index state a caller may see: administrators every document (to find and fix failures), everyone
/// else the ones their groups may read. The rule lives here, with the other access rules, not in an HTTP function.
/// </summary>
public sealed class DocumentVisibility(DocumentRepository documents)
{
    /// <summary>One page of the documents <paramref name="caller"/> may see, filtered by <paramref name="filter"/> (its groups are ignored).</summary>
    public Task<IReadOnlyList<DocumentRecord>> ListAsync(Caller caller, DocumentQuery filter, (string Bucket, string Key)? after, int limit,
        CancellationToken cancellationToken) =>
        documents.ListAsync(filter with { ReadableBy = ReadableBy(caller) }, after, limit, cancellationToken);

    /// <summary>The document, when <paramref name="caller"/> may see it; null otherwise, as for a document that does not exist.</summary>
    public Task<DocumentRecord?> GetAsync(Caller caller, string bucket, string key, CancellationToken cancellationToken) =>
        documents.GetAsync(bucket, key, ReadableBy(caller), cancellationToken);

    /// <summary>The groups a document must be readable by for <paramref name="caller"/> to see it; null for "any document".</summary>
    public static IReadOnlyList<string>? ReadableBy(Caller caller) => caller.IsAdmin ? null : caller.Groups;
}
