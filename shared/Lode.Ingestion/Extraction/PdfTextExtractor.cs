using UglyToad.PdfPig;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Exceptions;

namespace Lode.Ingestion.Extraction;

/// <summary>
/// PDF text per physical page with PdfPig. Not <c>page.Text</c>, which drops the spaces between words, and not quite
/// PdfPig's <c>ContentOrderTextExtractor</c>, which runs the words of tightly justified lines together: the page text
/// comes from <see cref="PdfPageText"/> (content order, spaces from glyph gaps). Then running headers/footers are
/// removed (<see cref="RunningLineFilter"/>), words hyphenated across line ends rejoined (<see cref="Dehyphenator"/>)
/// and whitespace normalised. Scanned pages get their text from <see cref="PdfPageOcr"/> when one is given.
/// </summary>
public sealed class PdfTextExtractor(PdfPageOcr? ocr = null) : ITextExtractor
{
    public IReadOnlyCollection<string> Extensions { get; } = [".pdf"];

    public IReadOnlyCollection<string> ContentTypes { get; } = ["application/pdf", "application/x-pdf"];

    public ExtractedDocument Extract(Stream content, ExtractionLimits limits, CancellationToken cancellationToken)
    {
        try
        {
            // A missing font should cost that font's glyphs, not the whole document.
            using var document = PdfInflationGuard.Open(content, limits, new ParsingOptions { SkipMissingFonts = true }, cancellationToken);

            // The page count comes from the page tree, before any page is parsed: a 100,000-page bomb costs nothing.
            if (document.NumberOfPages > limits.MaxPages)
            {
                throw new RejectedDocumentException(
                    RejectionReason.TooManyPages,
                    $"The PDF has {document.NumberOfPages:N0} pages; the limit is {limits.MaxPages:N0}.");
            }

            var budget = new TextBudget(limits);
            var pages = new List<List<PdfLine>>(document.NumberOfPages);
            var numbers = new List<int>(document.NumberOfPages);
            for (var i = 1; i <= document.NumberOfPages; i++)
            {
                // Pages are the unit of work; the caller's time limit arrives as cancellation between them.
                cancellationToken.ThrowIfCancellationRequested();
                var page = document.GetPage(i);
                var lines = PdfPageText.GetLines(page);
                budget.Charge(lines.Sum(l => l.Text.Length + 1));
                pages.Add(lines);
                numbers.Add(page.Number);
            }

            var scanned = ocr?.Apply(content, document, pages, budget, cancellationToken) ?? [];
            RunningLineFilter.RemoveRunningLines(pages, line => line.Text);
            var headings = PdfHeadings.Find(document, pages, cancellationToken);
            return PdfPageOcr.Attach(Assemble(pages, numbers, headings, TitleOf(document, pages), cancellationToken), scanned);
        }
        catch (PdfDocumentEncryptedException ex)
        {
            // PdfPig already tried the empty user password, so only documents that need a real password land here.
            throw new RejectedDocumentException(RejectionReason.Encrypted, "The PDF is password-protected.", ex);
        }
        catch (PdfDocumentFormatException ex)
        {
            throw new RejectedDocumentException(RejectionReason.Corrupt, $"Unreadable PDF: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is not (RejectedDocumentException or OperationCanceledException or OutOfMemoryException))
        {
            // PdfPig also surfaces damage as InvalidOperationException, ArgumentException, IndexOutOfRangeException...
            // The input is an in-memory copy of the object, so no exception here is a transient I/O failure.
            throw new RejectedDocumentException(RejectionReason.Corrupt, $"Unreadable PDF: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Each page's text with its sections: the lines before, between and after its headings become fragments, a
    /// heading its own paragraph at the start of its fragment.
    /// </summary>
    private static ExtractedDocument Assemble(
        List<List<PdfLine>> pages, List<int> numbers, IReadOnlyList<PdfHeading> headings, string? title, CancellationToken cancellationToken)
    {
        var outline = new HeadingOutline();
        var sections = new List<SectionStart>();
        var extracted = new List<ExtractedPage>(pages.Count);
        var headingsByPage = headings.ToLookup(h => h.PageIndex);
        for (var p = 0; p < pages.Count; p++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var lines = pages[p].Select(l => l.Text).ToList();
            var starts = headingsByPage[p].OrderBy(h => h.Line).ToList();
            var fragments = new List<string> { Dehyphenator.Join(lines[..(starts.Count > 0 ? starts[0].Line : lines.Count)]) };
            for (var h = 0; h < starts.Count; h++)
            {
                var heading = starts[h];
                var bodyStart = Math.Min(heading.Line + heading.LineCount, lines.Count);
                var end = h + 1 < starts.Count ? Math.Max(starts[h + 1].Line, bodyStart) : lines.Count;
                var headingText = string.Join(' ', lines[heading.Line..bodyStart]);
                fragments.Add(headingText + "\n\n" + Dehyphenator.Join(lines[bodyStart..end]));
            }

            var (text, offsets) = PageFragments.Join(fragments);
            for (var h = 0; h < starts.Count; h++)
            {
                if (outline.Enter(starts[h].Level, starts[h].Title) is { } path) sections.Add(new SectionStart(numbers[p], offsets[h + 1], path));
            }

            extracted.Add(new ExtractedPage(numbers[p], text, NavigationPages.IsNavigationText(text, pages.Count)));
        }

        return new ExtractedDocument(extracted) { Title = title, Sections = sections };
    }

    /// <summary>The title the file's information dictionary gives; else the largest line of the first page, when it stands out.</summary>
    private static string? TitleOf(PdfDocument document, List<List<PdfLine>> pages)
    {
        if (HeadingOutline.CleanOrNull(document.Information?.Title) is { } stated) return stated;
        var first = pages.FirstOrDefault(p => p.Count > 0);
        if (first is null) return null;
        var largest = first.MaxBy(l => l.FontSize)!;
        var body = pages.SelectMany(p => p).GroupBy(l => Math.Round(l.FontSize)).MaxBy(g => g.Sum(l => l.Text.Length))!.Key;
        return largest.FontSize >= 1.3 * body && largest.Text.Any(char.IsLetter) ? HeadingOutline.CleanOrNull(largest.Text) : null;
    }
}
