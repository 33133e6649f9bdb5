using System.Text;
using Lode.Ingestion.Extraction;

namespace Lode.Tests.Extraction;

public sealed class PlainTextExtractorTests
{
    private readonly PlainTextExtractor _extractor = new();

    [Fact]
    public void Reads_utf16_little_endian_with_its_bom()
    {
        var text = TestFiles.SingleText(TestFiles.Extract(_extractor, "utf16le-bom.txt"));

        Assert.Equal("Grüße aus Köln — UTF-16 text\nsecond line with ümlaut", text);
    }

    [Fact]
    public void Reads_utf16_big_endian_with_its_bom()
    {
        var text = TestFiles.SingleText(TestFiles.Extract(_extractor, "utf16be-bom.txt"));

        Assert.Equal("Zürich first line\nsecond line", text);
    }

    [Fact]
    public void Strips_the_utf8_bom_and_normalises_line_ends()
    {
        var text = TestFiles.SingleText(TestFiles.Extract(_extractor, "utf8-bom.txt"));

        Assert.Equal("BOM first word\nPlain UTF-8 ñandú", text);
    }

    [Fact]
    public void Replaces_invalid_utf8_bytes_instead_of_rejecting_the_file()
    {
        var text = TestFiles.SingleText(TestFiles.Extract(_extractor, "invalid-utf8.txt"));

        Assert.StartsWith("valid start \uFFFD", text);
        Assert.EndsWith("broken bytes then café end", text);
    }

    [Fact]
    public void Collapses_runs_of_spaces_and_blank_lines()
    {
        var bytes = Encoding.UTF8.GetBytes("a   b\t\tc  \n\n\n\n  d\u00A0e\u200Bf\0g");

        var text = TestFiles.SingleText(TestFiles.Extract(_extractor, bytes));

        Assert.Equal("a b\tc\n\nd efg", text);
    }

    [Fact]
    public void Rejects_more_text_than_the_limit()
    {
        var limits = ExtractionLimits.Default with { MaxTextChars = 10 };

        var reason = TestFiles.RejectionOf(() => TestFiles.Extract(_extractor, "utf8-bom.txt", limits));

        Assert.Equal(RejectionReason.TooLarge, reason);
    }

    [Fact]
    public void An_empty_file_is_one_empty_page()
    {
        Assert.Equal("", TestFiles.SingleText(TestFiles.Extract(_extractor, Array.Empty<byte>())));
    }
}
