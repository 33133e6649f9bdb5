using Lode.Ingestion.Extraction;

namespace Lode.Tests.Extraction;

public sealed class HtmlTextExtractorTests
{
    private readonly HtmlTextExtractor _extractor = new();

    private string Harbour => TestFiles.SingleText(TestFiles.Extract(_extractor, "harbour.html"));

    [Fact]
    public void Starts_with_the_title_then_the_body()
    {
        Assert.StartsWith("Harbour Opening Hours\n\nHarbour Office\n\nThe office opens", Harbour);
    }

    [Theory]
    [InlineData("SCRIPTMARKER")]
    [InlineData("INLINESCRIPTMARKER")]
    [InlineData("hidden-style-marker")]
    [InlineData("NOSCRIPTMARKER")]
    [InlineData("TEMPLATEMARKER")]
    [InlineData("HIDDENMARKER")]
    [InlineData("font-family")]
    public void Leaves_out_scripts_styles_and_invisible_elements(string marker)
    {
        Assert.DoesNotContain(marker, Harbour);
    }

    [Fact]
    public void Collapses_whitespace_and_decodes_entities()
    {
        Assert.Contains(
            "The office opens at nine o'clock and closes at five. Fees & charges apply — see below.", Harbour);
        Assert.Contains("Café crème, naïve façade.", Harbour);
    }

    [Fact]
    public void Turns_blocks_list_items_rows_and_breaks_into_line_structure()
    {
        Assert.Contains("First block\n\nSecond block", Harbour);
        Assert.Contains("Ferry tickets\nMooring permits", Harbour);
        Assert.Contains("Day\tHours\nMonday\t9–17", Harbour);
        Assert.Contains("Line one\nLine two", Harbour);
        Assert.Contains("code keeps spacing\nsecond line", Harbour);
        Assert.Contains("Lighthouse at dusk", Harbour);
    }

    [Fact]
    public void Honours_a_meta_charset()
    {
        var text = TestFiles.SingleText(TestFiles.Extract(_extractor, "windows-1252.html"));

        Assert.Equal("Latin\n\nCrème brûlée", text);
    }

    [Fact]
    public void Reads_utf8_without_a_charset_declaration()
    {
        var text = TestFiles.SingleText(TestFiles.Extract(_extractor, "<p>Smørrebrød på Nørrebro</p>"u8.ToArray()));

        Assert.Equal("Smørrebrød på Nørrebro", text);
    }

    [Fact]
    public void Rejects_more_text_than_the_limit()
    {
        var limits = ExtractionLimits.Default with { MaxTextChars = 50 };

        Assert.Equal(RejectionReason.TooLarge, TestFiles.RejectionOf(() => TestFiles.Extract(_extractor, "harbour.html", limits)));
    }
}
