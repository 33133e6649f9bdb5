namespace Lode.Ingestion.Extraction;

/// <summary>Text of one physical page (1-based). Formats without pages yield a single page 1.</summary>
/// <param name="IsNavigation">
/// The page only points elsewhere: a table of contents, an index, a list of figures (see <see cref="NavigationPages"/>).
/// Its chunks are stored but not retrieved unless a search asks for them.
/// </param>
public sealed record ExtractedPage(int Number, string Text, bool IsNavigation = false)
{
    /// <summary>Set on a page whose text exists only as an image: whether OCR read it, and how confidently.</summary>
    public PageOcr? Ocr { get; init; }
}

/// <summary>
/// Where a section of the document begins: at character <paramref name="Offset"/> of page <paramref name="Page"/>'s
/// text, with the titles of the headings it sits under, outermost first (<c>["Bash Features", "Shell Variables"]</c>).
/// The section runs to the next start.
/// </summary>
public sealed record SectionStart(int Page, int Offset, IReadOnlyList<string> HeadingPath);

/// <summary>
/// What an extractor produced from one object: its pages in order, the document's own title when it states one, and
/// where its sections begin (ordered by page, then offset; empty when the format or file has no headings).
/// </summary>
public sealed record ExtractedDocument(IReadOnlyList<ExtractedPage> Pages)
{
    public int PageCount => Pages.Count;

    /// <summary>The title the document gives itself (PDF information, HTML <c>&lt;title&gt;</c>, DOCX core properties, …).</summary>
    public string? Title { get; init; }

    public IReadOnlyList<SectionStart> Sections { get; init; } = [];

    /// <summary>A document of a format that has no pages: all its text is page 1.</summary>
    public static ExtractedDocument SinglePage(string text) => new([new ExtractedPage(1, text)]);
}
