using System.Text.Json;
using Lode.Retrieval;

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
    public const int DefaultTop = 8;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Parses the body; null with a reason when it is not a JSON object of this shape.</summary>
    public static SearchBody? Parse(ReadOnlyMemory<byte> body, out string? error)
    {
        error = null;
        try
        {
            var parsed = JsonSerializer.Deserialize<SearchBody>(body.Span, Json);
            if (parsed is null) error = "The body must be a JSON object.";
            return parsed;
        }
        catch (JsonException e)
        {
            error = JsonErrorText.Describe(e);
            return null;
        }
    }

    /// <summary>The mode named in the body (hybrid when absent); false for a name that is not a mode.</summary>
    public bool TryGetMode(out SearchMode mode)
    {
        mode = SearchMode.Hybrid;
        return string.IsNullOrEmpty(Mode) || SearchModeNames.TryParse(Mode, out mode);
    }

    public SearchFilter Filter() => new(NullIfEmpty(Bucket), NullIfEmpty(Prefix), NullIfEmpty(ContentType));

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
