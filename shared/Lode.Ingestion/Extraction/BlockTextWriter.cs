using System.Text;

namespace Lode.Ingestion.Extraction;

/// <summary>
/// Collects the text of a structured document (Markdown, HTML, DOCX) while its walker reports what separates one
/// piece from the next. Separators are held back until the next text arrives and the strongest one wins, so nested
/// blocks never stack blank lines and a document never starts or ends with a break.
/// </summary>
internal sealed class BlockTextWriter(TextBudget budget)
{
    private enum Separator { None, Space, Tab, Line, Paragraph }

    private readonly List<string> _pages = [];
    private readonly StringBuilder _page = new();
    private Separator _pending;
    private int _flattenDepth;

    /// <summary>True when text has been written since the last page break.</summary>
    public bool PageHasText => _page.Length > 0;

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
        _pages.Add(_page.ToString());
        _page.Clear();
        _pending = Separator.None;
    }

    public ExtractedDocument ToDocument()
    {
        var texts = new List<string>(_pages) { _page.ToString() };
        var pages = new List<ExtractedPage>(texts.Count);
        for (var i = 0; i < texts.Count; i++)
        {
            pages.Add(new ExtractedPage(i + 1, TextNormalizer.Normalize(texts[i])));
        }

        return new ExtractedDocument(pages);
    }

    private void Request(Separator separator)
    {
        if (separator > _pending)
        {
            _pending = separator;
        }
    }
}
