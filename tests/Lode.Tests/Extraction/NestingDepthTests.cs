using System.IO.Compression;
using System.Runtime.ExceptionServices;
using System.Text;
using Lode.Ingestion.Extraction;

namespace Lode.Tests.Extraction;

/// <summary>
/// Structure nested far past any real document (issue 12, item 4). Each hostile case runs on a thread with a small
/// stack: a recursive walk of it would overflow that stack (and kill the process), so passing proves the walk is
/// iterative or refused before it recurses.
/// </summary>
public sealed class NestingDepthTests
{
    // A recursive walk spends hundreds of bytes a level: thousands of levels cannot fit in a quarter of a megabyte.
    private const int SmallStackBytes = 256 * 1024;
    private const int HostileDepth = 20_000;

    // AngleSharp, like browsers, stops nesting at about 512 levels (deeper elements become siblings), and its tree
    // builder spends time in proportion to depth × elements, which the sandbox's deadline bounds. So the HTML case
    // nests 2,000 deep and the walk gets 64 KB: what ~510 levels of recursion would overflow, and an iterative walk
    // does not need.
    private const int HostileHtmlDepth = 2_000;
    private const int TinyStackBytes = 64 * 1024;

    [Fact]
    public void Html_nested_two_thousand_deep_is_read_in_full_without_recursion()
    {
        var html = new StringBuilder("<html><head><title>Deep</title></head><body>");
        html.Append("<p>top words</p>");
        for (var i = 0; i < HostileHtmlDepth; i++) html.Append("<div>");
        html.Append("deepest words");
        for (var i = 0; i < HostileHtmlDepth; i++) html.Append("</div>");
        html.Append("<p>closing words</p></body></html>");

        var text = TestFiles.SingleText(OnSmallStack(() =>
            TestFiles.Extract(new HtmlTextExtractor(), Encoding.UTF8.GetBytes(html.ToString())), TinyStackBytes));

        Assert.Equal("Deep\n\ntop words\n\ndeepest words\n\nclosing words", text);
    }

    [Fact]
    public void Docx_nested_twenty_thousand_deep_is_refused_as_too_deeply_nested_before_the_sdk_loads_it()
    {
        var docx = DocxWithContentControlsNested(HostileDepth);

        var error = OnSmallStack(() => Assert.Throws<RejectedDocumentException>(
            () => TestFiles.Extract(new DocxTextExtractor(), docx)));

        Assert.Equal(RejectionReason.TooDeeplyNested, error.Reason);
        Assert.Contains("deeper than 256 levels", error.Message);
    }

    [Fact]
    public void Docx_nested_as_deep_as_real_documents_still_reads()
    {
        var text = TestFiles.SingleText(TestFiles.Extract(new DocxTextExtractor(), DocxWithContentControlsNested(50)));

        Assert.Equal("deepest words", text);
    }

    [Theory]
    [InlineData("> ")]
    [InlineData("- ")]
    [InlineData("[")]
    [InlineData("*a ")]
    public void A_markdown_nesting_bomb_is_a_permanent_rejection(string marker)
    {
        var bomb = Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat(marker, HostileDepth)) + "bottom");

        var error = OnSmallStack(() => Assert.Throws<RejectedDocumentException>(
            () => TestFiles.Extract(new MarkdownTextExtractor(), bomb)));

        Assert.Equal(RejectionReason.TooDeeplyNested, error.Reason);
        Assert.Contains("nest", error.Message);
    }

    [Fact]
    public void Markdown_nested_as_deep_as_real_documents_still_reads()
    {
        var text = TestFiles.SingleText(TestFiles.Extract(new MarkdownTextExtractor(),
            Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("> ", 20)) + "quoted words")));

        Assert.Equal("quoted words", text);
    }

    /// <summary>A minimal, valid package whose body nests <paramref name="levels"/> block content controls around one paragraph.</summary>
    internal static byte[] DocxWithContentControlsNested(int levels)
    {
        const string wordNamespace = "http://schemas.openxmlformats.org/wordprocessingml/2006/main";
        var body = new StringBuilder();
        for (var i = 0; i < levels; i++) body.Append("<w:sdt><w:sdtContent>");
        body.Append("<w:p><w:r><w:t>deepest words</w:t></w:r></w:p>");
        for (var i = 0; i < levels; i++) body.Append("</w:sdtContent></w:sdt>");

        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            Add(zip, "[Content_Types].xml", """
                <?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>
                """);
            Add(zip, "_rels/.rels", """
                <?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>
                """);
            Add(zip, "word/document.xml",
                $"""<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{wordNamespace}"><w:body>{body}</w:body></w:document>""");
        }

        return buffer.ToArray();
    }

    private static void Add(ZipArchive zip, string name, string content)
    {
        using var entry = new StreamWriter(zip.CreateEntry(name).Open(), new UTF8Encoding(false));
        entry.Write(content.Trim());
    }

    /// <summary>Runs <paramref name="work"/> on a new thread with a small stack and returns its result or rethrows its exception.</summary>
    private static T OnSmallStack<T>(Func<T> work, int stackBytes = SmallStackBytes)
    {
        T result = default!;
        ExceptionDispatchInfo? failure = null;
        var thread = new Thread(() =>
        {
            try { result = work(); }
            catch (Exception e) { failure = ExceptionDispatchInfo.Capture(e); }
        }, stackBytes);
        thread.Start();
        thread.Join();
        failure?.Throw();
        return result;
    }
}
