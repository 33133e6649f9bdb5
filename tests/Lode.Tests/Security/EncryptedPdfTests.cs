using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Lode.Tests.Support;

namespace Lode.Tests.Security;

/// <summary>
/// PDFs the bomb guard must read as PdfPig does, through the real store, sandboxed worker and database: encrypted with
/// an empty user password (PdfPig decrypts those without asking) and streams behind two Flate filters.
/// </summary>
public sealed class EncryptedPdfTests
{
    [Fact]
    public async Task Encrypted_and_double_flate_bombs_fail_as_too_large_while_an_encrypted_ordinary_pdf_is_indexed_with_its_text()
    {
        await using var stack = await LodeStack.StartAsync(null, null, $"--Ingestion:MaxDecompressedBytes={8 << 20}");
        var spaces = Encoding.ASCII.GetBytes("%" + new string(' ', 64 << 20) + "\n");

        await stack.PutAsync("bombs/encrypted.pdf", TestPdf.Build(1, spaces, encryption: new TestPdfEncryption("")), "application/pdf");
        await stack.PutAsync("bombs/double-flate.pdf", TestPdf.Build(1, spaces, flateStages: 2), "application/pdf");
        await stack.PutAsync("locked.pdf",
            TestPdf.Build(1, TestPdf.TextContent(["Vault combination"]), encryption: new TestPdfEncryption("secret")), "application/pdf");
        await stack.PutAsync("encrypted.pdf",
            TestPdf.Build(1, TestPdf.TextContent(["The night ferry sails at eleven from pier nine"]), encryption: new TestPdfEncryption("")),
            "application/pdf");

        await HostileDocumentsTests.AssertFailed(stack, "bombs/encrypted.pdf", "TooLarge", "Ingestion:MaxDecompressedBytes");
        await HostileDocumentsTests.AssertFailed(stack, "bombs/double-flate.pdf", "TooLarge", "Ingestion:MaxDecompressedBytes");
        await HostileDocumentsTests.AssertFailed(stack, "locked.pdf", "Encrypted", "password-protected");
        var ordinary = await stack.WaitForStatusAsync("encrypted.pdf", "indexed");
        Assert.True(ordinary!.Value.GetProperty("chunks").GetInt32() > 0);

        using var response = await stack.Api.PostAsJsonAsync("api/search", new { query = "night ferry pier nine", top = 5, mode = "text" });
        response.EnsureSuccessStatusCode();
        var results = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("results").EnumerateArray().ToList();
        Assert.Contains(results, r => r.GetProperty("key").GetString() == "encrypted.pdf"
                                      && r.GetProperty("text").GetString()!.Contains("night ferry sails at eleven"));
    }
}
