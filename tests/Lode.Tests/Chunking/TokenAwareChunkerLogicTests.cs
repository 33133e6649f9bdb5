using Lode.Ingestion.Chunking;
using Lode.Ingestion.Extraction;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static Lode.Tests.Chunking.ChunkAssertions;

namespace Lode.Tests.Chunking;

/// <summary>Chunking rules checked with a whitespace word counter, so every expectation can be worked out by hand.</summary>
public sealed class TokenAwareChunkerLogicTests
{
    private static readonly WhitespaceTokenCounter Counter = new();

    private static TokenAwareChunker Chunker(int max = 50, int overlap = 8, int min = 5) =>
        new(Counter, new ChunkingOptions { MaxTokens = max, OverlapTokens = overlap, MinTokens = min });

    /// <summary>"S{n}" followed by filler words and a full stop: every sentence recognisable, lengths from a fixed seed.</summary>
    private static string Sentences(int first, int count, Random random, string prefix = "")
    {
        var sentences = new List<string>();
        for (var n = first; n < first + count; n++)
        {
            var words = random.Next(2, 12);
            sentences.Add($"{prefix}S{n} " + string.Join(' ', Enumerable.Range(0, words).Select(w => $"{prefix}w{n}x{w}")) + ".");
        }

        return string.Join(' ', sentences);
    }

    [Fact]
    public void Document_without_text_gives_no_chunks()
    {
        Assert.Empty(Chunker().Chunk(Document()));
        Assert.Empty(Chunker().Chunk(Document("", "  \n\n \t ", "\r\n")));
    }

    [Fact]
    public void Short_document_is_one_chunk_with_paragraphs_kept()
    {
        var document = Document("Title\r\n\r\nFirst paragraph here.  Second sentence.\n\n\nLast paragraph.\n");

        var chunk = Assert.Single(Chunker().Chunk(document));

        Assert.Equal("Title\n\nFirst paragraph here. Second sentence.\n\nLast paragraph.", chunk.Text);
        Assert.Equal((0, 1, 1, 8), (chunk.Ordinal, chunk.PageStart, chunk.PageEnd, chunk.TokenCount));
    }

    [Fact]
    public void Chunks_respect_the_limit_cover_everything_and_end_at_sentences()
    {
        var random = new Random(7);
        var document = Document(
            Sentences(0, 40, random) + "\n\n" + Sentences(40, 30, random),
            Sentences(70, 25, random),
            Sentences(95, 60, random));

        var chunks = Chunker(overlap: 0).Chunk(document);

        Assert.True(chunks.Count > 10);
        WellFormed(chunks, Counter, 50);
        CoversInOrder(document, chunks);
        Assert.All(chunks, c => Assert.EndsWith(".", c.Text));
        Assert.All(chunks, c => Assert.StartsWith("S", c.Text));
    }

    [Fact]
    public void Each_chunk_starts_with_the_last_whole_sentences_of_the_previous_one()
    {
        var random = new Random(11);
        var sentences = Enumerable.Range(0, 120).Select(n => $"S{n} " + string.Join(' ', Enumerable.Range(0, random.Next(1, 5)).Select(w => $"w{n}x{w}")) + ".").ToList();
        var document = Document(string.Join(' ', sentences));

        var chunks = Chunker(max: 60, overlap: 12, min: 5).Chunk(document);

        Assert.True(chunks.Count > 5);
        WellFormed(chunks, Counter, 60);
        CoversInOrder(document, chunks);
        for (var i = 1; i < chunks.Count; i++)
        {
            var overlap = SharedText(chunks[i - 1].Text, chunks[i].Text);
            Assert.StartsWith("S", overlap);
            Assert.EndsWith(".", overlap);
            Assert.InRange(Counter.CountTokens(overlap), 7, 12); // sentences hold 2 to 5 words: at least 7 of 12 get used
        }
    }

    [Fact]
    public void Overlap_falls_back_to_the_last_words_of_a_long_sentence()
    {
        var sentences = Enumerable.Range(0, 20).Select(n => $"S{n} " + string.Join(' ', Enumerable.Range(0, 14).Select(w => $"w{n}x{w}")) + ".");
        var document = Document(string.Join(' ', sentences));

        var chunks = Chunker(max: 50, overlap: 8, min: 5).Chunk(document);

        CoversInOrder(document, chunks);
        for (var i = 1; i < chunks.Count; i++)
        {
            var overlap = SharedText(chunks[i - 1].Text, chunks[i].Text);
            Assert.Equal(8, Counter.CountTokens(overlap));
            Assert.EndsWith(".", overlap);
        }
    }

    /// <summary>The longest start of <paramref name="next"/> that <paramref name="previous"/> ends with.</summary>
    private static string SharedText(string previous, string next)
    {
        for (var length = Math.Min(previous.Length, next.Length); length > 0; length--)
        {
            if (previous.EndsWith(next[..length], StringComparison.Ordinal))
            {
                return next[..length];
            }
        }

        return "";
    }

    [Fact]
    public void Overlap_can_be_disabled()
    {
        var random = new Random(3);
        var document = Document(Sentences(0, 60, random));

        var chunks = Chunker(overlap: 0).Chunk(document);

        var words = chunks.Sum(c => Counter.CountTokens(c.Text));
        Assert.Equal(Counter.CountTokens(document.Pages[0].Text), words);
    }

    [Fact]
    public void Page_spans_are_the_pages_the_text_came_from()
    {
        var random = new Random(5);
        var pages = Enumerable.Range(1, 9).Select(p => Sentences(p * 100, random.Next(1, 9), random, prefix: $"p{p}")).ToArray();
        var document = Document(pages);

        var chunks = Chunker(max: 40, overlap: 6, min: 4).Chunk(document);

        WellFormed(chunks, Counter, 40);
        CoversInOrder(document, chunks);
        foreach (var chunk in chunks)
        {
            var pagesSeen = chunk.Text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
                .Select(w => int.Parse(w[1..w.IndexOfAny(['S', 'w'])], System.Globalization.CultureInfo.InvariantCulture))
                .ToList();
            Assert.Equal(pagesSeen.Min(), chunk.PageStart);
            Assert.Equal(pagesSeen.Max(), chunk.PageEnd);
        }

        Assert.Contains(chunks, c => c.PageStart < c.PageEnd);
    }

    [Fact]
    public void A_nearly_full_chunk_ends_at_the_page_break()
    {
        // Each page holds 40 words in 4 sentences; with room for 50 a chunk would otherwise take a sentence of the next page.
        var pages = Enumerable.Range(1, 6)
            .Select(p => string.Join(' ', Enumerable.Range(0, 4).Select(s => $"P{p}s{s} " + string.Join(' ', Enumerable.Repeat("word", 8)) + " end.")))
            .ToArray();
        var document = Document(pages);

        var chunks = Chunker(max: 50, overlap: 8, min: 5).Chunk(document);

        Assert.Equal(6, chunks.Count);
        for (var i = 0; i < chunks.Count; i++)
        {
            Assert.Equal((i + 1, i + 1), (chunks[i].PageStart, chunks[i].PageEnd));
            Assert.StartsWith($"P{i + 1}s0 ", chunks[i].Text);
        }
    }

    [Fact]
    public void Sentence_longer_than_a_chunk_is_split_by_words()
    {
        var longSentence = string.Join(' ', Enumerable.Range(0, 173).Select(i => $"t{i}"));
        var document = Document("Intro sentence. " + longSentence + " final. Outro.");

        var chunks = Chunker().Chunk(document);

        WellFormed(chunks, Counter, 50);
        CoversInOrder(document, chunks);
        Assert.True(chunks.Count >= 4);
    }

    [Fact]
    public void Lines_are_preferred_to_words_inside_an_oversized_block()
    {
        var table = string.Join('\n', Enumerable.Range(0, 30).Select(r => $"row{r} a b c d e"));
        var document = Document(table);

        var chunks = Chunker(max: 50, overlap: 0, min: 5).Chunk(document);

        CoversInOrder(document, chunks);
        Assert.All(chunks, c => Assert.StartsWith("row", c.Text));
        Assert.All(chunks, c => Assert.EndsWith(" e", c.Text));
        Assert.Equal(30 * 6, chunks.Sum(c => c.TokenCount));
    }

    [Fact]
    public void Heading_does_not_stand_alone_before_a_long_sentence()
    {
        var longSentence = string.Join(' ', Enumerable.Range(0, 45).Select(i => $"v{i}")) + ".";
        var document = Document("Heading\n\n" + longSentence);

        var chunks = Chunker(max: 40, overlap: 5, min: 10).Chunk(document);

        Assert.StartsWith("Heading\n\nv0 v1", chunks[0].Text);
        Assert.True(chunks[0].TokenCount > 10);
        CoversInOrder(document, chunks);
        WellFormed(chunks, Counter, 40);
    }

    [Fact]
    public void Tiny_last_chunk_is_merged_or_balanced()
    {
        // 21 sentences of 5 words: greedy packing with room for 50 leaves a 1-sentence tail.
        var text = string.Join(' ', Enumerable.Range(0, 21).Select(i => $"Sx{i} a b c d."));
        var document = Document(text);

        var chunks = Chunker(max: 50, overlap: 0, min: 15).Chunk(document);

        Assert.All(chunks, c => Assert.True(c.TokenCount >= 15, $"chunk {c.Ordinal}: {c.TokenCount}"));
        CoversInOrder(document, chunks);
        Assert.Equal(105, chunks.Sum(c => c.TokenCount));
    }

    [Fact]
    public void Tiny_last_chunk_fits_into_the_previous_after_a_page_cut()
    {
        var page1 = string.Join(' ', Enumerable.Range(0, 8).Select(i => $"A{i} a b c d."));
        var document = Document(page1, "Tail here.");

        var chunks = Chunker(max: 50, overlap: 8, min: 5).Chunk(document);

        var chunk = Assert.Single(chunks);
        Assert.Equal((1, 2), (chunk.PageStart, chunk.PageEnd));
        Assert.EndsWith("A7 a b c d.\n\nTail here.", chunk.Text);
    }

    [Fact]
    public void Same_input_gives_identical_chunks()
    {
        var random = new Random(42);
        var document = Document(Sentences(0, 50, random), Sentences(50, 50, random));

        var first = Chunker().Chunk(document);
        var second = Chunker().Chunk(document);

        Assert.Equal(first.Count, second.Count);
        for (var i = 0; i < first.Count; i++)
        {
            Assert.Equal(first[i].Ordinal, second[i].Ordinal);
            Assert.Equal(first[i].Text, second[i].Text);
            Assert.Equal(first[i].ContentHash, second[i].ContentHash);
            Assert.Equal((first[i].PageStart, first[i].PageEnd, first[i].TokenCount), (second[i].PageStart, second[i].PageEnd, second[i].TokenCount));
        }
    }

    [Fact]
    public void Limit_is_capped_by_the_counters_window()
    {
        var chunker = new TokenAwareChunker(new WhitespaceTokenCounter(maxTokens: 64), new ChunkingOptions { MaxTokens = 500 });

        Assert.Equal(62, chunker.MaxChunkTokens);
        var chunks = chunker.Chunk(Document(string.Join(' ', Enumerable.Repeat("word", 1000))));
        WellFormed(chunks, Counter, 62);
    }

    [Theory]
    [InlineData("MaxTokens", 4)]
    [InlineData("OverlapTokens", 200)]
    [InlineData("MinTokens", -1)]
    [InlineData("MinTokens", 200)]
    public void Invalid_options_are_rejected(string key, int value)
    {
        var property = typeof(ChunkingOptions).GetProperty(key)!;
        using var provider = new ServiceCollection()
            .AddTokenAwareChunker(o => property.SetValue(o, value))
            .BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<ChunkingOptions>>().Value);
        Assert.Contains($"Chunking:{key} must be", error.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentNullException>(() => new TokenAwareChunker(null!, new ChunkingOptions()));
    }

    [Fact]
    public void Default_options_fit_all_MiniLM_L6_v2()
    {
        var options = new ChunkingOptions();
        Assert.Equal((254, 32, 32), (options.MaxTokens, options.OverlapTokens, options.MinTokens));
        Assert.Equal(254, new TokenAwareChunker(Counter).MaxChunkTokens);
    }

    [Fact]
    public void Cancellation_is_observed()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();

        Assert.Throws<OperationCanceledException>(() => Chunker().Chunk(Document("Some text."), cts.Token));
    }
}
