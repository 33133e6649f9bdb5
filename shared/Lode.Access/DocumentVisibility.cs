using Lode.Database;

namespace Lode.Access;

/// <summary>
/// Which documents' index state a caller may see: administrators every document (to find and fix failures), everyone
/// else the ones their groups may read. The rule lives here, with the other access rules, not in an HTTP function.
/// The caller comes as its two facts (groups, admin) because identity builds on access, not the other way round.
/// </summary>
public sealed class DocumentVisibility(DocumentRepository documents)
{
    /// <summary>One page of the documents the caller may see, filtered by <paramref name="filter"/> (its groups are ignored).</summary>
    public Task<IReadOnlyList<DocumentRecord>> ListAsync(IReadOnlyList<string> callerGroups, bool callerIsAdmin, DocumentQuery filter,
        (string Bucket, string Key)? after, int limit, CancellationToken cancellationToken) =>
        documents.ListAsync(filter with { ReadableBy = ReadableBy(callerGroups, callerIsAdmin) }, after, limit, cancellationToken);

    /// <summary>The document, when the caller may see it; null otherwise, as for a document that does not exist.</summary>
    public Task<DocumentRecord?> GetAsync(IReadOnlyList<string> callerGroups, bool callerIsAdmin, string bucket, string key,
        CancellationToken cancellationToken) =>
        documents.GetAsync(bucket, key, ReadableBy(callerGroups, callerIsAdmin), cancellationToken);

    /// <summary>The groups a document must be readable by for the caller to see it; null for "any document".</summary>
    public static IReadOnlyList<string>? ReadableBy(IReadOnlyList<string> callerGroups, bool callerIsAdmin) =>
        callerIsAdmin ? null : callerGroups;
}
