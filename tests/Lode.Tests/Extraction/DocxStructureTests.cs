using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using Lode.Ingestion.Extraction;

namespace Lode.Tests.Extraction;

/// <summary>Word constructs that pandoc does not write, built here with the Open XML SDK itself.</summary>
public sealed class DocxStructureTests
{
    [Fact]
    public void Page_break_before_and_section_breaks_start_pages_but_continuous_sections_do_not()
    {
        var document = Extract(
            Para("one"),
            Para("two", new ParagraphProperties(new PageBreakBefore())),
            Para("three", new ParagraphProperties(new SectionProperties(new SectionType { Val = SectionMarkValues.Continuous }))),
            Para("four", new ParagraphProperties(new SectionProperties())),
            Para("five"));

        Assert.Equal(["one", "two\n\nthree\n\nfour", "five"], document.Pages.Select(p => p.Text));
    }

    [Fact]
    public void Reads_content_controls_and_insertions_but_not_deletions()
    {
        var tracked = new Paragraph(
            new Run(new Text("kept ") { Space = SpaceProcessingModeValues.Preserve }),
            new DeletedRun(new Run(new DeletedText("REMOVED"))),
            new InsertedRun(new Run(new Text("inserted"))));
        var control = new SdtBlock(new SdtContentBlock(Para("inside a content control")));

        var text = TestFiles.SingleText(Extract(tracked, control));

        Assert.Equal("kept inserted\n\ninside a content control", text);
    }

    [Fact]
    public void A_nested_table_stays_inside_its_cell()
    {
        var inner = new Table(new TableRow(Cell("inner a"), Cell("inner b")));
        var outer = new Table(
            new TableRow(Cell("left"), new TableCell(inner, Para("after inner"))),
            new TableRow(Cell("x"), Cell("y")));

        var text = TestFiles.SingleText(Extract(outer));

        Assert.Equal("left\tinner a inner b after inner\nx\ty", text);
    }

    [Fact]
    public void Tabs_and_line_breaks_inside_a_paragraph_are_kept()
    {
        var paragraph = new Paragraph(new Run(new Text("Name"), new TabChar(), new Text("Value"), new Break(), new Text("next line")));

        Assert.Equal("Name\tValue\nnext line", TestFiles.SingleText(Extract(paragraph)));
    }

    private static Paragraph Para(string text, ParagraphProperties? properties = null)
    {
        var paragraph = new Paragraph(new Run(new Text(text)));
        if (properties is not null)
        {
            paragraph.PrependChild(properties);
        }

        return paragraph;
    }

    private static TableCell Cell(string text) => new(Para(text));

    private static ExtractedDocument Extract(params OpenXmlElement[] bodyContent)
    {
        using var buffer = new MemoryStream();
        using (var word = WordprocessingDocument.Create(buffer, WordprocessingDocumentType.Document))
        {
            word.AddMainDocumentPart().Document = new Document(new Body(bodyContent));
        }

        return TestFiles.Extract(new DocxTextExtractor(), buffer.ToArray());
    }
}
