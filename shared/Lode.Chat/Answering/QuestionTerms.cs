using System.Text.RegularExpressions;

namespace Lode.Chat.Answering;

/// <summary>
/// The words of a text that say what it is about, as comparable terms: lower case, English function words dropped,
/// a plural or verb ending taken off ("upgrades", "upgraded", "upgrading" → "upgrad"), so a question and a passage
/// that word the same thing differently still meet. Deliberately crude: it only ranks sentences already retrieved.
/// </summary>
internal static partial class QuestionTerms
{
    private static readonly HashSet<string> StopWords = new(StringComparer.Ordinal)
    {
        "a", "about", "after", "all", "also", "am", "an", "and", "any", "are", "as", "at", "be", "been", "before", "being",
        "between", "both", "but", "by", "can", "could", "did", "do", "does", "doing", "done", "each", "for", "from", "get",
        "gets", "had", "has", "have", "having", "how", "i", "if", "in", "into", "is", "it", "its", "just", "may", "me",
        "might", "more", "most", "must", "my", "no", "not", "of", "on", "one", "only", "or", "other", "our", "out", "own",
        "same", "shall", "should", "so", "some", "such", "than", "that", "the", "their", "them", "then", "there", "these",
        "they", "this", "those", "through", "to", "too", "under", "up", "use", "used", "using", "very", "want", "was", "way",
        "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will", "with", "would", "you", "your",
    };

    private static readonly string[] Endings = ["ing", "ed", "es", "s"];

    [GeneratedRegex(@"[\p{L}\p{N}][\p{L}\p{N}_+#-]*")]
    private static partial Regex Word();

    public static HashSet<string> Of(string text)
    {
        var terms = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match match in Word().Matches(text))
        {
            var word = match.Value.ToLowerInvariant().Trim('-');
            if (word.Length < 2 || StopWords.Contains(word)) continue;
            terms.Add(Stem(word));
        }

        return terms;
    }

    private static string Stem(string word)
    {
        foreach (var ending in Endings)
        {
            if (word.Length - ending.Length >= 4 && word.EndsWith(ending, StringComparison.Ordinal)) return word[..^ending.Length];
        }

        return word;
    }
}
