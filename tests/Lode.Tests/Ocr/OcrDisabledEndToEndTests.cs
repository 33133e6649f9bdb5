using System.Net.Http.Json;
using System.Text.Json;
using Lode.Tests.Support;

namespace Lode.Tests.Ocr;

/// <summary>
/// <c>Ocr:Enabled=false</c> through the whole path: a scanned PDF still indexes, without text, and its document says
/// which pages were left unread and why, rather than looking like an empty file; an image is refused as unreadable.
/// </summary>
public sealed class OcrDisabledEndToEndTests
{
    [Fact]
    public async Task A_scanned_PDF_indexes_with_no_text_and_lists_its_pages_as_OCR_disabled_and_an_image_is_refused()
    {
        await using var stack = await LodeStack.StartAsync(extraArgs: "--Ocr:Enabled=false");
        const string scan = "ocr-off/scan.pdf";
        const string image = "ocr-off/notice.png";
        await stack.PutAsync(scan, ScanImages.Pdf(
            ScanImages.ScannedPage(ScanImages.Png(OcrTestPages.Safety)),
            ScanImages.ScannedPage(ScanImages.Png(OcrTestPages.Lending))), "application/pdf");
        await stack.PutAsync(image, ScanImages.Png(OcrTestPages.Archive), "image/png");

        var document = (await stack.WaitForStatusAsync(scan, "indexed", TimeSpan.FromMinutes(3)))!.Value;
        var refused = (await stack.WaitForStatusAsync(image, "failed", TimeSpan.FromMinutes(3)))!.Value;

        Assert.Equal(2, document.GetProperty("pages").GetInt32());
        Assert.Equal(0, document.GetProperty("chunks").GetInt32());
        Assert.Equal(0, document.GetProperty("ocrPages").GetInt32());
        Assert.Equal([1, 2], document.GetProperty("ocrDisabledPages").EnumerateArray().Select(p => p.GetInt32()));
        Assert.Empty(document.GetProperty("ocrFailedPages").EnumerateArray());
        using var search = await stack.Api.PostAsJsonAsync("api/search", new { query = "quarterly fire drill second Tuesday", top = 10 });
        Assert.Empty((await search.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").EnumerateArray());

        Assert.Contains("Ocr:Enabled", refused.GetProperty("error").GetString());
    }
}
