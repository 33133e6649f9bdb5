using System.Diagnostics;
using Lode.Ocr;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using UglyToad.PdfPig;

namespace Lode.Ingestion.Extraction;

/// <summary>
/// Gives the scanned pages of a PDF their text by OCR (see <see cref="ScannedPage"/> for which pages): each is
/// rendered with pdftoppm at Ocr:Dpi (or its own JPEG is taken when it is the whole page) and read by the
/// <see cref="IOcrEngine"/>, up to Ocr:MaxParallelPages at once, each within Ocr:PageTimeoutSeconds. A page that fails
/// keeps no text and is recorded as failed; the others, and the document, go on.
/// </summary>
public sealed class PdfPageOcr(IOcrEngine engine, IOptions<OcrOptions> options, ILogger<PdfPageOcr>? logger = null)
{
    private readonly ILogger _logger = logger ?? NullLogger<PdfPageOcr>.Instance;

    /// <summary>
    /// Replaces the lines of the scanned pages among <paramref name="pages"/> (index i is PDF page i + 1) with their OCR
    /// text and returns the OCR facts of those pages by index; born-digital pages are not in it.
    /// </summary>
    internal Dictionary<int, PageOcr> Apply(Stream content, PdfDocument document, List<List<PdfLine>> pages, TextBudget budget,
        CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var scans = new List<ScanJob>();
        for (var i = 0; i < pages.Count; i++)
        {
            // Only pages without text are parsed again for their images: a born-digital document costs one count per page.
            if (!ScannedPage.HasNegligibleText(pages[i])) continue;
            cancellationToken.ThrowIfCancellationRequested();
            var page = document.GetPage(i + 1);
            var images = page.GetImages().ToList();
            if (!ScannedPage.IsMostlyImage(page, images)) continue;
            var jpeg = ScannedPage.WholePageJpeg(page, images);
            scans.Add(new ScanJob(i, page.Number, page.Width, page.Height,
                jpeg?.RawBytes.ToArray(), jpeg is null ? null : jpeg.WidthInSamples / (page.Width / 72)));
        }

        var facts = new Dictionary<int, PageOcr>();
        if (scans.Count == 0) return facts;
        if (!settings.Enabled)
        {
            foreach (var scan in scans) facts[scan.Index] = PageOcr.Disabled;
            return facts;
        }

        foreach (var scan in scans.Skip(settings.MaxPages))
            facts[scan.Index] = PageOcr.Failed($"The document has more than {settings.MaxPages} scanned pages (Ocr:MaxPages).");

        var work = Directory.CreateTempSubdirectory("lode-ocr-");
        try
        {
            var pdfPath = Path.Combine(work.FullName, "document.pdf");
            content.Position = 0;
            using (var file = File.Create(pdfPath)) content.CopyTo(file);

            var results = new PageOcrResult[Math.Min(scans.Count, settings.MaxPages)];
            Parallel.ForEachAsync(Enumerable.Range(0, results.Length),
                new ParallelOptions { MaxDegreeOfParallelism = settings.MaxParallelPages, CancellationToken = cancellationToken },
                async (n, ct) => results[n] = await ReadAsync(scans[n], pdfPath, work.FullName, settings, ct))
                .GetAwaiter().GetResult();

            foreach (var result in results)
            {
                facts[result.Scan.Index] = result.Facts;
                if (result.Lines is not { } lines) continue;
                budget.Charge(lines.Sum(l => l.Text.Length + 1));
                pages[result.Scan.Index] = lines;
            }
        }
        finally
        {
            work.Delete(recursive: true);
        }

        return facts;
    }

    private async Task<PageOcrResult> ReadAsync(ScanJob scan, string pdfPath, string workPath, OcrOptions settings, CancellationToken ct)
    {
        var limit = TimeSpan.FromSeconds(settings.PageTimeoutSeconds);
        var started = Stopwatch.GetTimestamp();
        try
        {
            string image;
            double dpi;
            if (scan.Jpeg is { } jpeg && scan.JpegDpi is > 0 and var jpegDpi)
            {
                image = Path.Combine(workPath, $"page-{scan.Number}.jpg");
                await File.WriteAllBytesAsync(image, jpeg, ct);
                dpi = jpegDpi;
            }
            else
            {
                image = await PdfPageRasterizer.RenderAsync(pdfPath, scan.Number, scan.WidthPoints, scan.HeightPoints, settings.Dpi,
                    Path.Combine(workPath, $"page-{scan.Number}"), limit, ct);
                dpi = settings.Dpi;
            }

            // What rendering took comes off the page's time: the timeout is for the page, not for each tool.
            var left = limit - Stopwatch.GetElapsedTime(started);
            if (left <= TimeSpan.Zero) throw new OcrFailedException($"Rendering the page took longer than {settings.PageTimeoutSeconds} s.");
            var read = await engine.RecognizeAsync(image, (int)Math.Round(dpi), left, ct);
            File.Delete(image);
            var page = read.FirstOrDefault();
            return new PageOcrResult(scan, new PageOcr(PageOcrState.Read, page?.MeanConfidence), page is null ? [] : ToLines(page, dpi, scan.HeightPoints));
        }
        catch (OcrFailedException e)
        {
            _logger.LogWarning("OCR of page {Page} failed: {Reason}", scan.Number, e.Message);
            return new PageOcrResult(scan, PageOcr.Failed(e.Message), null);
        }
    }

    /// <summary>OCR lines as PDF lines: font size and baseline from the pixel boxes at the image's resolution, in points.</summary>
    private static List<PdfLine> ToLines(OcrPage page, double dpi, double pageHeightPoints) =>
        page.Lines.Select(l => new PdfLine(l.Text, l.HeightPixels * 72 / dpi, pageHeightPoints - (l.TopPixels + l.HeightPixels) * 72 / dpi)).ToList();

    /// <summary>Attaches the OCR facts to the assembled pages (index i of <paramref name="facts"/> is page i).</summary>
    internal static ExtractedDocument Attach(ExtractedDocument document, IReadOnlyDictionary<int, PageOcr> facts) =>
        facts.Count == 0
            ? document
            : document with { Pages = document.Pages.Select((p, i) => facts.TryGetValue(i, out var ocr) ? p with { Ocr = ocr } : p).ToList() };

    private sealed record ScanJob(int Index, int Number, double WidthPoints, double HeightPoints, byte[]? Jpeg, double? JpegDpi);

    private sealed record PageOcrResult(ScanJob Scan, PageOcr Facts, List<PdfLine>? Lines);
}
