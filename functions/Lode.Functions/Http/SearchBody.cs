using Lode.Retrieval;
using Lode.Identity;

namespace Lode.Functions.Http;

/// <summary>The body of POST api/search.</summary>
public sealed record SearchBody(
    string? Query,
    int? Top,
    string? Bucket,
    string? Prefix,
    string? ContentType,
    string? Mode,
    bool IncludeNavigation = false)
{
    /// <summary>The search this body asks for on behalf of <paramref name="caller"/>; throws <see cref="SearchRequestException"/> outside the limits.</summary>
    public SearchRequest ToSearchRequest(Caller caller, RetrievalOptions limits) =>
        SearchRequestRules.Create(Query, caller.Groups, Top, Mode, Filter(), IncludeNavigation, limits);

    private SearchFilter Filter() => new(NullIfEmpty(Bucket), NullIfEmpty(Prefix), NullIfEmpty(ContentType));

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}

/// <summary>The answer of POST api/search: the best chunks first.</summary>
public sealed record SearchResponse(IReadOnlyList<SearchHit> Results);

/// <summary>
/// One chunk found: where it is (<see cref="Page"/> is its first page, <see cref="PageEnd"/> its last; the headings of
/// its section; its document's title), its text, whether it is navigation (only with <c>includeNavigation</c>), and
/// the other places the caller may read that hold the same text, and whether its text was read by OCR from a scan.
/// </summary>
public sealed record SearchHit(
    string Bucket, string Key, int Page, int PageEnd, string Text, double Score,
    IReadOnlyList<string> HeadingPath, string? Title, bool Navigation, IReadOnlyList<ChunkLocation> AlsoIn, bool Ocr)
{
    public static SearchHit From(RetrievedChunk c) =>
        new(c.Bucket, c.Key, c.PageStart, c.PageEnd, c.Text, c.Score, c.HeadingPath, c.Title, c.IsNavigation, c.AlsoIn, c.FromOcr);
}
