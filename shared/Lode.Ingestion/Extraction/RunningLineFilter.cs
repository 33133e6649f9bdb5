using System.Text;

namespace Lode.Ingestion.Extraction;

/// <summary>
/// Removes running headers and footers: lines that open or close most pages of a document ("ACME Corp — Confidential",
/// "Page 3 of 12"). They repeat on every page, so they would make every chunk look alike to search and waste the
/// embedding on boilerplate. Conservative on purpose: only the first and last <see cref="EdgeLines"/> lines of a page
/// are candidates, digits are ignored when comparing (page numbers), and a line must recur on at least half the pages
/// and on <see cref="MinPages"/> or more. Headers that change per chapter are therefore kept.
/// </summary>
internal static class RunningLineFilter
{
    public const int EdgeLines = 2;
    public const int MinPages = 3;

    public static void RemoveRunningLines(IReadOnlyList<List<string>> pages) => RemoveRunningLines(pages, line => line);

    /// <summary>As above, for lines that carry more than their text (<paramref name="textOf"/> reads it).</summary>
    public static void RemoveRunningLines<TLine>(IReadOnlyList<List<TLine>> pages, Func<TLine, string> textOf)
    {
        if (pages.Count < MinPages)
        {
            return;
        }

        var threshold = Math.Max(MinPages, (pages.Count + 1) / 2);
        var top = CountEdgeKeys(pages, textOf, fromTop: true);
        var bottom = CountEdgeKeys(pages, textOf, fromTop: false);

        foreach (var lines in pages)
        {
            // Only a run of running lines at the very edge goes; the first ordinary line ends the search.
            var removeTop = 0;
            while (removeTop < Math.Min(EdgeLines, lines.Count) && top.GetValueOrDefault(Key(textOf(lines[removeTop]))) >= threshold)
            {
                removeTop++;
            }

            lines.RemoveRange(0, removeTop);

            var removeBottom = 0;
            while (removeBottom < Math.Min(EdgeLines, lines.Count) &&
                   bottom.GetValueOrDefault(Key(textOf(lines[lines.Count - 1 - removeBottom]))) >= threshold)
            {
                removeBottom++;
            }

            lines.RemoveRange(lines.Count - removeBottom, removeBottom);
        }
    }

    /// <summary>On how many pages each key occurs among the edge lines (each page counts once per key).</summary>
    private static Dictionary<string, int> CountEdgeKeys<TLine>(IReadOnlyList<List<TLine>> pages, Func<TLine, string> textOf, bool fromTop)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var lines in pages)
        {
            seen.Clear();
            var n = Math.Min(EdgeLines, lines.Count);
            for (var k = 0; k < n; k++)
            {
                var key = Key(textOf(fromTop ? lines[k] : lines[lines.Count - 1 - k]));
                if (key.Length > 0 && seen.Add(key))
                {
                    counts[key] = counts.GetValueOrDefault(key) + 1;
                }
            }
        }

        return counts;
    }

    /// <summary>The line with each run of digits as '#' and whitespace collapsed, case-insensitive: "Page 3 of 12" → "page # of #".</summary>
    private static string Key(string line)
    {
        var key = new StringBuilder(line.Length);
        var previous = '\0';
        foreach (var c in line)
        {
            var mapped = char.IsDigit(c) ? '#' : char.IsWhiteSpace(c) ? ' ' : char.ToLowerInvariant(c);
            if ((mapped == '#' || mapped == ' ') && mapped == previous)
            {
                continue;
            }

            key.Append(mapped);
            previous = mapped;
        }

        return key.ToString().Trim();
    }
}
