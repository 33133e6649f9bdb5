using System.Text;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using Lode.Ingestion.Extraction;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Outline;
using UglyToad.PdfPig.Outline.Destinations;
using UglyToad.PdfPig.Writer;

namespace Lode.Tests.Extraction;

/// <summary>Every format's headings become section starts with the path of headings they sit under, and a title.</summary>
public sealed class HeadingPathTests
{
    /// <summary>Each section start as "path | the line of the page text at its offset" (the heading as shown).</summary>
    private static List<string> Sections(ExtractedDocument document) =>
        document.Sections.Select(s =>
        {
            var text = document.Pages.Single(p => p.Number == s.Page).Text;
            return $"{string.Join(" › ", s.HeadingPath)} | {text[s.Offset..].Split('\n')[0]}";
        }).ToList();

    [Fact]
    public void Markdown_headings_nest_by_level_and_close_when_a_heading_of_their_level_or_higher_comes()
    {
        const string markdown = """
            # Bash Features

            Intro text.

            ## Shell Variables

            Variables text.

            ### Bash Variables

            BASH_VERSION holds the version.

            ## Job Control

            Jobs text.

            Setext Heading
            ==============

            Last text.
            """;

        var document = TestFiles.Extract(new MarkdownTextExtractor(), Encoding.UTF8.GetBytes(markdown));

        Assert.Equal("Bash Features", document.Title);
        Assert.Equal(
        [
            "Bash Features | Bash Features",
            "Bash Features › Shell Variables | Shell Variables",
            "Bash Features › Shell Variables › Bash Variables | Bash Variables",
            "Bash Features › Job Control | Job Control",
            "Setext Heading | Setext Heading",
        ], Sections(document));
    }

    [Fact]
    public void Html_sections_come_from_h1_to_h6_and_the_title_from_the_title_element()
    {
        const string html = """
            <html><head><title>GNU make: Phony Targets</title></head><body>
            <div class="header"><p>Next: <a href="x.html">Force Targets</a>, Previous: <a href="y.html">Directory Search</a></p></div>
            <h2>4 Writing Rules</h2><p>A rule appears in the makefile.</p>
            <h3>4.6 Phony <code>Targets</code></h3><p>A phony target is one that is not really the name of a file.</p>
            <nav><a href="a.html">Home</a></nav>
            <h4>Example</h4><p>clean: rm *.o</p>
            <h3>4.7 Rules without Recipes</h3><p>If a rule has no prerequisites or recipe.</p>
            </body></html>
            """;

        var document = TestFiles.Extract(new HtmlTextExtractor(), Encoding.UTF8.GetBytes(html));

        Assert.Equal("GNU make: Phony Targets", document.Title);
        Assert.Equal(
        [
            "4 Writing Rules | 4 Writing Rules",
            "4 Writing Rules › 4.6 Phony Targets | 4.6 Phony Targets",
            "4 Writing Rules › 4.6 Phony Targets › Example | Example",
            "4 Writing Rules › 4.7 Rules without Recipes | 4.7 Rules without Recipes",
        ], Sections(document));
        var text = TestFiles.SingleText(document);
        Assert.DoesNotContain("Previous:", text); // the generator's link bar is navigation, not content
        Assert.DoesNotContain("Home", text);
        Assert.False(document.Pages[0].IsNavigation);
    }

    [Fact]
    public void An_html_page_that_is_mostly_links_is_navigation()
    {
        var menu = string.Concat(Enumerable.Range(1, 20).Select(i => $"<li><a href=\"n{i}.html\">{i} Chapter number {i}</a></li>"));
        var toc = $"<html><head><title>Top</title></head><body><h1>GNU make</h1><p>This manual.</p><ul>{menu}</ul></body></html>";
        var prose = $"<html><body><h1>Intro</h1><p>{string.Join(" ", Enumerable.Repeat("A sentence that explains something.", 40))}</p>" +
            $"<p>See <a href=\"a.html\">one</a> and <a href=\"b.html\">two</a>.</p></body></html>";

        Assert.True(TestFiles.Extract(new HtmlTextExtractor(), Encoding.UTF8.GetBytes(toc)).Pages[0].IsNavigation);
        Assert.False(TestFiles.Extract(new HtmlTextExtractor(), Encoding.UTF8.GetBytes(prose)).Pages[0].IsNavigation);
    }

    [Fact]
    public void Docx_headings_come_from_outline_levels_of_paragraph_styles_whatever_their_localised_names()
    {
        var styles = new Styles(
            HeadingStyle("berschrift1", "heading 1", outlineLevel: 0),
            HeadingStyle("berschrift2", "heading 2", outlineLevel: 1),
            // A custom style based on a heading style is a heading of that level.
            new Style(new StyleName { Val = "My Heading" }, new BasedOn { Val = "berschrift2" }) { Type = StyleValues.Paragraph, StyleId = "MyHeading" },
            new Style(new StyleName { Val = "Title" }) { Type = StyleValues.Paragraph, StyleId = "Title" });

        var document = ExtractDocx(styles,
            Styled("Personnel Handbook", "Title"),
            Styled("Leave", "berschrift1"),
            Para("Leave text."),
            Styled("Annual leave", "berschrift2"),
            Para("Twenty-five days."),
            Styled("Sick leave", "MyHeading"),
            Para("Call before nine."),
            new Paragraph(new ParagraphProperties(new OutlineLevel { Val = 0 }), new Run(new Text("Travel"))),
            Para("Receipts."));

        Assert.Equal("Personnel Handbook", document.Title);
        Assert.Equal(
        [
            "Personnel Handbook | Personnel Handbook",
            "Leave | Leave",
            "Leave › Annual leave | Annual leave",
            "Leave › Sick leave | Sick leave",
            "Travel | Travel",
        ], Sections(document));
    }

    [Fact]
    public void A_pdf_outline_places_each_section_on_the_line_that_shows_its_title()
    {
        var pdf = BuildPdf(
            [
                [("Chapter 1: Getting Started", 18), ("Some introduction text here.", 10), ("1.1 Installing", 14), ("Run the installer.", 10)],
                [("More installing text on page two.", 10), ("1.2 Configuring", 14), ("Edit the file.", 10)],
            ],
            outline: new Bookmarks(
            [
                Bookmark("Getting Started", 1, level: 0,
                [
                    Bookmark("Installing", 1, level: 1, []),
                    Bookmark("Configuring", 2, level: 1, []),
                ]),
            ]));

        var document = TestFiles.Extract(new PdfTextExtractor(), pdf);

        Assert.Equal(
        [
            "Getting Started | Chapter 1: Getting Started",
            "Getting Started › Installing | 1.1 Installing",
            "Getting Started › Configuring | 1.2 Configuring",
        ], Sections(document));
        // Text before the first heading of page 2 belongs to the section still open from page 1.
        Assert.StartsWith("More installing text", document.Pages[1].Text);
    }

    [Fact]
    public void A_pdf_without_outline_gets_its_headings_from_lines_set_clearly_larger_than_the_body()
    {
        var body = Enumerable.Range(1, 12).Select(i => ($"Body line number {i} of ordinary running text.", 10.0)).ToArray();
        var pdf = BuildPdf(
            [
                [("Operations Manual", 24), .. body[..4], ("Backups", 16), .. body[4..8], ("Nightly jobs", 13), .. body[8..]],
                [("Restores", 16), .. body[..3]],
            ],
            outline: null,
            title: "Operations Manual (stated)");

        var document = TestFiles.Extract(new PdfTextExtractor(), pdf);

        Assert.Equal("Operations Manual (stated)", document.Title);
        Assert.Equal(
        [
            "Operations Manual | Operations Manual",
            "Operations Manual › Backups | Backups",
            "Operations Manual › Backups › Nightly jobs | Nightly jobs",
            "Operations Manual › Restores | Restores",
        ], Sections(document));
    }

    [Fact]
    public void A_pdf_set_in_one_size_has_no_sections_and_no_title_beyond_its_information()
    {
        var pdf = BuildPdf([[("Just text in one size.", 10), ("More of the same.", 10)]], outline: null);

        var document = TestFiles.Extract(new PdfTextExtractor(), pdf);

        Assert.Empty(document.Sections);
        Assert.Null(document.Title);
    }

    [Fact]
    public void Outline_paths_close_deeper_levels_and_cap_depth()
    {
        var outline = new HeadingOutline();
        Assert.Equal(["A"], outline.Enter(1, "A"));
        Assert.Equal(["A", "B"], outline.Enter(3, " B\n "));
        Assert.Equal(["A", "C"], outline.Enter(2, "C"));
        Assert.Null(outline.Enter(2, "   "));
        Assert.Equal(["D"], outline.Enter(1, "D"));
        for (var level = 2; level <= 20; level++) outline.Enter(level, $"L{level}");
        Assert.Equal(HeadingOutline.MaxDepth, outline.Path.Count);
        Assert.Equal(HeadingOutline.MaxTitleChars, HeadingOutline.Clean(new string('x', 500)).Length);
    }

    private static DocumentBookmarkNode Bookmark(string title, int page, int level, IReadOnlyList<BookmarkNode> children) =>
        new(title, level, new ExplicitDestination(page, ExplicitDestinationType.FitPage, ExplicitDestinationCoordinates.Empty), children);

    /// <summary>A PDF with one line of text per (text, size) pair, top to bottom, one list per page.</summary>
    private static byte[] BuildPdf((string Text, double Size)[][] pages, Bookmarks? outline, string? title = null)
    {
        var builder = new PdfDocumentBuilder();
        var font = builder.AddStandard14Font(Standard14Font.Helvetica);
        foreach (var lines in pages)
        {
            var page = builder.AddPage(595, 842);
            var y = 800.0;
            foreach (var (text, size) in lines)
            {
                page.AddText(text, size, new PdfPoint(50, y), font);
                y -= size * 1.8;
            }
        }

        if (outline is not null) builder.Bookmarks = outline;
        if (title is not null) builder.DocumentInformation.Title = title;
        return builder.Build();
    }

    private static Style HeadingStyle(string id, string name, int outlineLevel) =>
        new(new StyleName { Val = name }, new StyleParagraphProperties(new OutlineLevel { Val = outlineLevel }))
        {
            Type = StyleValues.Paragraph,
            StyleId = id,
        };

    private static Paragraph Para(string text) => new(new Run(new Text(text)));

    private static Paragraph Styled(string text, string style) =>
        new(new ParagraphProperties(new ParagraphStyleId { Val = style }), new Run(new Text(text)));

    private static ExtractedDocument ExtractDocx(Styles styles, params OpenXmlElement[] bodyContent)
    {
        using var buffer = new MemoryStream();
        using (var word = WordprocessingDocument.Create(buffer, WordprocessingDocumentType.Document))
        {
            var main = word.AddMainDocumentPart();
            main.Document = new Document(new Body(bodyContent));
            main.AddNewPart<StyleDefinitionsPart>().Styles = styles;
        }

        return TestFiles.Extract(new DocxTextExtractor(), buffer.ToArray());
    }
}
