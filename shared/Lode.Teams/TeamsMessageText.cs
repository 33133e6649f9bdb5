using System.Net;
using System.Text.RegularExpressions;

namespace Lode.Teams;

/// <summary>
/// The question in a Teams message: its text is HTML (<c>&lt;at&gt;Lode&lt;/at&gt;&amp;nbsp;How many &lt;b&gt;days&lt;/b&gt;?</c>)
/// and starts with the mention that sent it to the webhook. The bot's mention is dropped, other people's mentions
/// keep their names, tags are removed and entities decoded.
/// </summary>
public static partial class TeamsMessageText
{
    [GeneratedRegex(@"<at\b[^>]*>.*?</at>", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex MentionElement();

    // Tags that end a line or block become a space, so words on either side do not run together.
    [GeneratedRegex(@"</?(?:p|div|br|li|ul|ol|tr|td|th|h[1-6]|blockquote|pre)\b[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex BlockTag();

    [GeneratedRegex(@"<[^>]*>")]
    private static partial Regex AnyTag();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();

    public static string Question(TeamsActivity activity)
    {
        var text = activity.Text;
        var botMentions = activity.Mentions.Where(m => m.IsBot && !string.IsNullOrEmpty(m.Text)).Select(m => m.Text!).ToList();
        if (botMentions.Count > 0)
        {
            foreach (var mention in botMentions) text = text.Replace(mention, " ", StringComparison.Ordinal);
        }
        else
        {
            // No entity says which mention is the webhook's; the message reached it by mentioning it, first.
            text = MentionElement().Replace(text, " ", 1);
        }

        text = AnyTag().Replace(BlockTag().Replace(text, " "), "");
        // Decoded last: an encoded "&lt;b&gt;" is what the user typed, not markup to remove.
        return Whitespace().Replace(WebUtility.HtmlDecode(text), " ").Trim();
    }
}
