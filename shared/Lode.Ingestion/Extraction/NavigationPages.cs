using System.Globalization;
using System.Text.RegularExpressions;

namespace Lode.Ingestion.Extraction;

/// <summary>
/// Recognises pages that only point elsewhere — tables of contents, indexes, lists of figures or tables — so their
/// chunks can be kept out of search results: they hold every distinctive term of the document next to a page number,
/// so they rank high for any question and answer none. Conservative by design, because a page wrongly flagged would
/// vanish from search: besides most of its lines being entries (a title or term, then a page reference the document
/// has) and almost no sentences, the page must read as one of the three shapes below. A fee schedule, a dose table or
/// a list of retention periods — a term and a number on every line — is none of them, and stays searchable.
/// <list type="bullet">
/// <item>a table of contents with dot leaders (six lines or more with them);</item>
/// <item>a table of contents without: the page numbers of consecutive entries mostly rise;</item>
/// <item>an index: terms in alphabetical order, the page references after a comma ("apt, 37", "make, 12, 45–47").</item>
/// </list>
/// </summary>
public static partial class NavigationPages
{
    /// <summary>Fewest entry lines a navigation page has; shorter pages are left alone (a short list is not a TOC).</summary>
    public const int MinEntries = 6;

    /// <summary>Share of a page's lines that must be entries.</summary>
    public const double MinEntryShare = 0.6;

    /// <summary>Most sentences of prose (8+ words ending in . ! ?) a navigation page may hold.</summary>
    public const int MaxSentences = 2;

    /// <summary>Share of consecutive pairs that must be in order (rising page numbers, alphabetical terms).</summary>
    public const double MinOrderedShare = 0.8;

    /// <summary>An entry is a line of a table of contents or an index: never longer than this.</summary>
    public const int MaxEntryChars = 200;

    // A title or term, then the page reference(s) ending the line: "3.2 Phony Targets . . . . 31", "make, 12, 45–47",
    // "Introduction ix". Anchored at the first letter and applied to short lines only, so it stays linear.
    [GeneratedRegex(@"^[^\p{L}]{0,20}\p{L}.*?(?<sep>\s|[.·…_]{2,}|,)\s*(?<page>\d{1,4}|[ivxlc]{1,7})(?:\s*[-–]\s*\d{1,4})?(?:\s*,\s*\d{1,4}(?:\s*[-–]\s*\d{1,4})?)*\s*$")]
    private static partial Regex EntryLine();

    // A run of three or more leader dots (spaced or not): the clearest mark of a table of contents.
    [GeneratedRegex(@"(?:\.\s?){3,}|…{2,}|·{3,}")]
    private static partial Regex DotLeaders();

    // A line that ends a sentence after at least eight words.
    [GeneratedRegex(@"^(?:\S+\s+){7,}\S*[a-z)\]""'’”][.!?][""'’”)]?$")]
    private static partial Regex SentenceLine();

    /// <summary>True when the page's lines read as a table of contents, an index or a list of figures.</summary>
    /// <param name="pageCount">Pages of the document: a number above it is not a page reference.</param>
    public static bool IsNavigationText(string pageText, int pageCount = int.MaxValue)
    {
        var lines = pageText.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length < MinEntries) return false;

        var entries = new List<Entry>();
        var sentences = 0;
        foreach (var line in lines)
        {
            if (line.Length > MaxEntryChars)
            {
                sentences++; // a line this long is prose (or a table row), never an entry
                continue;
            }

            if (SentenceLine().IsMatch(line)) sentences++;
            if (EntryLine().Match(line) is not { Success: true } match || PageOf(match.Groups["page"].Value) > pageCount) continue;
            entries.Add(new Entry(line, PageOf(match.Groups["page"].Value), match.Groups["sep"].Value == ",", DotLeaders().IsMatch(line)));
        }

        if (sentences > MaxSentences || entries.Count < MinEntries) return false;
        if (entries.Count(e => e.Leaders) >= MinEntries) return true;
        if (entries.Count < MinEntryShare * lines.Length) return false;
        return Ordered(entries, (a, b) => a.Page <= b.Page) ||
            (entries.Count(e => e.AfterComma) >= entries.Count / 2 &&
             Ordered(entries, (a, b) => string.Compare(a.Term, b.Term, CultureInfo.InvariantCulture, CompareOptions.IgnoreCase | CompareOptions.IgnoreSymbols) <= 0));
    }

    /// <summary>
    /// True for an HTML page that is mostly links: a menu, a table of contents or an index split into its own file.
    /// </summary>
    /// <param name="textChars">Visible characters of the page (whitespace not counted).</param>
    /// <param name="linkChars">Those inside links.</param>
    /// <param name="links">Number of links.</param>
    public static bool IsLinkList(long textChars, long linkChars, int links) =>
        links >= 2 * MinEntries && textChars > 0 && linkChars >= 0.5 * textChars;

    private sealed record Entry(string Line, int Page, bool AfterComma, bool Leaders)
    {
        // The entry without what precedes its first letter (a section number, a bullet).
        public string Term => Line[Line.TakeWhile(c => !char.IsLetter(c)).Count()..];
    }

    private static bool Ordered(List<Entry> entries, Func<Entry, Entry, bool> inOrder)
    {
        var pairs = entries.Count - 1;
        var ordered = 0;
        for (var i = 0; i < pairs; i++) ordered += inOrder(entries[i], entries[i + 1]) ? 1 : 0;
        return ordered >= MinOrderedShare * pairs;
    }

    // Arabic or lower-case roman; roman numbers (front matter) count as page 1 for ordering and the page-count check.
    private static int PageOf(string reference) =>
        int.TryParse(reference, NumberStyles.None, CultureInfo.InvariantCulture, out var page) ? page : 1;
}
