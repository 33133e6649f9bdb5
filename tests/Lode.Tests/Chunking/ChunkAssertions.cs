using System.Security.Cryptography;
using System.Text;
using Lode.Embeddings;
using Lode.Ingestion.Chunking;
using Lode.Ingestion.Extraction;

namespace Lode.Tests.Chunking;

/// <summary>Counts whitespace-separated words: a predictable stand-in for the real tokenizer in logic tests.</summary>
internal sealed class WhitespaceTokenCounter(int maxTokens = 256) : ITokenCounter
{
    public int MaxTokens => maxTokens;

    public int CountTokens(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;
}

internal static class ChunkAssertions
{
    public static ExtractedDocument Document(params string[] pages) =>
        new(pages.Select((text, i) => new ExtractedPage(i + 1, text)).ToList());

    /// <summary>
    /// Every non-whitespace character of the document appears in the chunks, in order, with nothing invented: each
    /// chunk (whitespace removed) is a substring of the document (whitespace removed) that starts no later than where the
    /// previous chunk ended (overlap) and reaches past it; the last one ends at the document's end.
    /// </summary>
    public static void CoversInOrder(ExtractedDocument document, IReadOnlyList<TextChunk> chunks)
    {
        var source = StripWhitespace(string.Concat(document.Pages.Select(p => p.Text)));
        var covered = 0;
        foreach (var chunk in chunks)
        {
            var text = StripWhitespace(chunk.Text);
            Assert.NotEmpty(text);
            // The latest occurrence starting no later than the covered end (repetitive text has several).
            var at = source.LastIndexOf(text, Math.Min(source.Length - 1, covered + text.Length - 1), StringComparison.Ordinal);
            Assert.True(at >= 0 && at + text.Length >= covered, $"chunk {chunk.Ordinal} is not contiguous with the text before it (at {at}, covered {covered})");
            covered = Math.Max(covered, at + text.Length);
        }

        Assert.Equal(source.Length, covered);
    }

    /// <summary>Ordinals 0..n-1, hash = SHA-256 of the UTF-8 text, sane page spans, counts within the limit.</summary>
    public static void WellFormed(IReadOnlyList<TextChunk> chunks, ITokenCounter counter, int maxTokens)
    {
        for (var i = 0; i < chunks.Count; i++)
        {
            var chunk = chunks[i];
            Assert.Equal(i, chunk.Ordinal);
            Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(chunk.Text)), chunk.ContentHash);
            Assert.True(chunk.PageStart <= chunk.PageEnd);
            Assert.Equal(chunk.Text.Trim(), chunk.Text);
            var tokens = counter.CountTokens(chunk.Text);
            Assert.Equal(tokens, chunk.TokenCount);
            Assert.True(tokens <= maxTokens, $"chunk {i} has {tokens} tokens > {maxTokens}");
        }
    }

    public static string StripWhitespace(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (!char.IsWhiteSpace(c))
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
