namespace Lode.Ingestion.Extraction;

/// <summary>Text of one physical page (1-based). Formats without pages yield a single page 1.</summary>
public sealed record ExtractedPage(int Number, string Text);

/// <summary>What an extractor produced from one object: its pages in order.</summary>
public sealed record ExtractedDocument(IReadOnlyList<ExtractedPage> Pages)
{
    public int PageCount => Pages.Count;

    /// <summary>A document of a format that has no pages: all its text is page 1.</summary>
    public static ExtractedDocument SinglePage(string text) => new([new ExtractedPage(1, text)]);
}
