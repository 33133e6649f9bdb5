using System.Text.RegularExpressions;

namespace Lode.Tests.Support;

/// <summary>
/// The configuration keys README.md documents: the first column of every Markdown table whose header starts with
/// <c>| key |</c>. A cell may name several keys (<c>`Storage:AccessKey`, `Storage:SecretKey`</c>); one that starts with
/// <c>:</c> replaces the last segment of the key before it (<c>`Access:PrefixRules:&lt;n&gt;:Bucket`, `:Prefix`</c>).
/// Placeholders such as <c>&lt;name&gt;</c> become <see cref="AppConfigurationKeys.AnySegment"/>.
/// </summary>
public static partial class ReadmeConfigurationTable
{
    public static IReadOnlyList<DocumentedKey> Read(string markdown)
    {
        var keys = new List<DocumentedKey>();
        var lines = markdown.Split('\n');
        var inTable = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (!line.StartsWith('|'))
            {
                inTable = false;
                continue;
            }
            var firstCell = FirstCell(line);
            if (!inTable)
            {
                // Header row, then the |---| separator.
                inTable = firstCell.Equals("key", StringComparison.OrdinalIgnoreCase);
                if (inTable) i++;
                continue;
            }
            string? previous = null;
            foreach (Match span in CodeSpan().Matches(firstCell))
            {
                var text = span.Groups[1].Value;
                var key = text.StartsWith(':') && previous is not null
                    ? previous[..previous.LastIndexOf(':')] + text
                    : text;
                previous = key;
                keys.Add(new DocumentedKey(Placeholder().Replace(key, AppConfigurationKeys.AnySegment), i + 1));
            }
        }
        return keys;
    }

    // Up to the first pipe that is not escaped (README escapes pipes inside cells as \|).
    private static string FirstCell(string row)
    {
        var end = 1;
        while (end < row.Length && !(row[end] == '|' && row[end - 1] != '\\')) end++;
        return row[1..Math.Min(end, row.Length)].Trim();
    }

    [GeneratedRegex("`([^`]+)`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Placeholder();
}

/// <summary>A key as README documents it (placeholders as <c>*</c>), and the README line it is on.</summary>
public sealed record DocumentedKey(string Key, int Line);
