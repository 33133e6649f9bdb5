using UglyToad.PdfPig;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Exceptions;

namespace Lode.Ingestion.Extraction;

/// <summary>
/// PDF text per physical page with PdfPig. Not <c>page.Text</c>, which drops the spaces between words, and not quite
/// PdfPig's <c>ContentOrderTextExtractor</c>, which runs the words of tightly justified lines together: the page text
/// comes from <see cref="PdfPageText"/> (content order, spaces from glyph gaps). Then running headers/footers are
/// removed (<see cref="RunningLineFilter"/>), words hyphenated across line ends rejoined (<see cref="Dehyphenator"/>)
/// and whitespace normalised.
/// </summary>
public sealed class PdfTextExtractor : ITextExtractor
{
    public IReadOnlyCollection<string> Extensions { get; } = [".pdf"];

    public IReadOnlyCollection<string> ContentTypes { get; } = ["application/pdf", "application/x-pdf"];

    public ExtractedDocument Extract(Stream content, ExtractionLimits limits, CancellationToken cancellationToken)
    {
        try
        {
            PdfInflationGuard.Check(content, limits, cancellationToken);
            // A missing font should cost that font's glyphs, not the whole document.
            using var document = PdfDocument.Open(content, new ParsingOptions { SkipMissingFonts = true });

            // The page count comes from the page tree, before any page is parsed: a 100,000-page bomb costs nothing.
            if (document.NumberOfPages > limits.MaxPages)
            {
                throw new RejectedDocumentException(
                    RejectionReason.TooManyPages,
                    $"The PDF has {document.NumberOfPages:N0} pages; the limit is {limits.MaxPages:N0}.");
            }

            var budget = new TextBudget(limits);
            var pages = new List<(int Number, List<string> Lines)>(document.NumberOfPages);
            for (var i = 1; i <= document.NumberOfPages; i++)
            {
                // Pages are the unit of work; the caller's time limit arrives as cancellation between them.
                cancellationToken.ThrowIfCancellationRequested();
                var page = document.GetPage(i);
                var text = PdfPageText.GetText(page);
                budget.Charge(text.Length);
                pages.Add((page.Number, SplitLines(text)));
            }

            RunningLineFilter.RemoveRunningLines(pages.Select(p => p.Lines).ToList());
            return new ExtractedDocument(pages
                .Select(p => new ExtractedPage(p.Number, TextNormalizer.Normalize(Dehyphenator.Join(p.Lines))))
                .ToList());
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

    private static List<string> SplitLines(string text)
    {
        var lines = new List<string>();
        foreach (var line in text.Split('\n'))
        {
            var trimmed = line.Trim();
            if (trimmed.Length > 0)
            {
                lines.Add(trimmed);
            }
        }

        return lines;
    }
}
