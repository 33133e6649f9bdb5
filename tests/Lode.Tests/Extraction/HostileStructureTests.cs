using System.Text;
using Lode.Embeddings;
using Lode.Ingestion.Chunking;
using Lode.Ingestion.Extraction;
using Lode.Tests.Chunking;
using Lode.Tests.Support;

namespace Lode.Tests.Extraction;

/// <summary>
/// What a hostile author can put in a document's structure (outline, titles, tables, invisible text) costs that
/// structure, never the document, the worker or the process — findings of the review of structure-aware extraction.
/// </summary>
public sealed class HostileStructureTests
{
    private const string Page = "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>";

    private static ExtractedDocument ExtractPdf(byte[] pdf) => TestFiles.Extract(new PdfTextExtractor(), pdf);

    [Fact]
    public void An_outline_item_that_is_its_own_first_child_is_ignored_instead_of_overflowing_the_stack()
    {
        // PdfPig 0.1.16 follows /First recursively: without the guard this 555-byte file kills the process.
        var pdf = TestPdf.FromObjects(
            "<< /Type /Catalog /Pages 2 0 R /Outlines 4 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            Page,
            "<< /Type /Outlines /First 5 0 R /Last 5 0 R /Count 1 >>",
            "<< /Title (A) /Parent 4 0 R /First 5 0 R /Last 5 0 R /Count 1 /Dest [3 0 R /Fit] >>");

        var document = ExtractPdf(pdf);

        Assert.Single(document.Pages);
        Assert.Empty(document.Sections);
    }

    [Fact]
    public void An_outline_nested_thousands_deep_is_ignored()
    {
        const int depth = 20_000;
        var objects = new List<string>
        {
            "<< /Type /Catalog /Pages 2 0 R /Outlines 4 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            Page,
            "<< /Type /Outlines /First 5 0 R /Last 5 0 R /Count 1 >>",
        };
        for (var i = 0; i < depth; i++)
        {
            var id = 5 + i;
            var child = i + 1 < depth ? $" /First {id + 1} 0 R /Last {id + 1} 0 R /Count 1" : "";
            objects.Add($"<< /Title (L{i}) /Parent {(i == 0 ? 4 : id - 1)} 0 R{child} /Dest [3 0 R /Fit] >>");
        }

        var document = ExtractPdf(TestPdf.FromObjects([.. objects]));

        Assert.Empty(document.Sections);
    }

    [Theory]
    [InlineData("<< /Title 42 /Parent 4 0 R /Dest [3 0 R /Fit] >>")] // a title that is not a string
    [InlineData("<< /Type /Page /Parent 2 0 R >>")] // /First points at something that is no outline item
    public void A_damaged_outline_costs_the_outline_not_the_document(string item)
    {
        var pdf = TestPdf.FromObjects(
            "<< /Type /Catalog /Pages 2 0 R /Outlines 4 0 R >>",
            "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            Page,
            "<< /Type /Outlines /First 5 0 R /Last 5 0 R /Count 1 >>",
            item);

        var document = ExtractPdf(pdf);

        Assert.Single(document.Pages);
    }

    [Fact]
    public void Titles_and_headings_lose_control_and_invisible_characters()
    {
        Assert.Equal("Title[2J", HeadingOutline.Clean("Ti\0tle\u001b[2J"));
        Assert.Equal("Intro duction", HeadingOutline.Clean("Intro\u200e \ue000duction\u202a"));
        Assert.Null(HeadingOutline.CleanOrNull("\0\u0007\u200b"));
        // A cut never leaves half a surrogate pair behind.
        var emoji = new string('x', HeadingOutline.MaxTitleChars - 1) + "\U0001F600";
        Assert.False(char.IsHighSurrogate(HeadingOutline.Clean(emoji)[^1]));
    }

    [Fact]
    public void Text_the_tokenizer_reads_as_nothing_is_not_kept()
    {
        var document = TestFiles.Extract(new PlainTextExtractor(),
            Encoding.UTF8.GetBytes("a\ue000b \u200ec\u2061d\U000E0041e \U000F0000f"));

        Assert.Equal("ab cde f", TestFiles.SingleText(document));
    }

    [Theory]
    [InlineData("""
        Schedule of fees and charges (effective 1 March)
        Account maintenance, per month 5
        Paper statement, per statement 2
        Domestic wire transfer, outgoing 25
        International wire transfer, outgoing 45
        Overdraft fee, per item 35
        Stop payment order 30
        Returned deposited item 12
        Cashier's check 10
        Fees are debited from the account on the last business day of the month.
        """)]
    [InlineData("""
        Maximum daily doses for adults (mg)
        Paracetamol 4000
        Ibuprofen 2400
        Naproxen 1250
        Tramadol 400
        Codeine 240
        Aspirin 4000
        Morphine oral, opioid-naive 120
        """)]
    [InlineData("""
        Retention periods (years)
        Patient records, adults 10
        Patient records, minors 25
        Imaging studies 7
        Laboratory results 5
        Billing records 7
        Audit logs 6
        """)]
    public void Tables_of_terms_and_numbers_are_not_navigation(string page)
    {
        Assert.False(NavigationPages.IsNavigationText(page.ReplaceLineEndings("\n"), pageCount: 60));
    }

    [Fact]
    public void Entries_longer_than_a_contents_line_can_be_are_not_counted()
    {
        var lines = Enumerable.Range(1, 8).Select(i => $"Section {i} " + new string('a', 250) + $" . . . . {i}");

        Assert.False(NavigationPages.IsNavigationText(string.Join('\n', lines)));
        Assert.True(NavigationPages.IsNavigationText(string.Join('\n', Enumerable.Range(1, 8).Select(i => $"Section {i} . . . . {i}"))));
    }

    [Fact]
    public void A_run_of_text_the_tokenizer_reads_as_nothing_still_makes_bounded_chunks()
    {
        // Combining marks alone: BERT's accent stripping leaves nothing of them, so they count 0 tokens.
        var counter = new MarksAreNothingCounter();
        var paragraphs = string.Join("\n\n", Enumerable.Repeat("\u0301\u0301 \u0301", 20_000));
        var options = new ChunkingOptions { MaxTokens = 64, OverlapTokens = 8, MinTokens = 8 };

        var document = new ExtractedDocument([new ExtractedPage(1, paragraphs)]);

        var chunks = new TokenAwareChunker(counter, options).Chunk(document);

        Assert.True(chunks.Count > 1);
        Assert.All(chunks, c => Assert.True(c.Text.Length <= 16 * 64, $"chunk {c.Ordinal} has {c.Text.Length} characters"));
        ChunkAssertions.CoversInOrder(document, chunks); // bounded, and nothing lost
    }

    /// <summary>Counts words, but a word made only of combining marks counts nothing, as a BERT tokenizer would.</summary>
    private sealed class MarksAreNothingCounter : ITokenCounter
    {
        public int MaxTokens => 256;

        public int CountTokens(string text) =>
            text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Count(w => w.Any(c => c != '\u0301'));
    }
}
