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

    /// <summary>
    /// Pages with more lines than this get no outline placement (a page of real text has a few hundred at most; a
    /// crafted one with a million would make every bookmark's search cost a million line reads).
    /// </summary>
    private const int MaxLinesPlaced = 2_000;

    /// <summary>The headings from the outline when it is safe and usable, else from font sizes.</summary>
    public static IReadOnlyList<PdfHeading> Find(PdfDocument document, IReadOnlyList<List<PdfLine>> pages, CancellationToken cancellationToken)
    {
        IReadOnlyList<PdfHeading> fromOutline = [];
        try
        {
            if (PdfOutlineGuard.IsSafe(document) && document.TryGetBookmarks(out var bookmarks))
                fromOutline = FromOutline(bookmarks, pages, cancellationToken);
        }
        catch (Exception e) when (e is not (OperationCanceledException or OutOfMemoryException))
        {
            // A damaged outline costs the outline, not the document: headings then come from font sizes.
        }

        return fromOutline.Count > 0 ? fromOutline : FromFontSizes(pages, cancellationToken);
    }

    public static IReadOnlyList<PdfHeading> FromOutline(Bookmarks bookmarks, IReadOnlyList<List<PdfLine>> pages, CancellationToken cancellationToken)
    {
        var headings = new List<PdfHeading>();
        var titleIndexes = new Dictionary<int, TitleIndex>();
        foreach (var node in Flatten(bookmarks.Roots).Take(PdfOutlineGuard.MaxItems))
        {
            cancellationToken.ThrowIfCancellationRequested();
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
            (int Line, int Count) place = (Math.Min(after, lines.Count), 0);
            if (lines.Count <= MaxLinesPlaced)
            {
                if (!titleIndexes.TryGetValue(pageIndex, out var index)) titleIndexes[pageIndex] = index = new TitleIndex(lines);
                place = index.Locate(title, after, top) ?? (BelowDestination(lines, top, after), 0);
            }

            headings.Add(new PdfHeading(pageIndex, place.Line, place.Count, node.Level + 1, title));
        }

        return headings;
    }

    // Depth first, children before the next sibling (reading order), without recursion.
    private static IEnumerable<BookmarkNode> Flatten(IReadOnlyList<BookmarkNode> roots)
    {
        var pending = new Stack<BookmarkNode>(roots.Reverse());
        while (pending.Count > 0)
        {
            var node = pending.Pop();
            yield return node;
            for (var i = node.Children.Count - 1; i >= 0; i--) pending.Push(node.Children[i]);
        }
    }

    /// <summary>
    /// Where each title could be shown on one page: for every line, alone or with the next one or two (a title set over
    /// several lines), its letters with each numbering the bookmark may leave out ("3.2", "Chapter 3:", "Appendix A")
    /// taken off the front. Built once per page, so placing a bookmark is a lookup, not a scan of the page.
    /// </summary>
    private sealed class TitleIndex
    {
        private const int MaxTitleLetters = 240;
        private const int MaxNumberingLetters = 16;

        private readonly List<PdfLine> _lines;
        private readonly Dictionary<string, List<(int Line, int Count)>> _places = new(StringComparer.Ordinal);

        public TitleIndex(List<PdfLine> lines)
        {
            _lines = lines;
            var letters = lines.Select(l => Letters(l.Text)).ToList();
            for (var i = 0; i < lines.Count; i++)
            {
                var joined = "";
                for (var n = 1; n <= MaxHeadingLines && i + n <= lines.Count; n++)
                {
                    joined += letters[i + n - 1];
                    if (joined.Length > MaxTitleLetters + MaxNumberingLetters) break;
                    for (var prefix = 0; prefix <= Math.Min(MaxNumberingLetters, joined.Length - 1); prefix++)
                    {
                        if (!Numbering().IsMatch(joined.AsSpan(0, prefix))) continue;
                        var key = joined[prefix..];
                        if (!_places.TryGetValue(key, out var places)) _places[key] = places = [];
                        if (places.Count == 0 || places[^1].Line != i) places.Add((i, n));
                    }
                }
            }
        }

        /// <summary>
        /// The first line from <paramref name="from"/> that shows the title; when it is shown on several, the first at
        /// or below the destination's top edge.
        /// </summary>
        public (int Line, int Count)? Locate(string title, int from, double? top)
        {
            var key = Letters(title);
            if (key.Length == 0 || !_places.TryGetValue(key, out var places)) return null;
            (int Line, int Count)? first = null;
            foreach (var place in places)
            {
                if (place.Line < from) continue;
                if (top is not double y || _lines[place.Line].Baseline <= y + 2) return place;
                first ??= place;
            }

            return first;
        }
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
    public static IReadOnlyList<PdfHeading> FromFontSizes(IReadOnlyList<List<PdfLine>> pages, CancellationToken cancellationToken)
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
            cancellationToken.ThrowIfCancellationRequested();
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
