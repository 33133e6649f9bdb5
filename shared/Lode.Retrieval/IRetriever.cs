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
/// <param name="IncludeNavigation">Also return chunks of tables of contents, indexes and the like (left out by default).</param>
public sealed record SearchRequest(
    string Query,
    IReadOnlyCollection<string> ReaderGroups,
    int Top = 8,
    SearchFilter? Filter = null,
    SearchMode Mode = SearchMode.Hybrid,
    bool IncludeNavigation = false);

/// <summary>One chunk found for a query, with where it came from. Higher <see cref="Score"/> is better.</summary>
public sealed record RetrievedChunk(
    Guid ChunkId,
    string Bucket,
    string Key,
    int PageStart,
    int PageEnd,
    string Text,
    double Score)
{
    /// <summary>The headings the chunk sits under, outermost first (empty when its document has none).</summary>
    public IReadOnlyList<string> HeadingPath { get; init; } = [];

    /// <summary>The title its document gives itself, if any.</summary>
    public string? Title { get; init; }

    /// <summary>The chunk is from a table of contents, an index or the like (returned only when asked for).</summary>
    public bool IsNavigation { get; init; }

    /// <summary>Some of its pages were read by OCR from a scan: its text may hold recognition errors.</summary>
    public bool FromOcr { get; init; }

    /// <summary>Other places, readable by the caller, that hold exactly the same text (returned once, here).</summary>
    public IReadOnlyList<ChunkLocation> AlsoIn { get; init; } = [];
}

/// <summary>Where a passage is: document and pages.</summary>
public sealed record ChunkLocation(string Bucket, string Key, int Page, int PageEnd)
{
    private static readonly System.Text.Json.JsonSerializerOptions Json = new(System.Text.Json.JsonSerializerDefaults.Web);

    /// <summary>Reads the JSON array the search statement builds (<c>[{bucket, key, page, pageEnd}]</c>).</summary>
    internal static IReadOnlyList<ChunkLocation> ListFromJson(string json) =>
        System.Text.Json.JsonSerializer.Deserialize<List<ChunkLocation>>(json, Json) ?? [];
}

/// <summary>Finds the chunks that best answer a query. The query is embedded once per call.</summary>
public interface IRetriever
{
    Task<IReadOnlyList<RetrievedChunk>> SearchAsync(SearchRequest request, CancellationToken cancellationToken);
}
