using System.Text;
using System.Text.Json;
using Lode.Tests.Extraction;
using Lode.Tests.Support;

namespace Lode.Tests.Security;

/// <summary>
/// Documents built to exhaust the worker — a PDF page bomb, a Flate bomb, a DOCX zip bomb, an object over the size
/// limit, a PDF that takes too long — each end <c>failed</c> with the limit they hit, through the real store and
/// worker, while an ordinary document uploaded with them is indexed.
/// </summary>
public sealed class HostileDocumentsTests
{
    [Fact]
    public async Task Each_bomb_fails_with_the_limit_it_hit_and_the_ordinary_document_is_indexed()
    {
        await using var stack = await LodeStack.StartAsync(null, null,
            "--Ingestion:MaxPages=500",
            $"--Ingestion:MaxDecompressedBytes={8 << 20}",
            $"--Storage:MaxObjectBytes={2 << 20}",
            // The sandbox enforces time strictly, start to answer: a one-second wall clock on two shared cores would
            // also cut off the page bomb before it is counted. CPU time does not depend on the machine's load.
            "--Ingestion:ExtractionTimeoutSeconds=120",
            "--Ingestion:Sandbox:CpuSeconds=2");

        // 10,000 pages sharing one content stream: about 1.5 MB on disk.
        await stack.PutAsync("bombs/pages.pdf", TestPdf.Build(10_000, TestPdf.TextContent(["page"])), "application/pdf");
        // 64 MiB of spaces compressed to well under 100 KB.
        await stack.PutAsync("bombs/flate.pdf", TestPdf.Build(1, Encoding.ASCII.GetBytes("%" + new string(' ', 64 << 20) + "\n")), "application/pdf");
        await stack.PutAsync("bombs/zip.docx",
            DocxTextExtractorTests.WithExtraEntry(File.ReadAllBytes(TestFiles.PathOf("report.docx")), "word/media/zeros.bin", 64 << 20),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
        await stack.PutAsync("bombs/huge.txt", Encoding.UTF8.GetBytes(new string('a', 3 << 20)), "text/plain");
        // 450 pages (under the page limit) of 600 lines each: far more than two CPU seconds of layout analysis.
        var denseLines = Enumerable.Range(0, 600).Select(i => $"Line {i} of a page that is expensive to lay out, word after word.");
        await stack.PutAsync("bombs/slow.pdf", TestPdf.Build(450, TestPdf.TextContent(denseLines)), "application/pdf");
        await stack.PutAsync("ordinary.md", Encoding.UTF8.GetBytes("# Ferry timetable\n\nThe first ferry leaves at seven."), "text/markdown");

        await AssertFailed(stack, "bombs/pages.pdf", "TooManyPages", "10,000 pages");
        await AssertFailed(stack, "bombs/flate.pdf", "TooLarge", "Ingestion:MaxDecompressedBytes");
        await AssertFailed(stack, "bombs/zip.docx", "TooLarge", "inflates to more than");
        await AssertFailed(stack, "bombs/huge.txt", "TooLarge", "");
        await AssertFailed(stack, "bombs/slow.pdf", "TimedOut", "exceeded 2 CPU seconds");
        var ordinary = await stack.WaitForStatusAsync("ordinary.md", "indexed");
        Assert.True(ordinary!.Value.GetProperty("chunks").GetInt32() > 0);
    }

    /// <summary>The document ends `failed` after one attempt, with the reason and detail given, and no chunks.</summary>
    internal static async Task AssertFailed(LodeStack stack, string key, string reason, string detail)
    {
        var document = await stack.WaitForDocumentAsync(key, d => d?.GetProperty("status").GetString() is "failed" or "indexed");
        var shown = document!.Value;
        Assert.True(shown.GetProperty("status").GetString() == "failed", $"{key}: {shown}");
        var error = shown.GetProperty("error").GetString()!;
        Assert.StartsWith(reason + ":", error);
        Assert.Contains(detail, error);
        // Limits are permanent: one attempt, no retries that would hit the same wall.
        Assert.Equal(1, shown.GetProperty("attempts").GetInt32());
        Assert.Equal(JsonValueKind.Number, shown.GetProperty("chunks").ValueKind);
        Assert.Equal(0, shown.GetProperty("chunks").GetInt32());
    }
}
