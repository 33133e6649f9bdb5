namespace Lode.Benchmarks;

/// <summary>
/// Word accuracy of OCR text against its source: the source words matched by an optimal word-level alignment
/// (Levenshtein over word sequences: substitutions, insertions and deletions cost 1, equal words 0), divided by the
/// number of source words. Words are whitespace-separated and compared case-sensitively after stripping punctuation
/// at their edges (quotes, commas, full stops, "--"), so "equal." matches "equal" but "liberty" does not match
/// "Liberty"; a word left empty by stripping (a dash) is not a word. Inner hyphens and apostrophes stay.
/// </summary>
internal static class WordAccuracy
{
    public static double Of(string source, string ocr)
    {
        var expected = Words(source);
        var actual = Words(ocr);
        return expected.Count == 0 ? 1 : (double)MatchedWords(expected, actual) / expected.Count;
    }

    public static IReadOnlyList<string> Words(string text) =>
        text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Select(w => w.Trim().Trim(Punctuation))
            .Where(w => w.Length > 0)
            .ToList();

    private static readonly char[] Punctuation = ['.', ',', ';', ':', '!', '?', '"', '\'', '(', ')', '[', ']', '-', '\u2014', '\u2013', '\u201C', '\u201D', '\u2018', '\u2019'];

    /// <summary>Equal pairs on one optimal alignment path (ties broken towards a match, so the count is the most any optimal path has).</summary>
    private static int MatchedWords(IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        // cost[i, j]: edits to turn expected[..i] into actual[..j]; matches[i, j]: equal pairs on that path.
        var cost = new int[expected.Count + 1, actual.Count + 1];
        var matches = new int[expected.Count + 1, actual.Count + 1];
        for (var i = 0; i <= expected.Count; i++) cost[i, 0] = i;
        for (var j = 0; j <= actual.Count; j++) cost[0, j] = j;
        for (var i = 1; i <= expected.Count; i++)
        {
            for (var j = 1; j <= actual.Count; j++)
            {
                var equal = string.Equals(expected[i - 1], actual[j - 1], StringComparison.Ordinal);
                (int Cost, int Matches) best = (cost[i - 1, j - 1] + (equal ? 0 : 1), matches[i - 1, j - 1] + (equal ? 1 : 0));
                foreach (var (c, m) in new[] { (cost[i - 1, j] + 1, matches[i - 1, j]), (cost[i, j - 1] + 1, matches[i, j - 1]) })
                {
                    if (c < best.Cost || (c == best.Cost && m > best.Matches)) best = (c, m);
                }

                (cost[i, j], matches[i, j]) = best;
            }
        }

        return matches[expected.Count, actual.Count];
    }
}
