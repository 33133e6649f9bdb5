using System.Text;
using System.Text.RegularExpressions;
using Lode.Chat.Prompting;
using Lode.Retrieval;

namespace Lode.Chat.Answering;

/// <summary>
/// The answer when no language model is configured (or it could not answer in time): the sentences of the retrieved
/// passages that best answer the question, quoted with their source number (whose citation gives the page and
/// section). Sentences are ranked across all sources together — by the question's words they hold, rarer words
/// counting more (idf over the candidate sentences), a word of the passage's headings counting half, and the
/// retriever's order breaking ties — so a vague question is answered from the passage that says most, not one
/// sentence from each. What is not a sentence of prose is never quoted: table-of-contents and index lines (dot
/// leaders, a title followed by a page number), headings and fragments of a few words. It is labelled as extractive,
/// with the reason, so nobody mistakes it for a written answer.
/// </summary>
public static partial class ExtractiveAnswerer
{
    public const string Label = "No language model is configured, so this answer quotes the most relevant passages from the documents:";

    /// <summary>The label when the model did not finish within the caller's time budget.</summary>
    public const string TooSlowLabel = "The model took too long; here are the most relevant passages from the documents:";

    /// <summary>The label when the model could not take the question at all (every sequence busy).</summary>
    public const string BusyLabel = "The model is busy; here are the most relevant passages from the documents:";

    // A quote this short takes the next sentence along, for context; no quote is longer than MaxQuoteChars.
    private const int ShortQuoteChars = 120;
    private const int MaxQuoteChars = 600;

    private const int MinQuoteWords = 5;
    private const int MinUnterminatedWords = 12;

    // At most this many quotes from one source, so that one long passage does not crowd out the others.
    private const int MaxQuotesPerSource = 2;

    public static string Answer(string question, IReadOnlyList<NumberedSource> sources, int passages, string label = Label)
    {
        var terms = QuestionTerms.Of(question);
        var candidates = sources.SelectMany((source, rank) => Sentences(source, rank)).ToList();
        var idf = InverseDocumentFrequency(terms, candidates);

        var chosen = candidates
            .Select(c => (Candidate: c, Score: Score(c, terms, idf)))
            .Where(c => c.Score > 0)
            .OrderByDescending(c => c.Score).ThenBy(c => c.Candidate.Rank).ThenBy(c => c.Candidate.Index)
            .Select(c => c.Candidate)
            .GroupBy(c => c.Source.Number).SelectMany(g => g.Take(MaxQuotesPerSource))
            .OrderByDescending(c => Score(c, terms, idf)).ThenBy(c => c.Rank).ThenBy(c => c.Index)
            .Take(passages)
            .ToList();
        if (chosen.Count == 0)
        {
            // Nothing shares a word with the question: the best passages' opening sentences, as the retriever ranked them.
            chosen = candidates.GroupBy(c => c.Source.Number).Select(g => g.First()).Take(passages).ToList();
        }

        var answer = new StringBuilder(label).Append('\n');
        foreach (var quote in chosen)
            answer.Append("\n- ").Append(Quote(quote, candidates)).Append(" [").Append(quote.Source.Number).Append(']');
        return answer.ToString();
    }

    /// <summary>A quotable sentence of a source, with where it is (the source's rank, the sentence's index in it).</summary>
    private sealed record Candidate(NumberedSource Source, int Rank, int Index, string Text, HashSet<string> Terms, HashSet<string> HeadingTerms);

    private static IEnumerable<Candidate> Sentences(NumberedSource source, int rank)
    {
        var headingTerms = QuestionTerms.Of(string.Join(' ', source.Chunk.HeadingPath));
        var index = 0;
        // Lines first: a line that is a heading or an index entry never joins the sentence after it.
        foreach (var block in source.Chunk.Text.Split("\n\n"))
        {
            foreach (var sentence in SentenceBoundary().Split(Flatten(block)))
            {
                if (IsQuotable(sentence)) yield return new Candidate(source, rank, index++, sentence, QuestionTerms.Of(sentence), headingTerms);
            }
        }
    }

    // Lines with dot leaders are table-of-contents entries, whatever surrounds them: they go before sentences are cut.
    private static string Flatten(string block) =>
        string.Join(' ', block.Split('\n').Where(line => !DotLeaders().IsMatch(line))
            .SelectMany(line => line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));

    /// <summary>
    /// Prose: five words or more, mostly letters, and a sentence's end — or, without one, long enough not to be a
    /// heading, a caption or an index entry ("Phony Targets 31").
    /// </summary>
    private static bool IsQuotable(string sentence)
    {
        var words = sentence.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (words.Length < MinQuoteWords) return false;
        var letters = sentence.Count(char.IsLetter);
        if (letters < 0.6 * sentence.Count(c => !char.IsWhiteSpace(c))) return false;
        return SentenceEnd().IsMatch(sentence) || words.Length >= MinUnterminatedWords;
    }

    private static Dictionary<string, double> InverseDocumentFrequency(HashSet<string> terms, List<Candidate> candidates) =>
        terms.ToDictionary(t => t, t =>
        {
            var containing = candidates.Count(c => c.Terms.Contains(t) || c.HeadingTerms.Contains(t));
            return Math.Log((candidates.Count + 1.0) / (containing + 0.5));
        });

    private static double Score(Candidate c, HashSet<string> terms, Dictionary<string, double> idf) =>
        terms.Sum(t => c.Terms.Contains(t) ? idf[t] : c.HeadingTerms.Contains(t) ? idf[t] / 2 : 0);

    /// <summary>The sentence, and the next one of the same source when it is short; cut at a word past MaxQuoteChars.</summary>
    private static string Quote(Candidate chosen, List<Candidate> candidates)
    {
        var quote = chosen.Text;
        if (quote.Length < ShortQuoteChars &&
            candidates.FirstOrDefault(c => c.Source.Number == chosen.Source.Number && c.Index == chosen.Index + 1) is { } next)
        {
            quote += " " + next.Text;
        }

        return quote.Length <= MaxQuoteChars ? quote : TextSnippet.Of(quote, MaxQuoteChars);
    }

    [GeneratedRegex(@"(?<=[.!?])\s+(?=[\p{Lu}\d""'(\[])")]
    private static partial Regex SentenceBoundary();

    [GeneratedRegex(@"(?:(?:\.\s?){3,}|…{2,}|·{3,})\s*(?:\d{1,4}|[ivxlc]{1,6})\s*$")]
    private static partial Regex DotLeaders();

    [GeneratedRegex(@"[.!?:;][""'’”)\]]*$")]
    private static partial Regex SentenceEnd();
}
