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

    [Fact]
    public async Task A_child_killed_during_OCR_leaves_no_copy_of_the_document_behind()
    {
        // OCR writes the document to a temporary folder and deletes it in a finally block, which a killed process never
        // runs: every document whose child was killed (cancelled, over its wall time or CPU) left its full copy behind.
        using var runner = SandboxFixtures.Runner();
        var page = ScanImages.Png(OcrTestPages.Safety);
        // Enough pages that OCR is still running when the test finds its copy.
        var tiff = ScanImages.Tiff(Enumerable.Repeat(page, 12).ToArray());
        using var cancel = new CancellationTokenSource();
        var extraction = runner.ExtractAsync(SandboxFixtures.Registry.GetExtractor("scan.tif", null),
            new MemoryStream(tiff, writable: false), ExtractionLimits.Default, cancel.Token);

        var copy = await WorkingCopyAsync(tiff, extraction);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => extraction);

        Assert.False(File.Exists(copy), $"the killed child's copy of the document is still at {copy}");
    }

    /// <summary>The file under the temporary folder (two levels down at most) holding exactly <paramref name="document"/>.</summary>
    private static async Task<string> WorkingCopyAsync(byte[] document, Task extraction)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(3);
        var search = new EnumerationOptions { RecurseSubdirectories = true, MaxRecursionDepth = 2, IgnoreInaccessible = true };
        while (DateTime.UtcNow < deadline && !extraction.IsCompleted)
        {
            if (Find() is { } found) return found;
            await Task.Delay(50);
        }
        throw new TimeoutException($"No working copy of the document appeared (extraction completed: {extraction.IsCompleted}).");

        string? Find()
        {
            try
            {
                return Directory.EnumerateFiles(Path.GetTempPath(), "image", search)
                    .FirstOrDefault(file => new FileInfo(file).Length == document.Length && File.ReadAllBytes(file).AsSpan().SequenceEqual(document));
            }
            catch (IOException)
            {
                // A folder or file deleted while looked at (another test's page): look again.
                return null;
            }
        }
    }
}
