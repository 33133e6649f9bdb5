using System.Text;

namespace Lode.Ingestion.Extraction;

/// <summary>
/// Collects the text of a structured document (Markdown, HTML, DOCX) while its walker reports what separates one
/// piece from the next. Separators are held back until the next text arrives and the strongest one wins, so nested
/// blocks never stack blank lines and a document never starts or ends with a break. Headings, reported with
/// <see cref="BeginHeading"/> and <see cref="EndHeading"/>, become the document's section starts.
/// </summary>
internal sealed class BlockTextWriter(TextBudget budget)
{
    private enum Separator { None, Space, Tab, Line, Paragraph }

    private readonly List<string> _pages = [];
    private readonly StringBuilder _page = new();
    private readonly HeadingOutline _outline = new();
    private readonly List<(int PageIndex, int Offset, IReadOnlyList<string> Path)> _sections = [];
    private Separator _pending;
    private int _flattenDepth;
    private int? _headingLevel;
    private int? _headingStart;

    /// <summary>True when text has been written since the last page break.</summary>
    public bool PageHasText => _page.Length > 0;

    /// <summary>
    /// A heading of <paramref name="level"/> (1 = outermost) starts: it is its own paragraph, and the text written until
    /// <see cref="EndHeading"/> is its title. Headings inside a heading (or a table cell) are read as plain text.
    /// </summary>
    public void BeginHeading(int level)
    {
        ParagraphBreak();
        if (_headingLevel is not null || _flattenDepth > 0) return;
        _headingLevel = level;
        _headingStart = null;
    }

    /// <summary>The heading begun last ends; the section it opens starts at its first character.</summary>
    public void EndHeading()
    {
        if (_headingLevel is not int level) return;
        _headingLevel = null;
        if (_headingStart is int start && _outline.Enter(level, _page.ToString(start, _page.Length - start)) is { } path)
        {
            _sections.Add((_pages.Count, start, path));
        }
        ParagraphBreak();
    }

    /// <summary>Inside a table cell every break becomes a space, so that one row stays on one line.</summary>
    public void BeginFlatten() => _flattenDepth++;

    public void EndFlatten() => _flattenDepth--;

    public void Space() => Request(Separator.Space);

    public void Tab() => Request(_flattenDepth > 0 ? Separator.Space : Separator.Tab);

    public void LineBreak() => Request(_flattenDepth > 0 ? Separator.Space : Separator.Line);

    public void ParagraphBreak() => Request(_flattenDepth > 0 ? Separator.Space : Separator.Paragraph);

    /// <summary>
    /// A table as its own paragraph: one line per row, cells separated by tabs, each cell's content flattened onto
    /// the row's line by <paramref name="writeCell"/>.
    /// </summary>
    public void Table<TRow, TCell>(IEnumerable<TRow> rows, Func<TRow, IEnumerable<TCell>> cellsOf, Action<TCell> writeCell)
    {
        ParagraphBreak();
        foreach (var row in rows)
        {
            var first = true;
            foreach (var cell in cellsOf(row))
            {
                if (!first) Tab();
                first = false;
                BeginFlatten();
                writeCell(cell);
                EndFlatten();
            }
            LineBreak();
        }
        ParagraphBreak();
    }

    public void Write(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        if (_page.Length > 0)
        {
            _page.Append(_pending switch
            {
                Separator.Space => " ",
                Separator.Tab => "\t",
                Separator.Line => "\n",
                Separator.Paragraph => "\n\n",
                _ => "",
            });
        }

        _pending = Separator.None;
        budget.Charge(text.Length);
        if (_headingLevel is not null) _headingStart ??= _page.Length;
        _page.Append(text);
    }

    /// <summary>Writes text the way HTML renders it: any run of whitespace is one space.</summary>
    public void WriteCollapsingWhitespace(string text)
    {
        var start = -1;
        for (var i = 0; i <= text.Length; i++)
        {
            var isSpace = i == text.Length || char.IsWhiteSpace(text[i]);
            if (!isSpace && start < 0)
            {
                start = i;
            }
            else if (isSpace && start >= 0)
            {
                Write(text[start..i]);
                start = -1;
            }

            if (i < text.Length && isSpace)
            {
                Space();
            }
        }
    }

    /// <summary>Ends the current page; the next text starts page <c>count + 1</c>.</summary>
    public void PageBreak()
    {
        // A heading cut by a page break keeps no title (its start was on the page that ends here).
        _headingStart = null;
        _pages.Add(_page.ToString());
        _page.Clear();
        _pending = Separator.None;
    }

    /// <summary>
    /// The pages written, normalized (<see cref="TextNormalizer"/>), with the sections begun on them, and
    /// <paramref name="title"/> (else the first outermost heading) as the document's title. Each section's
    /// text is normalized on its own and joined to the one before by a paragraph break, so a section start stays at
    /// the first character of its heading.
    /// </summary>
    public ExtractedDocument ToDocument(string? title = null)
    {
        var texts = new List<string>(_pages) { _page.ToString() };
        var pages = new List<ExtractedPage>(texts.Count);
        var sections = new List<SectionStart>(_sections.Count);
        var sectionsByPage = _sections.ToLookup(s => s.PageIndex);
        for (var i = 0; i < texts.Count; i++)
        {
            var starts = sectionsByPage[i].ToList();
            var cuts = starts.Select(s => s.Offset).Prepend(0).Append(texts[i].Length).ToList();
            var (text, offsets) = PageFragments.Join(cuts.Zip(cuts.Skip(1), (from, to) => texts[i][from..to]).ToList());
            sections.AddRange(starts.Select((s, k) => new SectionStart(i + 1, offsets[k + 1], s.Path)));
            pages.Add(new ExtractedPage(i + 1, text));
        }

        // Without a stated title, the first outermost heading names the document.
        title = HeadingOutline.CleanOrNull(title) ?? _sections.Where(s => s.Path.Count == 1).Select(s => s.Path[0]).FirstOrDefault();
        return new ExtractedDocument(pages) { Title = title, Sections = sections };
    }

    private void Request(Separator separator)
    {
        if (separator > _pending)
        {
            _pending = separator;
        }
    }
}
