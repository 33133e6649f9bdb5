using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace Lode.Ingestion.Extraction;

/// <summary>
/// HTML as the text a browser shows: the title, then the body with block elements as paragraphs, list items and table
/// rows as lines, cells separated by tabs, whitespace collapsed as HTML renders it (kept inside <c>&lt;pre&gt;</c>).
/// Scripts, styles, templates, <c>&lt;noscript&gt;</c> fallbacks and the rest of <c>&lt;head&gt;</c> are not
/// content, and neither is navigation: <c>&lt;nav&gt;</c>, <c>role="navigation"</c>, and the link bars that documentation
/// generators put above and below every page (texinfo's <c>header</c>/<c>nav-panel</c>, DocBook's
/// <c>navheader</c>/<c>navfooter</c>), which would otherwise repeat "Next: … Previous: … Up: …" in every chunk.
/// <c>h1</c>–<c>h6</c> are the sections. A page whose text is mostly links (a table of contents, a menu, an index) is
/// marked as navigation (<see cref="NavigationPages.IsLinkList"/>). AngleSharp parses as browsers do (HTML5 error
/// recovery, the encoding from BOM or meta charset, entities).
/// </summary>
public sealed class HtmlTextExtractor : ITextExtractor
{
    private static readonly HashSet<string> SkippedElements =
        ["head", "script", "style", "noscript", "template", "svg", "canvas", "iframe", "object", "embed", "select", "nav"];

    // Classes that documentation generators give their per-page link bars.
    private static readonly HashSet<string> NavigationClasses =
        new(["header", "nav-panel", "navheader", "navfooter", "navigation", "related"], StringComparer.OrdinalIgnoreCase);

    // Elements that stand apart from the text around them (paragraph break before and after).
    private static readonly HashSet<string> ParagraphElements =
    [
        "address", "article", "aside", "blockquote", "details", "dialog", "div", "dl", "fieldset", "figcaption",
        "figure", "footer", "form", "header", "hgroup", "hr", "main", "ol",
        "p", "pre", "section", "summary", "table", "ul", "caption",
    ];

    // Elements that start on a new line but do not make a paragraph of their own.
    private static readonly HashSet<string> LineElements = ["li", "dt", "dd", "tr", "br", "option", "legend"];

    public IReadOnlyCollection<string> Extensions { get; } = [".html", ".htm", ".xhtml"];

    public IReadOnlyCollection<string> ContentTypes { get; } = ["text/html", "application/xhtml+xml"];

    public ExtractedDocument Extract(Stream content, ExtractionLimits limits, CancellationToken cancellationToken)
    {
        // Parsing cost grows with the markup, not the text: a page of more than three bytes per allowed character is
        // refused before AngleSharp builds a DOM of it. The writer's budget is the exact check on the text itself.
        if (content.CanSeek && content.Length / 3 > limits.MaxTextChars)
        {
            throw TextBudget.TooLarge(limits);
        }

        var parser = new HtmlParser(new HtmlParserOptions { SkipComments = true, SkipScriptText = true });
        using var document = parser.ParseDocument(content);
        cancellationToken.ThrowIfCancellationRequested();

        var writer = new BlockTextWriter(new TextBudget(limits));
        writer.WriteCollapsingWhitespace(document.Title ?? "");
        writer.ParagraphBreak();

        var walker = new Walker(writer, cancellationToken);
        if (document.Body is { } body)
        {
            walker.Visit(body);
        }
        else if (document.DocumentElement is { } root)
        {
            walker.Visit(root);
        }

        var extracted = writer.ToDocument(document.Title);
        return NavigationPages.IsLinkList(walker.TextChars, walker.LinkChars, walker.Links)
            ? extracted with { Pages = [extracted.Pages[0] with { IsNavigation = true }] }
            : extracted;
    }

    private static bool IsNavigation(IElement element) =>
        element.GetAttribute("role") is "navigation" ||
        element.ClassList.Any(NavigationClasses.Contains);

    /// <summary>
    /// Walks the DOM with an explicit stack, not recursion: HTML nests as deep as its author likes (browsers accept
    /// hundreds of thousands of unclosed <c>&lt;div&gt;</c>), and a recursive walk of such a page would overflow the
    /// thread's stack and kill the process. Deep pages are read in full: depth costs heap, proportional to the page.
    /// </summary>
    private sealed class Walker(BlockTextWriter writer, CancellationToken cancellationToken)
    {
        private readonly Stack<(INode Node, bool Leaving)> _pending = new();
        private int _preDepth;
        private int _linkDepth;
        private int _visited;

        /// <summary>Visible characters written, those inside links, and the number of links: how much of the page is a list of links.</summary>
        public long TextChars { get; private set; }

        public long LinkChars { get; private set; }

        public int Links { get; private set; }

        public void Visit(INode root)
        {
            _pending.Push((root, false));
            while (_pending.TryPop(out var next))
            {
                if (++_visited % 10_000 == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                switch (next.Node)
                {
                    case IElement element when next.Leaving:
                        Leave(element);
                        break;
                    case IText text when _preDepth > 0:
                        Count(text.Data);
                        WritePreformatted(text.Data);
                        break;
                    case IText text:
                        Count(text.Data);
                        writer.WriteCollapsingWhitespace(text.Data);
                        break;
                    case IElement element:
                        Enter(element);
                        break;
                }
            }
        }

        /// <summary>What comes before an element's children; schedules them, then <see cref="Leave"/>.</summary>
        private void Enter(IElement element)
        {
            var name = element.LocalName;
            if (SkippedElements.Contains(name) || element.HasAttribute("hidden") || IsNavigation(element))
            {
                return;
            }

            if (HeadingLevel(name) is int level)
            {
                writer.BeginHeading(level);
            }
            else if (ParagraphElements.Contains(name))
            {
                writer.ParagraphBreak();
            }
            else if (LineElements.Contains(name))
            {
                writer.LineBreak();
            }
            else if (name is "td" or "th")
            {
                // Cells of one row are separated by a tab; the row's own line break swallows the first one.
                writer.Tab();
            }

            if (name == "img" && element.GetAttribute("alt") is { Length: > 0 } alt)
            {
                // An image's alternative text is what a screen reader (and a search) gets.
                writer.WriteCollapsingWhitespace(alt);
            }

            var link = IsLink(element);
            Links += link ? 1 : 0;
            _linkDepth += link ? 1 : 0;
            _preDepth += IsPreformatted(name) ? 1 : 0;

            // Last pushed, first visited: the leave marker goes under the children, the children in reverse order.
            _pending.Push((element, true));
            var children = element.ChildNodes;
            for (var i = children.Length - 1; i >= 0; i--)
            {
                _pending.Push((children[i], false));
            }
        }

        /// <summary>What comes after an element's children (the element was entered, not skipped).</summary>
        private void Leave(IElement element)
        {
            var name = element.LocalName;
            _preDepth -= IsPreformatted(name) ? 1 : 0;
            _linkDepth -= IsLink(element) ? 1 : 0;
            if (HeadingLevel(name) is not null)
            {
                writer.EndHeading();
            }
            else if (ParagraphElements.Contains(name))
            {
                writer.ParagraphBreak();
            }
            else if (LineElements.Contains(name))
            {
                writer.LineBreak();
            }
        }

        private static bool IsLink(IElement element) => element.LocalName == "a" && element.HasAttribute("href");

        private static bool IsPreformatted(string name) => name is "pre" or "textarea" or "listing";

        private void Count(string text)
        {
            var visible = 0;
            foreach (var c in text) visible += char.IsWhiteSpace(c) ? 0 : 1;
            TextChars += visible;
            LinkChars += _linkDepth > 0 ? visible : 0;
        }

        private static int? HeadingLevel(string name) =>
            name.Length == 2 && name[0] == 'h' && name[1] is >= '1' and <= '6' ? name[1] - '0' : null;

        private void WritePreformatted(string text)
        {
            var lines = text.Split('\n');
            for (var i = 0; i < lines.Length; i++)
            {
                if (i > 0)
                {
                    writer.LineBreak();
                }

                writer.Write(lines[i]);
            }
        }
    }
}
