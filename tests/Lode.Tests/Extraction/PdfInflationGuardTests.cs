using System.Text;
using Lode.Ingestion.Extraction;
using Lode.Tests.Support;

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
