using Lode.Embeddings;

namespace Lode.Ingestion.Chunking;

/// <summary>
/// The words that place a chunk in its document — the document's title and the headings it sits under — written before
/// its text when it is embedded and full-text indexed, so "Bash Features › Shell Variables › Bash Variables" helps a
/// question about "variables bash sets" find a passage that never repeats those words. Bounded to
/// <see cref="ChunkingOptions.MaxContextTokens"/>: the innermost heading comes first in importance, then the headings
/// around it, then the title; what does not fit is left out (a lone innermost heading too long is cut at a word).
/// </summary>
public sealed class ChunkContext(ITokenCounter counter, int maxTokens)
{
    /// <summary>Separates the title and headings, as results show them.</summary>
    public const string Separator = " › ";

    /// <summary>The context line for a chunk under <paramref name="headingPath"/> of a document titled <paramref name="title"/>, and its tokens.</summary>
    public (string Text, int Tokens) For(string? title, IReadOnlyList<string> headingPath)
    {
        if (maxTokens == 0) return ("", 0);
        var parts = new List<string>();
        var text = "";
        var tokens = 0;
        // Innermost first; the title last, and only if it is not the outermost heading already.
        var candidates = headingPath.Reverse().ToList();
        if (title is { Length: > 0 } && (headingPath.Count == 0 || headingPath[0] != title)) candidates.Add(title);
        foreach (var part in candidates)
        {
            var next = string.Join(Separator, parts.Prepend(part));
            var nextTokens = counter.CountTokens(next);
            if (nextTokens > maxTokens)
            {
                if (parts.Count == 0) return Truncate(part);
                break;
            }

            parts.Insert(0, part);
            (text, tokens) = (next, nextTokens);
        }

        return (text, tokens);
    }

    private (string Text, int Tokens) Truncate(string heading)
    {
        var words = heading.Split(' ');
        for (var n = words.Length - 1; n > 0; n--)
        {
            var text = string.Join(' ', words[..n]);
            var tokens = counter.CountTokens(text);
            if (tokens <= maxTokens) return (text, tokens);
        }

        return ("", 0);
    }
}
