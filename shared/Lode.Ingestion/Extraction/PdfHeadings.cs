using System.Text;
using UglyToad.PdfPig;
using UglyToad.PdfPig.Outline;

namespace Lode.Ingestion.Extraction;

/// <summary>A heading found on a PDF page: <see cref="LineCount"/> lines from <see cref="Line"/> of page index <see cref="PageIndex"/>.</summary>
internal sealed record PdfHeading(int PageIndex, int Line, int LineCount, int Level, string Title);

/// <summary>
/// Where a PDF's sections begin. The outline (bookmarks) is the author's own table of contents and wins when the file
/// has one: each bookmark is placed on the line of its page that carries its title (or, failing that, the first line
/// below its destination). Without an outline, headings are the short lines set clearly larger than the body text
/// (<see cref="FromFontSizes"/>).
/// </summary>
internal static partial class PdfHeadings
{
    /// <summary>A heading line is at least this much larger than the body text (and at least 1 pt).</summary>
    public const double MinSizeRatio = 1.15;

    /// <summary>Font sizes set larger than the body, deepest level kept apart; smaller heading sizes share the last level.</summary>
    public const int MaxLevels = 4;

    // A size used by more than this share of the lines is running text (a second body size), not headings.
    private const double MaxHeadingLineShare = 0.2;

    private const int MaxHeadingChars = 150;
    private const int MaxHeadingWords = 16;
    private const int MaxHeadingLines = 3;

    public static IReadOnlyList<PdfHeading> Find(PdfDocument document, IReadOnlyList<List<PdfLine>> pages)
    {
        var fromOutline = document.TryGetBookmarks(out var bookmarks) ? FromOutline(bookmarks, pages) : [];
        return fromOutline.Count > 0 ? fromOutline : FromFontSizes(pages);
    }

    public static IReadOnlyList<PdfHeading> FromOutline(Bookmarks bookmarks, IReadOnlyList<List<PdfLine>> pages)
    {
        var headings = new List<PdfHeading>();
        foreach (var node in Flatten(bookmarks.Roots))
        {
            if (node is not DocumentBookmarkNode { PageNumber: > 0 } target || target.PageNumber > pages.Count ||
                HeadingOutline.CleanOrNull(node.Title) is not { } title)
            {
                continue;
            }

            var pageIndex = target.PageNumber - 1;
            var lines = pages[pageIndex];
            // Bookmarks come in reading order: on a page shared with the previous one, look after it.
            var after = headings.Count > 0 && headings[^1].PageIndex == pageIndex ? headings[^1].Line + headings[^1].LineCount : 0;
            var top = target.Destination?.Coordinates?.Top;
            var (line, count) = LocateTitle(lines, title, after, top) ?? (BelowDestination(lines, top, after), 0);
            headings.Add(new PdfHeading(pageIndex, line, count, node.Level + 1, title));
        }

        return headings;
    }

    private static IEnumerable<BookmarkNode> Flatten(IEnumerable<BookmarkNode> nodes)
    {
        foreach (var node in nodes)
        {
            yield return node;
            foreach (var child in Flatten(node.Children)) yield return child;
        }
    }

    /// <summary>
    /// The line (from <paramref name="from"/>) that reads as the title, alone or with the next lines of a title set
    /// over several; a numbering the bookmark leaves out ("3.2", "Chapter 3:", "Appendix A") may precede it. When the
    /// title occurs on several lines, the first at or below the destination's top edge.
    /// </summary>
    private static (int Line, int Count)? LocateTitle(List<PdfLine> lines, string title, int from, double? top)
    {
        var key = Letters(title);
        if (key.Length == 0) return null;
        (int Line, int Count)? first = null;
        for (var i = from; i < lines.Count; i++)
        {
            var joined = "";
            for (var n = 1; n <= MaxHeadingLines && i + n <= lines.Count; n++)
            {
                joined += Letters(lines[i + n - 1].Text);
                if (joined.Length > key.Length + 16) break;
                if (!joined.EndsWith(key, StringComparison.Ordinal) || !Numbering().IsMatch(joined[..^key.Length])) continue;
                if (top is not double y || lines[i].Baseline <= y + 2) return (i, n);
                first ??= (i, n);
                break;
            }
        }

        return first;
    }

    // What may precede a title on its line, letters and digits only: "32" (3.2), "chapter3", "appendixa", "partii".
    [System.Text.RegularExpressions.GeneratedRegex("^(?:chapter|appendix|part|section)?(?:[a-z]|[ivxlc]{1,5})?[0-9]*$")]
    private static partial System.Text.RegularExpressions.Regex Numbering();

    /// <summary>The first line at or below a destination's top edge; the first line searched when it has none.</summary>
    private static int BelowDestination(List<PdfLine> lines, double? top, int from)
    {
        if (top is double y)
        {
            for (var i = from; i < lines.Count; i++)
            {
                if (lines[i].Baseline <= y + 1) return i;
            }
        }

        return Math.Min(from, lines.Count);
    }

    /// <summary>
    /// Headings of a PDF without an outline: lines of at most a few words whose size is well above the body text's
    /// (the size most characters are set in), with a letter in them. Consecutive lines of the same heading size form one
    /// heading. Larger sizes are outer levels.
    /// </summary>
    public static IReadOnlyList<PdfHeading> FromFontSizes(IReadOnlyList<List<PdfLine>> pages)
    {
        var charsBySize = new Dictionary<double, long>();
        var linesBySize = new Dictionary<double, int>();
        var totalLines = 0;
        foreach (var line in pages.SelectMany(p => p))
        {
            var size = SizeClass(line.FontSize);
            charsBySize[size] = charsBySize.GetValueOrDefault(size) + line.Text.Length;
            linesBySize[size] = linesBySize.GetValueOrDefault(size) + 1;
            totalLines++;
        }

        if (charsBySize.Count == 0) return [];
        var body = charsBySize.MaxBy(s => s.Value).Key;
        var headingSizes = linesBySize
            .Where(s => s.Key >= body * MinSizeRatio && s.Key - body >= 1 && s.Value <= MaxHeadingLineShare * totalLines)
            .Select(s => s.Key)
            .OrderDescending()
            .ToList();
        if (headingSizes.Count == 0) return [];

        var headings = new List<PdfHeading>();
        for (var p = 0; p < pages.Count; p++)
        {
            var lines = pages[p];
            for (var i = 0; i < lines.Count; i++)
            {
                var level = headingSizes.IndexOf(SizeClass(lines[i].FontSize));
                if (level < 0 || !LooksLikeHeading(lines[i].Text)) continue;
                var count = 1;
                while (count < MaxHeadingLines && i + count < lines.Count &&
                       SizeClass(lines[i + count].FontSize) == headingSizes[level] && LooksLikeHeading(lines[i + count].Text))
                {
                    count++;
                }

                var title = string.Join(' ', lines.Skip(i).Take(count).Select(l => l.Text));
                headings.Add(new PdfHeading(p, i, count, Math.Min(level + 1, MaxLevels), HeadingOutline.Clean(title)));
                i += count - 1;
            }
        }

        return headings;
    }

    private static bool LooksLikeHeading(string text) =>
        text.Length <= MaxHeadingChars && text.Any(char.IsLetter) &&
        text.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length <= MaxHeadingWords;

    // Sizes to the half point: one style's glyphs differ by rounding, not by design.
    private static double SizeClass(double size) => Math.Round(size * 2) / 2;

    // Letters and digits only, lower case: how a title and the line that shows it are compared.
    private static string Letters(string text)
    {
        var key = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c)) key.Append(char.ToLowerInvariant(c));
        }

        return key.ToString();
    }
}
