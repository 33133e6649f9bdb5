using Lode.Ingestion.Extraction;

namespace Lode.Tests.Extraction;

public sealed class MarkdownTextExtractorTests
{
    private readonly string _text = TestFiles.SingleText(TestFiles.Extract(new MarkdownTextExtractor(), "field-guide.md"));

    [Fact]
    public void Keeps_headings_and_paragraphs_separated_by_blank_lines()
    {
        Assert.Contains(
            "Wetland Birds\n\nHerons wade through the shallow water and spear fish. See the heron society for more.\n\nChecklist",
            _text);
    }

    [Fact]
    public void Keeps_link_text_and_drops_markup_and_link_targets()
    {
        Assert.DoesNotContain("example.org", _text);
        Assert.DoesNotContain("**", _text);
        Assert.DoesNotContain("# ", _text);
        Assert.DoesNotContain("|", _text);
        Assert.DoesNotContain("```", _text);
    }

    [Fact]
    public void Puts_each_list_item_on_its_own_line()
    {
        Assert.Contains("Grey heron\nLittle egret\nwith yellow feet\nBittern", _text);
        Assert.Contains("Arrive early\nStay quiet", _text);
    }

    [Fact]
    public void Keeps_code_quotes_and_table_cells_as_text()
    {
        Assert.Contains("def count_birds(sightings):\nreturn len(sightings)", _text);
        Assert.Contains("Patience is the birder's first tool.", _text);
        Assert.Contains("Species\tCount\nHeron\t4\nEgret\t7", _text);
        Assert.Contains("Inline code_span and an entity: café & more.", _text);
    }

    [Fact]
    public void Keeps_front_matter_and_words_inside_html_blocks_but_not_comments()
    {
        Assert.StartsWith("title: Field Guide\ntags: [birds, wetlands]", _text);
        Assert.Contains("Centered kingfisher note", _text);
        Assert.DoesNotContain("ZZCOMMENT", _text);
        Assert.DoesNotContain("<div", _text);
    }
}
