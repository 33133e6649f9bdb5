namespace Lode.Retrieval;

/// <summary>How candidates are found: both ways fused (the default), or one way alone (for comparison and tests).</summary>
public enum SearchMode
{
    Hybrid,
    Vector,
    Text,
}

/// <summary>
/// Restricts what a search may return. Every field is one more SQL predicate; the access-control filter (the
/// caller's groups) will be one more field here, applied the same way on every path.
/// </summary>
public sealed record SearchFilter(string? Bucket = null, string? KeyPrefix = null, string? ContentType = null)
{
    public static SearchFilter None { get; } = new();
}

public sealed record SearchRequest(string Query, int Top = 8, SearchFilter? Filter = null, SearchMode Mode = SearchMode.Hybrid);

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
