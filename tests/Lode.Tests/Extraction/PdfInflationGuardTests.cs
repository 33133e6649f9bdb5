using System.Text;
using Lode.Ingestion.Extraction;
using Lode.Tests.Support;
using UglyToad.PdfPig;

namespace Lode.Tests.Extraction;

/// <summary>A PDF whose compressed streams would unpack to more than the limit is refused before PdfPig inflates them.</summary>
public sealed class PdfInflationGuardTests
{
    private static readonly ExtractionLimits SmallInflation = ExtractionLimits.Default with { MaxDecompressedBytes = 4 << 20 };

    // 32 MiB of comment bytes (a valid content stream that draws nothing) compressed to a few tens of kilobytes.
    private static readonly byte[] Bomb = TestPdf.Build(1, Encoding.ASCII.GetBytes("%" + new string(' ', 32 << 20) + "\n"));

    [Fact]
    public void A_flate_bomb_is_rejected_as_too_large_by_the_extractor()
    {
        Assert.True(Bomb.Length < 256 << 10, $"the bomb should be small on disk, was {Bomb.Length:N0} bytes");

        var error = Assert.Throws<RejectedDocumentException>(() =>
            new PdfTextExtractor().Extract(new MemoryStream(Bomb), SmallInflation, default));

        Assert.Equal(RejectionReason.TooLarge, error.Reason);
        Assert.Contains("Ingestion:MaxDecompressedBytes", error.Message);
    }

    [Fact]
    public void A_flate_bomb_behind_a_broken_zlib_header_is_counted_as_PdfPig_inflates_it()
    {
        // PdfPig skips the two header bytes unread and inflates the rest as raw deflate: a strict zlib reader sees
        // garbage and counted nothing, while PdfPig unpacked all 32 MiB.
        var bomb = TestPdf.Build(1, Encoding.ASCII.GetBytes("%" + new string(' ', 32 << 20) + "\n"), brokenZlibHeader: true);

        var error = Assert.Throws<RejectedDocumentException>(() =>
            new PdfTextExtractor().Extract(new MemoryStream(bomb), SmallInflation, default));

        Assert.Equal(RejectionReason.TooLarge, error.Reason);
    }

    [Fact]
    public void A_stream_behind_a_broken_zlib_header_is_still_read_by_PdfPig()
    {
        // The premise of the test above: the broken header does not stop PdfPig from reading the content.
        var pdf = TestPdf.Build(1, TestPdf.TextContent(["Harbour opening hours"]), brokenZlibHeader: true);

        var text = new PdfTextExtractor().Extract(new MemoryStream(pdf), SmallInflation, default);

        Assert.Contains("Harbour opening hours", text.Pages[0].Text);
    }

    [Fact]
    public void A_flate_bomb_in_a_PDF_encrypted_with_an_empty_user_password_is_refused_before_any_page_is_read()
    {
        // PdfPig opens such a file without asking and inflates the decrypted stream; the raw bytes are ciphertext,
        // which a byte scan cannot inflate. Open refuses it: no page has been parsed, so nothing was inflated.
        var bomb = TestPdf.Build(1, Encoding.ASCII.GetBytes("%" + new string(' ', 32 << 20) + "\n"), encryption: new TestPdfEncryption(""));
        // The raw-bytes pass, all the guard was before, sees ciphertext and lets the bomb through.
        PdfInflationGuard.Check(new MemoryStream(bomb), SmallInflation, default);

        var error = Assert.Throws<RejectedDocumentException>(() =>
            PdfInflationGuard.Open(new MemoryStream(bomb), SmallInflation, new ParsingOptions(), default).Dispose());

        Assert.Equal(RejectionReason.TooLarge, error.Reason);
        Assert.Equal(Assert.Throws<RejectedDocumentException>(() =>
            new PdfTextExtractor().Extract(new MemoryStream(Bomb), SmallInflation, default)).Message, error.Message);
    }

    [Fact]
    public void A_PDF_encrypted_with_an_empty_user_password_is_read_with_its_text()
    {
        var pdf = TestPdf.Build(1, TestPdf.TextContent(["Harbour opening hours"]), encryption: new TestPdfEncryption(""));
        using (var opened = PdfDocument.Open(pdf)) Assert.True(opened.IsEncrypted);

        var text = new PdfTextExtractor().Extract(new MemoryStream(pdf), SmallInflation, default);

        Assert.Contains("Harbour opening hours", text.Pages[0].Text);
    }

    [Fact]
    public void A_PDF_that_needs_a_user_password_is_refused_as_encrypted()
    {
        var pdf = TestPdf.Build(1, TestPdf.TextContent(["Harbour opening hours"]), encryption: new TestPdfEncryption("secret"));

        var error = Assert.Throws<RejectedDocumentException>(() => new PdfTextExtractor().Extract(new MemoryStream(pdf), SmallInflation, default));

        Assert.Equal(RejectionReason.Encrypted, error.Reason);
    }

    [Fact]
    public void A_double_flate_bomb_is_refused_by_counting_the_second_stage()
    {
        // /Filter [/FlateDecode /FlateDecode]: the first stage unpacks to a few kilobytes, the second to 32 MiB.
        var bomb = TestPdf.Build(1, Encoding.ASCII.GetBytes("%" + new string(' ', 32 << 20) + "\n"), flateStages: 2);
        Assert.True(bomb.Length < 8 << 10, $"the bomb should be tiny on disk, was {bomb.Length:N0} bytes");
        // The raw-bytes pass, all the guard was before, counts the first stage only and lets the bomb through.
        PdfInflationGuard.Check(new MemoryStream(bomb), SmallInflation, default);

        var error = Assert.Throws<RejectedDocumentException>(() =>
            new PdfTextExtractor().Extract(new MemoryStream(bomb), SmallInflation, default));

        Assert.Equal(RejectionReason.TooLarge, error.Reason);
        Assert.Contains("Ingestion:MaxDecompressedBytes", error.Message);
    }

    [Fact]
    public void A_double_flate_stream_within_the_limit_is_read()
    {
        var pdf = TestPdf.Build(1, TestPdf.TextContent(["Pier 4 closes at six"]), flateStages: 2);

        var text = new PdfTextExtractor().Extract(new MemoryStream(pdf), SmallInflation, default);

        Assert.Contains("Pier 4 closes at six", text.Pages[0].Text);
    }

    [Fact]
    public void Streams_within_the_limit_pass_and_the_position_is_restored()
    {
        // One page: lines repeated on every page of a longer document would be dropped as running headers.
        using var pdf = new MemoryStream(TestPdf.Build(1, TestPdf.TextContent(["Harbour opening hours", "Pier 4 closes at six"])));

        PdfInflationGuard.Check(pdf, SmallInflation, default);

        Assert.Equal(0, pdf.Position);
        var text = new PdfTextExtractor().Extract(pdf, SmallInflation, default);
        Assert.Single(text.Pages);
        Assert.Contains("Pier 4 closes at six", text.Pages[0].Text);
    }

    // The guard scans in 64 KiB buffers: a "stream" keyword split across two buffers must be found, and found once.
    // Each case pads the file so the keyword starts that many bytes before the first buffer's end.
    [Theory]
    [InlineData(14)]
    [InlineData(10)]
    [InlineData(8)]
    [InlineData(6)]
    [InlineData(3)]
    [InlineData(1)]
    public void A_stream_keyword_across_a_buffer_boundary_is_counted_exactly_once(int bytesBeforeBoundary)
    {
        var content = Encoding.ASCII.GetBytes("%" + new string(' ', 3 << 20) + "\n");
        var unpadded = TestPdf.Build(1, content, padding: 1);
        var keywordAt = Encoding.ASCII.GetString(unpadded).IndexOf(">>\nstream\n", StringComparison.Ordinal) + 3;
        var pdf = TestPdf.Build(1, content, padding: 1 + (1 << 16) - bytesBeforeBoundary - keywordAt);
        Assert.Equal((1 << 16) - bytesBeforeBoundary, Encoding.ASCII.GetString(pdf).IndexOf(">>\nstream\n", StringComparison.Ordinal) + 3);

        // Missing the stream would pass the first check; counting it twice would fail the second.
        Assert.Throws<RejectedDocumentException>(() =>
            PdfInflationGuard.Check(new MemoryStream(pdf), ExtractionLimits.Default with { MaxDecompressedBytes = content.Length - 1 }, default));
        PdfInflationGuard.Check(new MemoryStream(pdf), ExtractionLimits.Default with { MaxDecompressedBytes = content.Length + 16 }, default);
    }

    [Fact]
    public void The_real_test_pdfs_pass_with_the_default_limits()
    {
        foreach (var name in new[] { "handbook-12pages.pdf", "manual-4pages.pdf" })
        {
            using var pdf = TestFiles.Open(name);
            PdfInflationGuard.Check(pdf, ExtractionLimits.Default, default);
        }
    }
}
