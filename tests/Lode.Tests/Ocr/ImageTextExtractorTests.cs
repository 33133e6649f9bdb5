using Lode.Ingestion.Extraction;
using Lode.Ocr;
using Lode.Tests.Support;
using Microsoft.Extensions.Options;

namespace Lode.Tests.Ocr;

/// <summary>Images as documents, read by the real Tesseract.</summary>
public sealed class ImageTextExtractorTests
{
    [Fact]
    public void A_PNG_is_one_page_of_OCR_text()
    {
        var document = Extract(ScanImages.Png(OcrTestPages.Safety), OcrTestPages.Options());

        var page = Assert.Single(document.Pages);
        Assert.Contains("quarterly fire drill happens on the second Tuesday", page.Text);
        Assert.Equal(PageOcrState.Read, page.Ocr!.State);
        Assert.InRange(page.Ocr.MeanConfidence!.Value, 80, 100);
    }

    [Fact]
    public void Each_page_of_a_multi_page_TIFF_is_a_page()
    {
        var tiff = ScanImages.Tiff(ScanImages.Png(OcrTestPages.Lending), ScanImages.Png(OcrTestPages.Archive));

        var document = Extract(tiff, OcrTestPages.Options());

        Assert.Equal([1, 2], document.Pages.Select(p => p.Number));
        Assert.Contains("credit committee meets every Thursday", document.Pages[0].Text);
        Assert.Contains("basement vault for ten years", document.Pages[1].Text);
        Assert.DoesNotContain("basement", document.Pages[0].Text);
    }

    [Fact]
    public void An_image_of_huge_dimensions_becomes_a_document_whose_page_failed()
    {
        var png = ScanImages.Png(["tiny"]);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), 40_000);
        System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), 40_000);

        var page = Assert.Single(Extract(png, OcrTestPages.Options()).Pages);

        Assert.Equal("", page.Text);
        Assert.Equal(PageOcrState.Failed, page.Ocr!.State);
        Assert.Contains("pixels", page.Ocr.Reason);
    }

    [Fact]
    public void With_OCR_off_an_image_is_refused_as_unreadable()
    {
        var refusal = Assert.Throws<RejectedDocumentException>(() => Extract(ScanImages.Png(["x"]), OcrTestPages.Options(enabled: false)));

        Assert.Equal(RejectionReason.UnsupportedFormat, refusal.Reason);
        Assert.Contains("Ocr:Enabled", refusal.Message);
    }

    [Fact]
    public void The_registry_picks_it_for_image_keys_and_content_types()
    {
        var registry = new ExtractorRegistry([Extractor(OcrTestPages.Options())]);

        Assert.IsType<ImageTextExtractor>(registry.GetExtractor("scans/contract.TIFF", null));
        Assert.IsType<ImageTextExtractor>(registry.GetExtractor("scans/fax", "image/jpeg"));
    }

    private static ExtractedDocument Extract(byte[] image, OcrOptions options) =>
        Extractor(options).Extract(new MemoryStream(image), ExtractionLimits.Default, CancellationToken.None);

    private static ImageTextExtractor Extractor(OcrOptions options) =>
        new(new TesseractEngine(Options.Create(options)), Options.Create(options));
}
