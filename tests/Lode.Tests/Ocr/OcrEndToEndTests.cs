using System.Net.Http.Json;
using System.Text.Json;
using Lode.Tests.Integration;
using Lode.Tests.Support;

namespace Lode.Tests.Ocr;

/// <summary>
/// Scans through the whole path with real parts: uploaded through S3, announced by the webhook, read by Tesseract in
/// the worker, stored, searched and shown by the API.
/// </summary>
public sealed class OcrEndToEndTests(LodeStackFixture fixture) : IClassFixture<LodeStackFixture>
{
    private LodeStack Stack => fixture.Stack;

    /// <summary>A page long enough to fill chunks of its own (short pages share one chunk, cited at its first page).</summary>
    private static byte[] FullPage(string[] lines) =>
        ScanImages.Png([.. lines, .. Enumerable.Range(1, 24).Select(n => $"Routine paragraph {n} restates the general housekeeping rules once more.")]);

    [Fact]
    public async Task A_mixed_PDF_counts_only_its_scanned_pages_as_OCR_and_its_text_pages_are_not_flagged()
    {
        const string key = "ocr/mixed.pdf";
        await Stack.PutAsync(key, ScanImages.Pdf(
            ScanImages.TextPage(OcrTestPages.Safety),
            ScanImages.ScannedPage(FullPage(OcrTestPages.Lending)),
            ScanImages.TextPage([.. OcrTestPages.Archive, .. Enumerable.Range(1, 24).Select(n => $"Typed paragraph {n} restates the general filing rules once more.")])),
            "application/pdf");

        var document = (await Stack.WaitForStatusAsync(key, "indexed", TimeSpan.FromMinutes(5)))!.Value;

        Assert.Equal(1, document.GetProperty("ocrPages").GetInt32());
        using var response = await Stack.Api.PostAsJsonAsync("api/search", new { query = "general filing rules once more", top = 50 });
        var hits = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").EnumerateArray()
            .Where(r => r.GetProperty("key").GetString() == key && r.GetProperty("page").GetInt32() == 3).ToList();
        Assert.NotEmpty(hits);
        Assert.All(hits, h => Assert.False(h.GetProperty("ocr").GetBoolean())); // chunks of the typed page alone
    }

    private async Task<JsonElement> TopHitAsync(string query, string key)
    {
        using var response = await Stack.Api.PostAsJsonAsync("api/search", new { query, top = 20 });
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        return body.GetProperty("results").EnumerateArray().First(r => r.GetProperty("key").GetString() == key);
    }
}
