using System.Text;
using System.Text.RegularExpressions;
using Lode.Chat.Prompting;

namespace Lode.Chat.Answering;

/// <summary>
/// The answer when no language model is configured: from each of the best sources, the sentences that share the most
/// words with the question, quoted with their source number. It is labelled as extractive so nobody mistakes it for a
/// written answer.
/// </summary>
public static partial class ExtractiveAnswerer
{
    public const string Label = "No language model is configured, so this answer quotes the most relevant passages from the documents:";

    [GeneratedRegex(@"(?<=[.!?])\s+(?=[\p{Lu}\d""'(\[])")]
    private static partial Regex SentenceBoundary();

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Word();

    public static string Answer(string question, IReadOnlyList<NumberedSource> sources, int passages)
    {
        var questionWords = Words(question);
        var answer = new StringBuilder(Label).Append('\n');
        foreach (var source in sources.Take(passages))
        {
            answer.Append("\n- ").Append(BestSentences(source.Chunk.Text, questionWords)).Append(" [").Append(source.Number).Append(']');
        }
        return answer.ToString();
    }

    /// <summary>Up to two adjacent sentences around the one with the most question words (the first sentence if none match).</summary>
    private static string BestSentences(string text, HashSet<string> questionWords)
    {
        var sentences = SentenceBoundary().Split(string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));
        var best = 0;
        var bestScore = -1;
        for (var i = 0; i < sentences.Length; i++)
        {
            var score = Words(sentences[i]).Count(questionWords.Contains);
            if (score > bestScore) (best, bestScore) = (i, score);
        }
        var quote = sentences[best];
        if (quote.Length < 120 && best + 1 < sentences.Length) quote += " " + sentences[best + 1];
        return quote.Length <= 600 ? quote : NumberedSource.Snippet(quote, 600);
    }

    private static HashSet<string> Words(string text) =>
        Word().Matches(text).Select(m => m.Value.ToLowerInvariant()).Where(w => w.Length > 2).ToHashSet();
}
