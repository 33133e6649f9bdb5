using System.Text.RegularExpressions;

namespace Lode.Chat.Answering;

/// <summary>Finds the source numbers an answer cites: [1], [2][3], [2, 3] and [2-4] forms.</summary>
public static partial class CitationParser
{
    [GeneratedRegex(@"\[(\d{1,3}(?:\s*[-,–]\s*\d{1,3})*)\]")]
    private static partial Regex Brackets();

    /// <summary>The cited numbers that exist among 1..<paramref name="sourceCount"/>, in order of first citation.</summary>
    public static IReadOnlyList<int> Cited(string answer, int sourceCount)
    {
        var cited = new List<int>();
        foreach (Match match in Brackets().Matches(answer))
        {
            foreach (var part in match.Groups[1].Value.Split(','))
            {
                var range = part.Split(['-', '–']);
                if (!int.TryParse(range[0], out var from)) continue;
                var to = range.Length > 1 && int.TryParse(range[1], out var end) ? end : from;
                for (var n = from; n <= Math.Min(to, from + 20); n++)
                {
                    if (n >= 1 && n <= sourceCount && !cited.Contains(n)) cited.Add(n);
                }
            }
        }
        return cited;
    }
}
