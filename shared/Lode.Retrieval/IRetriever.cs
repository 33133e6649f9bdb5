namespace Lode.Retrieval;

/// <summary>How candidates are found: both ways fused (the default), or one way alone (for comparison and tests).</summary>
public enum SearchMode
{
    Hybrid,
    Vector,
    Text,
}

/// <summary>
/// Narrows what a search may return, as the caller asks. Every field is one more SQL predicate. Who may read what is
/// not here: it is <see cref="SearchRequest.ReaderGroups"/>, which no request can leave out.
/// </summary>
public sealed record SearchFilter(string? Bucket = null, string? KeyPrefix = null, string? ContentType = null)
{
    public static SearchFilter None { get; } = new();
}

/// <summary>A search on behalf of a caller.</summary>
/// <param name="ReaderGroups">
/// The caller's groups: only chunks of documents one of them may read are ever considered, in every candidate query.
/// There is no "everything" value; no groups means no results.
/// </param>
public sealed record SearchRequest(
    string Query,
    IReadOnlyCollection<string> ReaderGroups,
    int Top = 8,
    SearchFilter? Filter = null,
    SearchMode Mode = SearchMode.Hybrid);

/// <summary>One chunk found for a query, with where it came from. Higher <see cref="Score"/> is better.</summary>
public sealed record RetrievedChunk(
    Guid ChunkId,
    string Bucket,
    string Key,
    int PageStart,
    int PageEnd,
    string Text,
    double Score);

/// <summary>Finds the chunks that best answer a query. The query is embedded once per call.</summary>
public interface IRetriever
{
    Task<IReadOnlyList<RetrievedChunk>> SearchAsync(SearchRequest request, CancellationToken cancellationToken);
}
