using System.Buffers.Binary;
using System.Net.Http.Json;
using System.Text.Json;
using Lode.Tests.Support;

namespace Lode.Tests.Ocr;

/// <summary>
/// One stack for the OCR tests that go through the whole path, reading English and German (<c>Ocr:Languages=eng+deu</c>,
/// as a site with both keeps them): a site that reads German reads its English scans in the same run.
/// </summary>
public sealed class OcrStackFixture : IAsyncLifetime
{
    public LodeStack Stack { get; private set; } = null!;

    public async Task InitializeAsync() => Stack = await LodeStack.StartAsync(extraArgs: "--Ocr:Languages=eng+deu");

    public async Task DisposeAsync() => await Stack.DisposeAsync();
}

/// <summary>
/// Scans through the whole path with real parts: uploaded through S3, announced by the webhook, read by Tesseract in
/// the sandboxed extractor child of the worker, stored, searched, cited and shown by the API. Several documents go
/// through the one stack; each test uses its own keys and phrases no other test's documents contain.
/// </summary>
public sealed class OcrEndToEndTests(OcrStackFixture fixture) : IClassFixture<OcrStackFixture>
{
    private static readonly TimeSpan Indexing = TimeSpan.FromMinutes(5);

    private LodeStack Stack => fixture.Stack;

    [Fact]
    public async Task A_mixed_PDF_counts_only_its_scanned_pages_as_OCR_and_its_text_pages_are_not_flagged()
    {
        const string key = "ocr/mixed.pdf";
        await Stack.PutAsync(key, ScanImages.Pdf(
            ScanImages.TextPage(OcrTestPages.Safety),
            ScanImages.ScannedPage(ScanImages.Png(FullPage(OcrTestPages.Lending, []))),
            ScanImages.TextPage([.. OcrTestPages.Archive, .. Enumerable.Range(1, 24).Select(n => $"Typed paragraph {n} restates the general filing rules once more.")])),
            "application/pdf");

        var document = await IndexedAsync(key);

        Assert.Equal(1, document.GetProperty("ocrPages").GetInt32());
        using var response = await Stack.Api.PostAsJsonAsync("api/search", new { query = "general filing rules once more", top = 50 });
        var hits = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").EnumerateArray()
            .Where(r => r.GetProperty("key").GetString() == key && r.GetProperty("page").GetInt32() == 3).ToList();
        Assert.NotEmpty(hits);
        Assert.All(hits, h => Assert.False(h.GetProperty("ocr").GetBoolean())); // chunks of the typed page alone
    }

    [Fact]
    public async Task A_three_page_scan_is_found_by_a_phrase_from_page_two_and_cited_on_page_two()
    {
        const string key = "ocr/harbour-scan.pdf";
        await Stack.PutAsync(key, ScanImages.Pdf(
            ScanImages.ScannedPage(ScanImages.Png(FullPage(["The harbour master signs every berth allocation by hand."], []))),
            ScanImages.ScannedPage(ScanImages.Png(FullPage([], ["Crane inspections are booked with Vandermeer Engineering each spring."]))),
            ScanImages.ScannedPage(ScanImages.Png(FullPage(["Pilot boats refuel at the northern jetty after midnight."], [])))),
            "application/pdf");

        var document = await IndexedAsync(key);

        Assert.Equal(3, document.GetProperty("pages").GetInt32());
        Assert.Equal(3, document.GetProperty("ocrPages").GetInt32());
        Assert.InRange(document.GetProperty("ocrMeanConfidence").GetDouble(), 80, 100);
        Assert.Empty(document.GetProperty("ocrFailedPages").EnumerateArray());

        // The phrase ends page 2, after a page and a half of other text: its chunk starts on page 2, whatever the
        // chunker merges before it (a phrase at the top of page 2 would share a chunk with the end of page 1).
        var hit = await TopHitAsync("crane inspections Vandermeer Engineering spring");
        Assert.Equal(key, hit.GetProperty("key").GetString());
        Assert.Equal(2, hit.GetProperty("page").GetInt32());
        Assert.True(hit.GetProperty("ocr").GetBoolean());
        Assert.Contains("Crane inspections are booked with Vandermeer Engineering each spring.", hit.GetProperty("text").GetString());

        using var chat = await Stack.Api.PostAsJsonAsync("api/chat", new
        {
            messages = new[] { new { role = "user", content = "Who are crane inspections booked with each spring?" } },
        });
        chat.EnsureSuccessStatusCode();
        var citation = (await chat.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("citations")[0];
        Assert.Equal(key, citation.GetProperty("key").GetString());
        Assert.Equal(2, citation.GetProperty("page").GetInt32());
    }

    [Fact]
    public async Task A_PNG_and_each_page_of_a_two_page_TIFF_are_documents_found_on_their_pages()
    {
        const string png = "ocr/canteen-notice.png";
        const string tiff = "ocr/greenhouse-fax.tiff";
        await Stack.PutAsync(png, ScanImages.Png(["The canteen serves lentil soup on rainy Wednesdays."]), "image/png");
        await Stack.PutAsync(tiff, ScanImages.Tiff(
            ScanImages.Png(FullPage(["Greenhouse tomatoes are watered before sunrise."], [])),
            ScanImages.Png(FullPage([], ["Orchid cuttings travel in insulated crates to Rotterdam."]))), "image/tiff");

        var pngDocument = await IndexedAsync(png);
        var tiffDocument = await IndexedAsync(tiff);

        Assert.Equal(1, pngDocument.GetProperty("ocrPages").GetInt32());
        Assert.Equal(2, tiffDocument.GetProperty("pages").GetInt32());
        Assert.Equal(2, tiffDocument.GetProperty("ocrPages").GetInt32());
        await AssertFoundAsync("lentil soup rainy Wednesdays canteen", png, page: 1, "lentil soup on rainy Wednesdays");
        await AssertFoundAsync("greenhouse tomatoes watered before sunrise", tiff, page: 1, "tomatoes are watered before sunrise");
        await AssertFoundAsync("orchid cuttings insulated crates Rotterdam", tiff, page: 2, "insulated crates to Rotterdam");
    }

    [Fact]
    public async Task A_JPEG_scanned_at_90_degrees_and_a_German_scan_read_with_eng_plus_deu_are_found_by_their_words()
    {
        const string rotated = "ocr/sideways-fax.jpg";
        const string german = "ocr/revision-de.pdf";
        var upright = ScanImages.Png(["Forklift drivers renew their licence every third autumn."]);
        await Stack.PutAsync(rotated, ScanImages.Convert(upright, "png", "jpg", "-rotate", "90"), "image/jpeg");
        await Stack.PutAsync(german, ScanImages.Pdf(ScanImages.ScannedPage(ScanImages.Png(OcrTestPages.German))), "application/pdf");

        Assert.Equal(1, (await IndexedAsync(rotated)).GetProperty("ocrPages").GetInt32());
        Assert.Equal(1, (await IndexedAsync(german)).GetProperty("ocrPages").GetInt32());

        await AssertFoundAsync("forklift drivers renew licence third autumn", rotated, page: 1, "renew their licence every third autumn");
        await AssertFoundAsync("Prüfung der Jahresabschlüsse Revisionsabteilung", german, page: 1, "Prüfung der Jahresabschlüsse");
        await AssertFoundAsync("Größere Überweisungen Vorstand genehmigt", german, page: 1, "Größere Überweisungen müssen vom Vorstand genehmigt werden.");
    }

    [Fact]
    public async Task A_page_of_huge_dimensions_fails_alone_with_its_reason_and_the_next_document_indexes()
    {
        // A PNG whose header claims 100,000 × 100,000 pixels (10 billion: ~10 GB unpacked), refused from the header.
        const string bomb = "ocr/pixel-bomb.png";
        var png = ScanImages.Png(["tiny"]);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), 100_000);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), 100_000);
        // A PDF whose second page is 200 inches square: 1.6 billion pixels at 200 dpi, refused before rendering.
        const string giant = "ocr/giant-page.pdf";
        const double twoHundredInches = 200 * 72;
        await Stack.PutAsync(bomb, png, "image/png");
        await Stack.PutAsync(giant, ScanImages.Pdf(
            ScanImages.ScannedPage(ScanImages.Png(["Lighthouse lamps are polished on the first of each month."])),
            ScanImages.ScannedPage(ScanImages.Png(["tiny"]), twoHundredInches, twoHundredInches)), "application/pdf");

        var bombDocument = await IndexedAsync(bomb);
        var giantDocument = await IndexedAsync(giant);

        Assert.Equal([1], bombDocument.GetProperty("ocrFailedPages").EnumerateArray().Select(p => p.GetInt32()));
        Assert.Equal(0, bombDocument.GetProperty("ocrPages").GetInt32());
        Assert.Equal(0, bombDocument.GetProperty("chunks").GetInt32());
        Assert.Contains("100,000 × 100,000 pixels", await FailureReasonAsync(bomb, page: 1));

        Assert.Equal([2], giantDocument.GetProperty("ocrFailedPages").EnumerateArray().Select(p => p.GetInt32()));
        Assert.Equal(1, giantDocument.GetProperty("ocrPages").GetInt32());
        Assert.Contains("200 × 200 inches", await FailureReasonAsync(giant, page: 2));
        await AssertFoundAsync("lighthouse lamps polished first of each month", giant, page: 1, "Lighthouse lamps are polished");
    }

    /// <summary>
    /// A page of <paramref name="top"/> and <paramref name="bottom"/> lines around 24 of filler: long enough to fill
    /// chunks of its own (short pages share one chunk, cited at its first page).
    /// </summary>
    private static string[] FullPage(string[] top, string[] bottom) =>
        [.. top, .. Enumerable.Range(1, 24).Select(n => $"Routine paragraph {n} restates the general housekeeping rules once more."), .. bottom];

    private async Task<JsonElement> IndexedAsync(string key) => (await Stack.WaitForStatusAsync(key, "indexed", Indexing))!.Value;

    private Task<string> FailureReasonAsync(string key, int page) => Stack.Database.ScalarAsync<string>(
        "SELECT o.reason FROM document_ocr_pages o JOIN documents d ON d.id = o.document_id " +
        "WHERE d.bucket = $1 AND d.key = $2 AND o.page = $3 AND o.state = 'failed'", LodeStack.Bucket, key, page);

    /// <summary>The best search hit for <paramref name="query"/> is <paramref name="key"/>'s OCR text on <paramref name="page"/>, with <paramref name="text"/> in it.</summary>
    private async Task AssertFoundAsync(string query, string key, int page, string text)
    {
        var hit = await TopHitAsync(query);
        Assert.Equal(key, hit.GetProperty("key").GetString());
        Assert.Equal(page, hit.GetProperty("page").GetInt32());
        Assert.True(hit.GetProperty("ocr").GetBoolean());
        Assert.Contains(text, hit.GetProperty("text").GetString());
    }

    private async Task<JsonElement> TopHitAsync(string query)
    {
        using var response = await Stack.Api.PostAsJsonAsync("api/search", new { query, top = 5 });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results")[0];
    }
}
