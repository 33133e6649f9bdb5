using Lode.Ingestion.Extraction;
using Lode.Tests.Ocr;
using Lode.Tests.Support;

namespace Lode.Tests.Sandbox;

/// <summary>
/// OCR runs where extraction runs: inside the sandboxed child, with the app's OCR settings, and its page facts (read,
/// mean confidence) cross the process boundary.
/// </summary>
public sealed class SandboxedOcrTests
{
    [Fact]
    public async Task A_scanned_page_is_read_by_OCR_inside_the_child_and_keeps_its_confidence()
    {
        using var runner = SandboxFixtures.Runner();
        var pdf = ScanImages.Pdf(
            ScanImages.TextPage(OcrTestPages.Safety),
            ScanImages.ScannedPage(ScanImages.Png(OcrTestPages.Lending)));

        var document = await SandboxFixtures.ExtractAsync(runner, "mixed.pdf", pdf);

        Assert.Equal([null, PageOcrState.Read], document.Pages.Select(p => p.Ocr?.State));
        Assert.Contains("Mortgage applications above the threshold", OcrTestPages.Flat(document.Pages[1].Text));
        Assert.InRange(document.Pages[1].Ocr!.MeanConfidence!.Value, 80, 100);
    }
}
