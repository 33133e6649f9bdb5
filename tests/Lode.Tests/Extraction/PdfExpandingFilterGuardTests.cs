using System.Text;
using Lode.Ingestion.Extraction;
using Lode.Tests.Support;
using UglyToad.PdfPig.Filters;
using UglyToad.PdfPig.Tokens;

namespace Lode.Tests.Extraction;

/// <summary>
/// LZW and RunLength streams expand as Flate ones do (LZW ~2,500 times, RunLength 64), and PdfPig decodes both into
/// memory: the inflation guard counts them too, by walking their codes without producing the output.
/// </summary>
public sealed class PdfExpandingFilterGuardTests
{
    private static readonly ExtractionLimits SmallInflation = ExtractionLimits.Default with { MaxDecompressedBytes = 4 << 20 };

    // 16 MiB of comment bytes (a valid content stream that draws nothing): four times the limit.
    private static readonly byte[] Blank = Encoding.ASCII.GetBytes("%" + new string(' ', 16 << 20) + "\n");

    [Theory]
    [InlineData(TestPdfCodec.Lzw, 64 << 10)]
    [InlineData(TestPdfCodec.RunLength, 512 << 10)]
    public void A_bomb_is_refused_as_too_large(TestPdfCodec codec, int largestOnDisk)
    {
        var bomb = TestPdf.Build(1, Blank, codec: codec);
        Assert.True(bomb.Length < largestOnDisk, $"the bomb should be small on disk, was {bomb.Length:N0} bytes");
        // The raw-bytes pass reads every stream as Flate and finds nothing to count here.
        PdfInflationGuard.Check(new MemoryStream(bomb), SmallInflation, default);

        var error = Assert.Throws<RejectedDocumentException>(() =>
            new PdfTextExtractor().Extract(new MemoryStream(bomb), SmallInflation, default));

        Assert.Equal(RejectionReason.TooLarge, error.Reason);
        Assert.Contains("Ingestion:MaxDecompressedBytes", error.Message);
    }

    [Theory]
    [InlineData(TestPdfCodec.Lzw)]
    [InlineData(TestPdfCodec.RunLength)]
    public void An_ordinary_stream_is_read_with_its_text(TestPdfCodec codec)
    {
        var pdf = TestPdf.Build(1, TestPdf.TextContent(["Harbour opening hours", "Pier 4 closes at six"]), codec: codec);

        var text = new PdfTextExtractor().Extract(new MemoryStream(pdf), SmallInflation, default);

        Assert.Contains("Pier 4 closes at six", text.Pages[0].Text);
    }

    [Fact]
    public void A_stream_just_within_the_limit_passes_and_just_over_it_is_refused()
    {
        // The count is exact, not an estimate: the same file passes or fails on one byte of limit.
        var content = Encoding.ASCII.GetBytes("%" + new string(' ', 1 << 20) + "\n");
        var pdf = TestPdf.Build(1, content, codec: TestPdfCodec.Lzw);

        using (PdfInflationGuard.Open(new MemoryStream(pdf), ExtractionLimits.Default with { MaxDecompressedBytes = content.Length + 64 }, new(), default)) { }
        Assert.Throws<RejectedDocumentException>(() =>
            PdfInflationGuard.Open(new MemoryStream(pdf), ExtractionLimits.Default with { MaxDecompressedBytes = content.Length - 1 }, new(), default).Dispose());
    }

    /// <summary>Inputs that cross every code-width boundary, fill the table (clear codes) and repeat.</summary>
    public static TheoryData<string> Samples() => new()
    {
        "",
        "a",
        "abababababababababab",
        string.Concat(Enumerable.Range(0, 5000).Select(i => (char)('a' + i * 7919 % 26))),
        string.Concat(Enumerable.Range(0, 40_000).Select(i => (char)(32 + i * 2654435761L % 95))),
        new string('x', 100_000),
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void The_counts_equal_what_PdfPigs_own_filters_produce(string sample)
    {
        var data = Encoding.ASCII.GetBytes(sample);
        var none = new DictionaryToken(new Dictionary<NameToken, IToken>());

        var lzw = TestPdfCodecs.Lzw(data);
        Assert.Equal(new LzwFilter().Decode(lzw, none, DefaultFilterProvider.Instance, 0).Length, ExpansionCounter.LzwLength(lzw, earlyChange: true, long.MaxValue));
        var runLength = TestPdfCodecs.RunLength(data);
        Assert.Equal(new RunLengthFilter().Decode(runLength, none, DefaultFilterProvider.Instance, 0).Length, ExpansionCounter.RunLengthLength(runLength, long.MaxValue));
        Assert.Equal(data.Length, ExpansionCounter.RunLengthLength(runLength, long.MaxValue));
    }
}
