using Lode.Ingestion.Extraction;
using Lode.Tests.Support;
using UglyToad.PdfPig.Writer;

namespace Lode.Tests.Ocr;

/// <summary>
/// OCR inside PDF extraction, with real Tesseract and pdftoppm: which pages are read, what they keep, and what a
/// page that cannot be read leaves behind.
/// </summary>
public sealed class ScannedPdfExtractionTests
{
    [Fact]
    public void A_scanned_PDF_gets_each_pages_text_on_its_own_page_with_its_confidence()
    {
        var pdf = ScanImages.Pdf(
            ScanImages.ScannedPage(ScanImages.Png(OcrTestPages.Safety)),
            ScanImages.ScannedPage(ScanImages.Png(OcrTestPages.Lending)),
            ScanImages.ScannedPage(ScanImages.Png(OcrTestPages.Archive)));

        var document = Extract(pdf, OcrTestPages.Options());

        Assert.Equal([1, 2, 3], document.Pages.Select(p => p.Number));
        Assert.Contains("credit committee meets every Thursday", OcrTestPages.Flat(document.Pages[1].Text));
        Assert.DoesNotContain("credit committee", document.Pages[0].Text + document.Pages[2].Text);
        Assert.All(document.Pages, p => Assert.Equal(PageOcrState.Read, p.Ocr!.State));
        Assert.All(document.Pages, p => Assert.InRange(p.Ocr!.MeanConfidence!.Value, 80, 100));
    }

    [Fact]
    public void In_a_mixed_PDF_only_the_scanned_pages_are_read_by_OCR()
    {
        var pdf = ScanImages.Pdf(
            ScanImages.TextPage(OcrTestPages.Safety),
            ScanImages.ScannedPage(ScanImages.Png(OcrTestPages.Lending)),
            ScanImages.TextPage(OcrTestPages.Archive),
            ScanImages.ScannedPage(ScanImages.Png(OcrTestPages.German)));

        var document = Extract(pdf, OcrTestPages.Options("eng+deu"));

        Assert.Equal([null, PageOcrState.Read, null, PageOcrState.Read], document.Pages.Select(p => p.Ocr?.State));
        Assert.Contains("Mortgage applications above the threshold", OcrTestPages.Flat(document.Pages[1].Text));
        Assert.Contains("Größere Überweisungen", document.Pages[3].Text);
        Assert.Contains("Visitors must sign the register", OcrTestPages.Flat(document.Pages[0].Text));
    }

    [Fact]
    public void A_page_that_is_its_own_JPEG_is_read_from_that_image()
    {
        var jpeg = ScanImages.Convert(ScanImages.Png(OcrTestPages.Lending), "png", "jpg", "-quality", "92");

        var document = Extract(ScanImages.Pdf(ScanImages.ScannedPage(jpeg)), OcrTestPages.Options());

        Assert.Equal(PageOcrState.Read, document.Pages[0].Ocr!.State);
        Assert.Contains("Collateral valuations older than twelve months", OcrTestPages.Flat(document.Pages[0].Text));
    }

    [Fact]
    public void With_OCR_off_a_scanned_PDF_keeps_its_pages_without_text_and_says_why()
    {
        var pdf = ScanImages.Pdf(ScanImages.ScannedPage(ScanImages.Png(OcrTestPages.Safety)));

        var document = Extract(pdf, OcrTestPages.Options(enabled: false));

        var page = Assert.Single(document.Pages);
        Assert.Equal("", page.Text);
        Assert.Equal(PageOcr.Disabled, page.Ocr);
    }

    [Fact]
    public void A_page_too_large_to_render_fails_alone_and_the_other_pages_are_read()
    {
        // A 200-inch square page covered by its image: 40,000 × 40,000 pixels at 200 dpi.
        var builder = new PdfDocumentBuilder();
        var huge = builder.AddPage(14_400, 14_400);
        huge.AddPng(ScanImages.Png(["tiny"], dpi: 50), new UglyToad.PdfPig.Core.PdfRectangle(0, 0, 14_400, 14_400));
        var normal = builder.AddPage(612, 792);
        normal.AddPng(ScanImages.Png(OcrTestPages.Archive), new UglyToad.PdfPig.Core.PdfRectangle(0, 0, 612, 792));

        var document = Extract(builder.Build(), OcrTestPages.Options());

        Assert.Equal(PageOcrState.Failed, document.Pages[0].Ocr!.State);
        Assert.Contains("pixels at 200 dpi", document.Pages[0].Ocr!.Reason);
        Assert.Equal(PageOcrState.Read, document.Pages[1].Ocr!.State);
        Assert.Contains("basement vault", document.Pages[1].Text);
    }

    [Fact]
    public void Scanned_pages_beyond_Ocr_MaxPages_are_listed_as_failed()
    {
        var pdf = ScanImages.Pdf(
            ScanImages.ScannedPage(ScanImages.Png(OcrTestPages.Safety)),
            ScanImages.ScannedPage(ScanImages.Png(OcrTestPages.Archive)));
        var options = OcrTestPages.Options();
        options.MaxPages = 1;

        var document = Extract(pdf, options);

        Assert.Equal([PageOcrState.Read, PageOcrState.Failed], document.Pages.Select(p => p.Ocr!.State));
        Assert.Contains("Ocr:MaxPages", document.Pages[1].Ocr!.Reason);
    }

    [Fact]
    public void A_born_digital_PDF_is_not_touched_by_OCR()
    {
        var document = Extract(File.ReadAllBytes(Lode.Tests.Extraction.TestFiles.PathOf("manual-4pages.pdf")), OcrTestPages.Options());

        Assert.All(document.Pages, p => Assert.Null(p.Ocr));
    }

    private static ExtractedDocument Extract(byte[] pdf, Lode.Ocr.OcrOptions options) =>
        OcrTestPages.PdfExtractor(options).Extract(new MemoryStream(pdf), ExtractionLimits.Default, CancellationToken.None);
}
