using System.Security.Cryptography;
using System.Text;
using Lode.Ingestion.Chunking;
using Lode.Ingestion.Extraction;

namespace Lode.Tests.Chunking;

/// <summary>Chunks follow the document's sections, carry their heading path and embed a bounded context line.</summary>
public sealed class SectionChunkingTests
{
    private static readonly WhitespaceTokenCounter Counter = new();

    private static string Words(string stem, int count) =>
        string.Join(' ', Enumerable.Range(1, count).Select(i => $"{stem}{i}")) + ".";

    /// <summary>One page with a heading and a paragraph per section; section starts at each heading.</summary>
    private static ExtractedDocument Sectioned(string? title, params (string[] Path, string Body)[] sections)
    {
        var text = new StringBuilder();
        var starts = new List<SectionStart>();
        foreach (var (path, body) in sections)
        {
            if (text.Length > 0) text.Append("\n\n");
            starts.Add(new SectionStart(1, text.Length, path));
            text.Append(path[^1]).Append("\n\n").Append(body);
        }

        return new ExtractedDocument([new ExtractedPage(1, text.ToString())]) { Title = title, Sections = starts };
    }

    [Fact]
    public void A_section_starts_a_new_chunk_without_overlap_and_each_chunk_carries_its_heading_path()
    {
        var document = Sectioned("Manual",
            (["Install"], Words("alpha", 60)),
            (["Install", "Upgrade"], Words("beta", 60)));

        var chunks = new TokenAwareChunker(Counter, new ChunkingOptions { MaxTokens = 200, MinTokens = 10 }).Chunk(document);

        Assert.Equal(2, chunks.Count);
        Assert.StartsWith("Install\n\nalpha1", chunks[0].Text);
        Assert.DoesNotContain("beta", chunks[0].Text);
        Assert.StartsWith("Upgrade\n\nbeta1", chunks[1].Text); // no overlap from the section before
        Assert.Equal(["Install"], chunks[0].HeadingPath);
        Assert.Equal(["Install", "Upgrade"], chunks[1].HeadingPath);
        Assert.Equal("Manual › Install", chunks[0].Context);
        Assert.Equal("Manual › Install › Upgrade", chunks[1].Context);
    }

    [Fact]
    public void A_tiny_section_joins_the_next_rather_than_standing_alone_and_the_chunk_takes_the_larger_ones_path()
    {
        var document = Sectioned(null,
            (["Chapter 6"], "This chapter is short."),
            (["Chapter 6", "6.1 Papers"], Words("gamma", 40)));

        var chunks = new TokenAwareChunker(Counter, new ChunkingOptions { MaxTokens = 200, MinTokens = 10 }).Chunk(document);

        var chunk = Assert.Single(chunks);
        Assert.Contains("This chapter is short.", chunk.Text);
        Assert.Equal(["Chapter 6", "6.1 Papers"], chunk.HeadingPath);
    }

    [Fact]
    public void What_is_embedded_is_the_context_line_then_the_text_and_the_hash_covers_both()
    {
        var document = Sectioned("Guide", (["Setup"], Words("delta", 20)));

        var chunk = Assert.Single(new TokenAwareChunker(Counter).Chunk(document));

        Assert.Equal("Guide › Setup\n\n" + chunk.Text, chunk.EmbeddingInput);
        Assert.Equal(SHA256.HashData(Encoding.UTF8.GetBytes(chunk.EmbeddingInput)), chunk.ContentHash);
        // The same text under another heading is embedded anew.
        var moved = Assert.Single(new TokenAwareChunker(Counter).Chunk(Sectioned("Guide", (["Setup"], Words("delta", 20))) with { Title = "Other" }));
        Assert.Equal(chunk.Text, moved.Text);
        Assert.NotEqual(chunk.ContentHash, moved.ContentHash);
    }

    [Fact]
    public void Text_and_context_together_never_exceed_the_window()
    {
        var longPath = Enumerable.Range(1, 6).Select(i => Words($"heading{i}x", 12)).ToArray();
        var document = Sectioned("A Title Of Several Words", (longPath, Words("epsilon", 600)));
        var options = new ChunkingOptions { MaxTokens = 120, OverlapTokens = 10, MinTokens = 10, MaxContextTokens = 30 };

        var chunks = new TokenAwareChunker(Counter, options).Chunk(document);

        Assert.True(chunks.Count > 4);
        foreach (var chunk in chunks)
        {
            var context = Counter.CountTokens(chunk.Context);
            Assert.InRange(context, 1, 30);
            Assert.True(Counter.CountTokens(chunk.EmbeddingInput) <= 120, $"chunk {chunk.Ordinal}: {Counter.CountTokens(chunk.EmbeddingInput)} tokens");
        }
        // The innermost heading is kept first; outer ones and the title only as far as they fit.
        Assert.EndsWith(longPath[^1].TrimEnd('.'), chunks[0].Context.TrimEnd('.'));
        Assert.DoesNotContain("A Title Of Several Words", chunks[0].Context);
    }

    [Fact]
    public void Navigation_pages_and_content_never_share_a_chunk()
    {
        var document = new ExtractedDocument(
        [
            new ExtractedPage(1, Words("intro", 5)),
            new ExtractedPage(2, "Contents\nInstall 1\nUpgrade 2\nRemove 3", IsNavigation: true),
            new ExtractedPage(3, Words("body", 8)),
        ]);

        var chunks = new TokenAwareChunker(Counter, new ChunkingOptions { MaxTokens = 200, MinTokens = 2 }).Chunk(document);

        Assert.Equal([false, true, false], chunks.Select(c => c.IsNavigation));
        Assert.Equal([(1, 1), (2, 2), (3, 3)], chunks.Select(c => (c.PageStart, c.PageEnd)));
    }

    [Fact]
    public void Without_title_or_headings_the_text_is_embedded_alone()
    {
        var chunk = Assert.Single(new TokenAwareChunker(Counter).Chunk(ChunkAssertions.Document(Words("zeta", 10))));

        Assert.Equal("", chunk.Context);
        Assert.Empty(chunk.HeadingPath);
        Assert.Equal(chunk.Text, chunk.EmbeddingInput);
    }
}
