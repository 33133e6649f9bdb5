using System.IO.Compression;
using System.Xml;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;

namespace Lode.Ingestion.Extraction;

/// <summary>
/// Word documents: the body's paragraphs and tables in order (cells separated by tabs, rows by line breaks), pages
/// counted from the page breaks the file records. A DOCX stores no page layout, so the page of a paragraph is what the
/// explicit breaks (<c>w:br w:type="page"</c>, "page break before", section breaks) and the breaks Word saw when it
/// last laid the document out (<c>w:lastRenderedPageBreak</c>) say; a file saved by a tool that never laid it out
/// only has the explicit ones. Headers, footers, footnotes and comments are left out. Paragraphs with an outline level
/// (the built-in Heading styles, or any style or paragraph that sets one) are the sections; the title is the file's
/// core property, else the first outermost heading.
/// </summary>
public sealed class DocxTextExtractor : ITextExtractor
{
    // Password-protected OOXML files are not zips but OLE compound files holding the encrypted package.
    private static ReadOnlySpan<byte> CompoundFileSignature => [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];

    public IReadOnlyCollection<string> Extensions { get; } = [".docx"];

    public IReadOnlyCollection<string> ContentTypes { get; } =
        ["application/vnd.openxmlformats-officedocument.wordprocessingml.document"];

    public ExtractedDocument Extract(Stream content, ExtractionLimits limits, CancellationToken cancellationToken)
    {
        InspectPackage(content, limits);
        content.Position = 0;
        try
        {
            var settings = new OpenSettings { AutoSave = false, MaxCharactersInPart = limits.MaxDecompressedBytes };
            using var document = WordprocessingDocument.Open(content, isEditable: false, settings);
            var body = document.MainDocumentPart?.Document?.Body
                ?? throw new RejectedDocumentException(RejectionReason.Corrupt, "The package has no Word document body.");

            var headingLevels = DocxHeadingLevels.From(document.MainDocumentPart!.StyleDefinitionsPart?.Styles);
            var walker = new Walker(new BlockTextWriter(new TextBudget(limits)), headingLevels, cancellationToken);
            walker.Visit(body);
            return walker.Writer.ToDocument(document.PackageProperties.Title);
        }
        catch (Exception ex) when (ex is not (RejectedDocumentException or OperationCanceledException or OutOfMemoryException))
        {
            // OpenXmlPackageException, InvalidDataException, XmlException, FileFormatException...: whatever the SDK
            // throws on a damaged package, retrying will not repair it.
            throw new RejectedDocumentException(RejectionReason.Corrupt, $"Unreadable Word document: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Refuses a zip bomb before the SDK inflates it: the entries' declared sizes must add up to no more than
    /// <see cref="ExtractionLimits.MaxDecompressedBytes"/>. Declared sizes can lie, but .NET's ZipArchive stops
    /// (InvalidDataException) when an entry inflates past its declared size, so the sum bounds what is decompressed.
    /// Then refuses XML nested deeper than <see cref="NestingLimit.MaxDepth"/>: the SDK loads elements recursively,
    /// and so does the walker below, so depth must be bounded before either sees the part.
    /// </summary>
    private static void InspectPackage(Stream content, ExtractionLimits limits)
    {
        Span<byte> head = stackalloc byte[8];
        content.Position = 0;
        if (content.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) == head.Length &&
            head.SequenceEqual(CompoundFileSignature))
        {
            throw new RejectedDocumentException(
                RejectionReason.Encrypted, "The document is password-protected (or is a legacy .doc file renamed .docx).");
        }

        content.Position = 0;
        try
        {
            using var zip = new ZipArchive(content, ZipArchiveMode.Read, leaveOpen: true);
            long total = 0;
            foreach (var entry in zip.Entries)
            {
                total += entry.Length;
                if (total > limits.MaxDecompressedBytes)
                {
                    throw new RejectedDocumentException(
                        RejectionReason.TooLarge,
                        $"The package inflates to more than {limits.MaxDecompressedBytes:N0} bytes.");
                }
            }

            foreach (var entry in zip.Entries.Where(IsXmlPart))
            {
                CheckNesting(entry);
            }
        }
        catch (InvalidDataException ex)
        {
            throw new RejectedDocumentException(RejectionReason.Corrupt, $"Not a valid DOCX (zip) package: {ex.Message}", ex);
        }
    }

    private static bool IsXmlPart(ZipArchiveEntry entry) =>
        entry.FullName.EndsWith(".xml", StringComparison.OrdinalIgnoreCase) ||
        entry.FullName.EndsWith(".rels", StringComparison.OrdinalIgnoreCase);

    /// <summary>Reads one XML part forward only (no recursion, no tree) and rejects it past the nesting limit.</summary>
    private static void CheckNesting(ZipArchiveEntry entry)
    {
        using var part = entry.Open();
        using var reader = XmlReader.Create(part, new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null });
        try
        {
            while (reader.Read())
            {
                if (reader.NodeType == XmlNodeType.Element && reader.Depth >= NestingLimit.MaxDepth)
                {
                    throw NestingLimit.TooDeep($"Word part {entry.FullName}");
                }
            }
        }
        catch (XmlException)
        {
            // Malformed XML is the SDK's to judge (it reports it as an unreadable document); only depth is decided here.
        }
    }

    private sealed class Walker(BlockTextWriter writer, DocxHeadingLevels headingLevels, CancellationToken cancellationToken)
    {
        private int _visitedParagraphs;

        public BlockTextWriter Writer => writer;

        public void Visit(OpenXmlElement element)
        {
            switch (element)
            {
                case Paragraph paragraph:
                    VisitParagraph(paragraph);
                    break;
                case Table table:
                    VisitTable(table);
                    break;
                case Text text:
                    writer.Write(text.Text);
                    break;
                case TabChar or PositionalTab:
                    writer.Tab();
                    break;
                case Break { Type: { } type } when type.Value == BreakValues.Page:
                    // An explicit page break always starts a page, even an empty one: Word renders it so.
                    writer.PageBreak();
                    break;
                case Break or CarriageReturn:
                    writer.LineBreak();
                    break;
                case LastRenderedPageBreak:
                    SoftPageBreak();
                    break;
                case NoBreakHyphen:
                    writer.Write("-");
                    break;
                case AlternateContent alternatives:
                    // The same content in several markups (e.g. a text box as DrawingML and as VML): read it once.
                    if (alternatives.GetFirstChild<AlternateContentChoice>() is { } choice)
                    {
                        VisitChildren(choice);
                    }

                    break;
                case DeletedRun or ParagraphProperties or RunProperties or SectionProperties or TableProperties
                    or TableCellProperties or TableRowProperties or TableGrid:
                    // Tracked deletions are not the document's text; properties hold none.
                    break;
                default:
                    // Runs, hyperlinks, fields, content controls, insertions, smart tags, drawings with text boxes.
                    VisitChildren(element);
                    break;
            }
        }

        private void VisitChildren(OpenXmlElement element)
        {
            foreach (var child in element.ChildElements)
            {
                Visit(child);
            }
        }

        private void VisitParagraph(Paragraph paragraph)
        {
            if (++_visitedParagraphs % 1_000 == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var properties = paragraph.ParagraphProperties;
            if (properties?.PageBreakBefore is { } breakBefore && (breakBefore.Val is null || breakBefore.Val.Value))
            {
                SoftPageBreak();
            }

            if (headingLevels.LevelOf(properties) is int level)
            {
                writer.BeginHeading(level);
                VisitChildren(paragraph);
                writer.EndHeading();
            }
            else
            {
                writer.ParagraphBreak();
                VisitChildren(paragraph);
                writer.ParagraphBreak();
            }

            // A paragraph that carries section properties ends its section; unless the next one is continuous, the
            // next section starts on a new page (nextPage is the default type).
            if (properties?.SectionProperties is { } section &&
                section.GetFirstChild<SectionType>()?.Val?.Value != SectionMarkValues.Continuous)
            {
                SoftPageBreak();
            }
        }

        private void VisitTable(Table table)
        {
            writer.Table(Descend<TableRow>(table), Descend<TableCell>, cell => VisitChildren(cell));
        }

        /// <summary>
        /// A page break that only counts if the page already has text. Word writes lastRenderedPageBreak at the top of
        /// every page it laid out, including the page an explicit break or a section break had just started; counting
        /// both would turn every explicit break into two pages.
        /// </summary>
        private void SoftPageBreak()
        {
            if (writer.PageHasText)
            {
                writer.PageBreak();
            }
        }

        /// <summary>
        /// The rows of a table (or cells of a row), also when wrapped in content controls or custom XML, but not those
        /// of a table nested inside a cell.
        /// </summary>
        private static IEnumerable<T> Descend<T>(OpenXmlElement parent)
            where T : OpenXmlElement
        {
            foreach (var child in parent.ChildElements)
            {
                if (child is T match)
                {
                    yield return match;
                }
                else if (child is not (Table or TableRow or TableCell))
                {
                    foreach (var nested in Descend<T>(child))
                    {
                        yield return nested;
                    }
                }
            }
        }
    }
}
