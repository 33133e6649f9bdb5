using System.Net;
using System.Text;
using Markdig;
using Markdig.Extensions.Footnotes;
using Markdig.Extensions.Tables;
using Markdig.Extensions.TaskLists;
using Markdig.Extensions.Yaml;
using Markdig.Helpers;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace Lode.Ingestion.Extraction;

/// <summary>
/// Markdown as the text a reader sees: headings, paragraphs, list items, table cells and code kept, markup, link
/// targets and raw HTML tags dropped. Walking Markdig's syntax tree (rather than rendering HTML and stripping it) keeps
/// the block structure, so paragraphs end with a blank line and list items with a line break, and headings
/// (ATX and setext) become sections.
/// </summary>
public sealed class MarkdownTextExtractor : ITextExtractor
{
    // The advanced set adds pipe tables, footnotes, task lists and the like, which GitHub-style documents use.
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UseAdvancedExtensions()
        .UseYamlFrontMatter()
        .Build();

    public IReadOnlyCollection<string> Extensions { get; } = [".md", ".markdown"];

    public IReadOnlyCollection<string> ContentTypes { get; } = ["text/markdown", "text/x-markdown"];

    public ExtractedDocument Extract(Stream content, ExtractionLimits limits, CancellationToken cancellationToken)
    {
        var source = TextDecoder.Decode(content, limits);
        cancellationToken.ThrowIfCancellationRequested();
        var document = Parse(source);
        var walker = new Walker(new BlockTextWriter(new TextBudget(limits)), cancellationToken);
        walker.VisitChildren(document);
        return walker.Writer.ToDocument();
    }

    /// <summary>
    /// Markdig refuses input nested past its own depth limit (a "nesting bomb": thousands of <c>&gt;</c>, <c>[</c> or
    /// list markers) by throwing. Parsing is deterministic, so that refusal — or any other — is the document's fault
    /// and permanent: retrying it with backoff would only spend the worker's time again.
    /// </summary>
    private static MarkdownDocument Parse(string source)
    {
        try
        {
            return Markdown.Parse(source, Pipeline);
        }
        catch (ArgumentException ex) when (ex.Message.Contains("nested", StringComparison.OrdinalIgnoreCase))
        {
            throw new RejectedDocumentException(RejectionReason.TooDeeplyNested,
                $"The Markdown nests deeper than the parser allows: {ex.Message}", ex);
        }
        catch (Exception ex) when (ex is not (RejectedDocumentException or OperationCanceledException or OutOfMemoryException))
        {
            throw new RejectedDocumentException(RejectionReason.Corrupt, $"Unreadable Markdown: {ex.Message}", ex);
        }
    }

    private sealed class Walker(BlockTextWriter writer, CancellationToken cancellationToken)
    {
        // In a tight list ("- a\n- b") an item's paragraph ends with a line break, not a blank line.
        private int _tightListDepth;

        // Blocks and inlines entered and not yet left: the recursion's depth, bounded by NestingLimit whatever the
        // parser lets through (extensions add their own containers).
        private int _depth;

        public BlockTextWriter Writer => writer;

        public void VisitChildren(ContainerBlock container)
        {
            foreach (var child in container)
            {
                Visit(child);
            }
        }

        private void Visit(Block block)
        {
            cancellationToken.ThrowIfCancellationRequested();
            NestingLimit.Check(++_depth, "Markdown");
            VisitBlock(block);
            _depth--;
        }

        private void VisitBlock(Block block)
        {
            switch (block)
            {
                case YamlFrontMatterBlock frontMatter:
                    // Front matter (title, tags, author) is metadata worth finding; its lines are kept as they are.
                    WriteLines(frontMatter.Lines);
                    writer.ParagraphBreak();
                    break;
                case CodeBlock code:
                    writer.ParagraphBreak();
                    WriteLines(code.Lines);
                    writer.ParagraphBreak();
                    break;
                case HtmlBlock html:
                    WriteHtmlBlock(html);
                    break;
                case LinkReferenceDefinitionGroup or ThematicBreakBlock:
                    break;
                case HeadingBlock heading:
                    writer.BeginHeading(heading.Level);
                    VisitInline(heading.Inline);
                    writer.EndHeading();
                    break;
                case LeafBlock leaf:
                    EndBlock();
                    VisitInline(leaf.Inline);
                    EndBlock();
                    break;
                case Table table:
                    WriteTable(table);
                    break;
                case ListBlock list:
                    // The break around a list belongs to the enclosing context: a list nested in a tight item
                    // follows its parent item's line directly.
                    EndBlock();
                    _tightListDepth += list.IsLoose ? 0 : 1;
                    VisitChildren(list);
                    _tightListDepth -= list.IsLoose ? 0 : 1;
                    EndBlock();
                    break;
                case ListItemBlock item:
                    writer.LineBreak();
                    VisitChildren(item);
                    writer.LineBreak();
                    break;
                case ContainerBlock container:
                    // Quotes, footnote groups and anything an extension adds: their children carry the text.
                    writer.ParagraphBreak();
                    VisitChildren(container);
                    writer.ParagraphBreak();
                    break;
            }
        }

        private void EndBlock()
        {
            if (_tightListDepth > 0)
            {
                writer.LineBreak();
            }
            else
            {
                writer.ParagraphBreak();
            }
        }

        private void WriteTable(Table table)
        {
            writer.Table(table.OfType<TableRow>(), row => row.OfType<TableCell>(), cell => VisitChildren(cell));
        }

        private void WriteLines(StringLineGroup lines)
        {
            for (var i = 0; i < lines.Count; i++)
            {
                writer.Write(lines.Lines[i].Slice.ToString());
                writer.LineBreak();
            }
        }

        /// <summary>
        /// Raw HTML in Markdown is mostly layout (<c>&lt;p align="center"&gt;</c>, <c>&lt;details&gt;</c>) around real
        /// words: the tags go, the words stay. Comments, scripts, styles and declarations hold no prose.
        /// </summary>
        private void WriteHtmlBlock(HtmlBlock html)
        {
            if (html.Type is HtmlBlockType.Comment or HtmlBlockType.ScriptPreOrStyle or HtmlBlockType.DocumentType
                or HtmlBlockType.ProcessingInstruction or HtmlBlockType.CData)
            {
                return;
            }

            var text = new StringBuilder();
            var inTag = false;
            var raw = html.Lines.ToString();
            foreach (var c in raw)
            {
                if (c == '<')
                {
                    inTag = true;
                    text.Append(' ');
                }
                else if (c == '>' && inTag)
                {
                    inTag = false;
                }
                else if (!inTag)
                {
                    text.Append(c);
                }
            }

            writer.ParagraphBreak();
            writer.WriteCollapsingWhitespace(WebUtility.HtmlDecode(text.ToString()));
            writer.ParagraphBreak();
        }

        private void VisitInline(Inline? inline)
        {
            switch (inline)
            {
                case null:
                    break;
                case LiteralInline literal:
                    writer.Write(literal.Content.ToString());
                    break;
                case CodeInline code:
                    writer.Write(code.Content);
                    break;
                case HtmlEntityInline entity:
                    writer.Write(entity.Transcoded.ToString());
                    break;
                case LineBreakInline lineBreak:
                    if (lineBreak.IsHard)
                    {
                        writer.LineBreak();
                    }
                    else
                    {
                        writer.Space();
                    }

                    break;
                case AutolinkInline autolink:
                    // The address is the only text an autolink has.
                    writer.Write(autolink.Url);
                    break;
                case HtmlInline or FootnoteLink or TaskList:
                    // Tags, footnote markers and check boxes are markup, not words.
                    break;
                case ContainerInline container:
                    // Emphasis, links (their text, not their target) and images (their alt text).
                    NestingLimit.Check(++_depth, "Markdown");
                    foreach (var child in container)
                    {
                        VisitInline(child);
                    }

                    _depth--;
                    break;
            }
        }
    }
}
