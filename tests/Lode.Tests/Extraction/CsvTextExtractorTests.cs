using Lode.Ingestion.Extraction;

namespace Lode.Tests.Extraction;

public sealed class CsvTextExtractorTests
{
    private readonly CsvTextExtractor _extractor = new();

    [Fact]
    public void Writes_one_line_per_record_even_when_a_quoted_field_spans_lines()
    {
        var text = TestFiles.SingleText(TestFiles.Extract(_extractor, "quoted-newline.csv"));

        Assert.Equal(
            "Name\tCity\tNotes\n" +
            "Smith, Jane\tOslo\tLine one line two\n" +
            "Brown\tBer\"gen\tplain\n" +
            "Lee\tTromsø\tsaid \"hello\"",
            text);
    }

    [Fact]
    public void Detects_a_semicolon_delimiter()
    {
        var text = TestFiles.SingleText(TestFiles.Extract(_extractor, "semicolon.csv"));

        Assert.Equal("Produkt\tPreis\tBeschreibung\nKäse\t4,50\tAlter Gouda; sehr würzig\nBrot\t2,10\tRoggen", text);
    }

    [Fact]
    public void Keeps_the_text_of_an_unterminated_quote()
    {
        var text = TestFiles.SingleText(TestFiles.Extract(_extractor, "a,\"b never closes\nc"u8.ToArray()));

        Assert.Equal("a\tb never closes c", text);
    }
}
