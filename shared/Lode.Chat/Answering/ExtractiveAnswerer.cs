using System.Text;
using System.Text.RegularExpressions;
using Lode.Chat.Prompting;
using Lode.Retrieval;

namespace Lode.Chat.Answering;

/// <summary>
/// The answer when no language model is configured (or it could not answer in time): from each of the best sources,
/// the sentences that share the most words with the question, quoted with their source number. It is labelled as
/// extractive, with the reason, so nobody mistakes it for a written answer.
/// </summary>
public static partial class ExtractiveAnswerer
{
    public const string Label = "No language model is configured, so this answer quotes the most relevant passages from the documents:";

    /// <summary>The label when the model did not finish within the caller's time budget.</summary>
    public const string TooSlowLabel = "The model took too long; here are the most relevant passages from the documents:";

    /// <summary>The label when the model could not take the question at all (every sequence busy).</summary>
    public const string BusyLabel = "The model is busy; here are the most relevant passages from the documents:";

    [GeneratedRegex(@"(?<=[.!?])\s+(?=[\p{Lu}\d""'(\[])")]
    private static partial Regex SentenceBoundary();

    [GeneratedRegex(@"[\p{L}\p{N}]+")]
    private static partial Regex Word();

    public static string Answer(string question, IReadOnlyList<NumberedSource> sources, int passages, string label = Label)
    {
        var questionWords = Words(question);
        var answer = new StringBuilder(label).Append('\n');
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
        return quote.Length <= 600 ? quote : TextSnippet.Of(quote, 600);
    }

    private static HashSet<string> Words(string text) =>
        Word().Matches(text).Select(m => m.Value.ToLowerInvariant()).Where(w => w.Length > 2).ToHashSet();
}
