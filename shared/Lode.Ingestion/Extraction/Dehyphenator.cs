using System.Text;

namespace Lode.Ingestion.Extraction;

/// <summary>
/// Rejoins words that typesetting hyphenated across a line end ("inter-" + "national" → "international"), so that
/// search finds the word. Only a letter, a hyphen and a next line starting with a lower-case letter count: a line
/// ending in "well-" followed by "Known" or "2024", a dash after a space, or "--" are left as they are. Real
/// compounds broken at their own hyphen ("well-" + "known") are joined too; that loss is the usual trade-off.
/// </summary>
internal static class Dehyphenator
{
    public static string Join(IReadOnlyList<string> lines)
    {
        var output = new StringBuilder();
        for (var i = 0; i < lines.Count; i++)
        {
            var line = lines[i];
            if (i + 1 < lines.Count && EndsWithBrokenWord(line, lines[i + 1]))
            {
                // Drop the hyphen and the line end; the next line continues this one.
                output.Append(line, 0, line.Length - 1);
                continue;
            }

            output.Append(line).Append('\n');
        }

        return output.ToString();
    }

    private static bool EndsWithBrokenWord(string line, string next) =>
        line.Length >= 2 &&
        line[^1] is '-' or '\u2010' or '\u00AD' &&
        char.IsLetter(line[^2]) &&
        next.Length > 0 &&
        char.IsLower(next[0]);
}
