using System.IO.Compression;
using Lode.Ingestion.Extraction;

namespace Lode.Tests.Extraction;

public sealed class DocxTextExtractorTests
{
    private readonly DocxTextExtractor _extractor = new();

    [Fact]
    public void Assigns_pages_from_explicit_and_rendered_page_breaks()
    {
        var document = TestFiles.Extract(_extractor, "report.docx");

        Assert.Equal([1, 2, 3], document.Pages.Select(p => p.Number));
        Assert.Contains("alpaca", document.Pages[0].Text);
        Assert.EndsWith("Before the break:", document.Pages[0].Text);
        Assert.StartsWith("After an explicit page break comes the word bobcat.", document.Pages[1].Text);

        // The lastRenderedPageBreak right after the explicit break must not open a page of its own...
        Assert.Contains("buffalo", document.Pages[1].Text);
        Assert.EndsWith("the next page: chamois", document.Pages[1].Text);

        // ...but one in the middle of flowing text does.
        Assert.StartsWith("continues with cheetah.", document.Pages[2].Text);
        Assert.Contains("chinchilla", document.Pages[2].Text);
    }

    [Fact]
    public void Keeps_body_order_with_tables_as_tab_separated_rows()
    {
        var page = TestFiles.Extract(_extractor, "report.docx").Pages[0].Text;

        Assert.Equal(
            "Quarterly Report\n\n" +
            "The first page mentions the word alpaca and the phrase “net revenue”.\n\n" +
            "Region\tOwner\tBudget\nNorth\tIngrid Olsen\t1200\nSouth\tRafael Duarte\t3400\n\n" +
            "Before the break:",
            page);
    }

    [Fact]
    public void Rejects_a_package_that_inflates_past_the_limit_before_opening_it()
    {
        // A real DOCX plus one highly compressible 4 MB entry: a few KB on disk, far more once inflated.
        var bytes = WithExtraEntry(File.ReadAllBytes(TestFiles.PathOf("report.docx")), "word/media/zeros.bin", 4 << 20);
        Assert.True(bytes.Length < 64 * 1024);
        var limits = ExtractionLimits.Default with { MaxDecompressedBytes = 1 << 20 };

        var reason = TestFiles.RejectionOf(() => TestFiles.Extract(_extractor, bytes, limits));

        Assert.Equal(RejectionReason.TooLarge, reason);
    }

    [Fact]
    public void Reads_the_same_package_when_it_fits_the_limit()
    {
        var bytes = WithExtraEntry(File.ReadAllBytes(TestFiles.PathOf("report.docx")), "word/media/zeros.bin", 4 << 20);

        var document = TestFiles.Extract(_extractor, bytes);

        Assert.Contains("alpaca", document.Pages[0].Text);
    }

    [Fact]
    public void Rejects_a_file_that_is_not_a_zip_as_corrupt()
    {
        var reason = TestFiles.RejectionOf(() => TestFiles.Extract(_extractor, "harbour.html"));

        Assert.Equal(RejectionReason.Corrupt, reason);
    }

    [Fact]
    public void Rejects_a_truncated_package_as_corrupt()
    {
        var bytes = File.ReadAllBytes(TestFiles.PathOf("report.docx"))[..4000];

        Assert.Equal(RejectionReason.Corrupt, TestFiles.RejectionOf(() => TestFiles.Extract(_extractor, bytes)));
    }

    [Fact]
    public void Rejects_a_zip_without_a_word_document_as_corrupt()
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            using var writer = new StreamWriter(zip.CreateEntry("notes.txt").Open());
            writer.Write("not a word document");
        }

        Assert.Equal(RejectionReason.Corrupt, TestFiles.RejectionOf(() => TestFiles.Extract(_extractor, buffer.ToArray())));
    }

    [Fact]
    public void Rejects_a_password_protected_document_as_encrypted()
    {
        // Office wraps an encrypted package in an OLE compound file; its signature is all this check needs.
        byte[] compoundFile = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1, .. new byte[504]];

        Assert.Equal(RejectionReason.Encrypted, TestFiles.RejectionOf(() => TestFiles.Extract(_extractor, compoundFile)));
    }

    [Fact]
    public void Rejects_more_text_than_the_limit()
    {
        var limits = ExtractionLimits.Default with { MaxTextChars = 100 };

        Assert.Equal(RejectionReason.TooLarge, TestFiles.RejectionOf(() => TestFiles.Extract(_extractor, "report.docx", limits)));
    }

    /// <summary>The package with one more entry of <paramref name="zeroBytes"/> zeros: a zip bomb in miniature.</summary>
    internal static byte[] WithExtraEntry(byte[] docx, string name, int zeroBytes)
    {
        using var buffer = new MemoryStream();
        buffer.Write(docx);
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Update, leaveOpen: true))
        {
            using var entry = zip.CreateEntry(name, CompressionLevel.SmallestSize).Open();
            entry.Write(new byte[zeroBytes]);
        }

        return buffer.ToArray();
    }
}
