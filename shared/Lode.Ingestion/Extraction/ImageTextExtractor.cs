using Lode.Ocr;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Lode.Ingestion.Extraction;

/// <summary>
/// Images as documents: a PNG, a JPEG or a TIFF (each page of a multi-page TIFF is a page) is read by OCR. An image
/// that OCR cannot read (too large, timed out, unreadable) still becomes a document, with its pages listed as failed,
/// so the failure shows where its owner looks; with OCR off, images are refused as a format Lode cannot read.
/// </summary>
public sealed class ImageTextExtractor(IOcrEngine engine, IOptions<OcrOptions> options, ILogger<ImageTextExtractor>? logger = null)
    : ITextExtractor
{
    private readonly ILogger _logger = logger ?? NullLogger<ImageTextExtractor>.Instance;

    public IReadOnlyCollection<string> Extensions { get; } = [".png", ".jpg", ".jpeg", ".tif", ".tiff"];

    public IReadOnlyCollection<string> ContentTypes { get; } = ["image/png", "image/jpeg", "image/tiff"];

    public ExtractedDocument Extract(Stream content, ExtractionLimits limits, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.Enabled)
            throw new RejectedDocumentException(RejectionReason.UnsupportedFormat, "Images are read by OCR, which is turned off (Ocr:Enabled).");

        var pageCount = Math.Max(1, ImageHeader.Dimensions(content).Count);
        content.Position = 0;
        var maxPages = Math.Min(limits.MaxPages, settings.MaxPages);
        if (pageCount > maxPages)
            throw new RejectedDocumentException(RejectionReason.TooManyPages, $"The image has {pageCount:N0} pages; the limit is {maxPages:N0}.");

        var work = Directory.CreateTempSubdirectory("lode-ocr-");
        try
        {
            // Tesseract reads every page of a TIFF in one run, so the run gets every page's time.
            var image = Path.Combine(work.FullName, "image");
            using (var file = File.Create(image)) content.CopyTo(file);
            var timeout = TimeSpan.FromSeconds(settings.PageTimeoutSeconds) * pageCount;
            var read = engine.RecognizeAsync(image, dpi: null, timeout, cancellationToken).GetAwaiter().GetResult();
            return Document(read, pageCount, limits);
        }
        catch (OcrFailedException e)
        {
            _logger.LogWarning("OCR of an image failed: {Reason}", e.Message);
            return new ExtractedDocument(Enumerable.Range(1, pageCount)
                .Select(n => new ExtractedPage(n, "") { Ocr = PageOcr.Failed(e.Message) }).ToList());
        }
        finally
        {
            work.Delete(recursive: true);
        }
    }

    private static ExtractedDocument Document(IReadOnlyList<OcrPage> read, int pageCount, ExtractionLimits limits)
    {
        var budget = new TextBudget(limits);
        var byNumber = read.ToDictionary(p => p.Number);
        var pages = new List<ExtractedPage>(pageCount);
        for (var n = 1; n <= Math.Max(pageCount, read.Count == 0 ? 0 : read.Max(p => p.Number)); n++)
        {
            if (!byNumber.TryGetValue(n, out var page))
            {
                pages.Add(new ExtractedPage(n, "") { Ocr = PageOcr.Failed("Tesseract returned nothing for this page.") });
                continue;
            }

            var text = Dehyphenator.Join(page.Lines.Select(l => l.Text).ToList());
            budget.Charge(text.Length);
            pages.Add(new ExtractedPage(n, TextNormalizer.Normalize(text)) { Ocr = new PageOcr(PageOcrState.Read, page.MeanConfidence) });
        }

        return new ExtractedDocument(pages);
    }
}
