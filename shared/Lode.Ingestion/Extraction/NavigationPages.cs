using System.Text.RegularExpressions;

namespace Lode.Ingestion.Extraction;

/// <summary>
/// Recognises pages that only point elsewhere — tables of contents, indexes, lists of figures or tables — so their
/// chunks can be kept out of search results: they hold every distinctive term of the document next to a page number,
/// so they rank high for any question and answer none. Conservative by design, because a page of prose wrongly flagged
/// would vanish from search: a page is navigation only when most of its lines are entries (a title or term followed
/// by a page reference, with or without dot leaders) and it holds almost no sentences.
/// </summary>
public static partial class NavigationPages
{
    /// <summary>Fewest entry lines a navigation page has; shorter pages are left alone (a short list is not a TOC).</summary>
    public const int MinEntries = 6;

    /// <summary>Share of a page's lines that must be entries.</summary>
    public const double MinEntryShare = 0.6;

    /// <summary>Most sentences of prose (8+ words ending in . ! ?) a navigation page may hold.</summary>
    public const int MaxSentences = 2;

    // A title or term, then a page reference at the end of the line: "3.2 Phony Targets . . . . 31", "make, 12, 45–47",
    // "Introduction ix". Dot leaders may be spaced; the reference is 1-4 digits, a range, or a lower-case roman numeral.
    [GeneratedRegex(@"\p{L}.*?(?:\s|[.·…_]{2,}|,)\s*(?:\d{1,4}(?:\s*[-–]\s*\d{1,4})?|[ivxlc]{1,7})(?:\s*,\s*(?:\d{1,4}(?:\s*[-–]\s*\d{1,4})?))*\s*$")]
    private static partial Regex EntryLine();

    // A run of three or more leader dots (spaced or not): the clearest mark of a table of contents.
    [GeneratedRegex(@"(?:\.\s?){3,}|…{2,}|·{3,}")]
    private static partial Regex DotLeaders();

    // A line that ends a sentence after at least eight words.
    [GeneratedRegex(@"^(?:\S+\s+){7,}\S*[a-z)\]""'’”][.!?][""'’”)]?$")]
    private static partial Regex SentenceLine();

    /// <summary>True when the page's lines read as a table of contents, an index or a list of figures.</summary>
    public static bool IsNavigationText(string pageText)
    {
        var lines = pageText.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (lines.Length < MinEntries) return false;

        int entries = 0, leaders = 0, sentences = 0;
        foreach (var line in lines)
        {
            if (SentenceLine().IsMatch(line)) sentences++;
            if (!EntryLine().IsMatch(line)) continue;
            entries++;
            if (DotLeaders().IsMatch(line)) leaders++;
        }

        if (sentences > MaxSentences || entries < MinEntries) return false;
        // Dot leaders on several lines settle it; otherwise most lines must be entries.
        return leaders >= MinEntries || entries >= MinEntryShare * lines.Length;
    }

    /// <summary>
    /// True for an HTML page that is mostly links: a menu, a table of contents or an index split into its own file.
    /// </summary>
    /// <param name="textChars">Visible characters of the page (whitespace not counted).</param>
    /// <param name="linkChars">Those inside links.</param>
    /// <param name="links">Number of links.</param>
    public static bool IsLinkList(long textChars, long linkChars, int links) =>
        links >= 2 * MinEntries && textChars > 0 && linkChars >= 0.5 * textChars;
}
