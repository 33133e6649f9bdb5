using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Lode.Embeddings;
using Lode.Ingestion.Chunking;
using Lode.Tests.Embeddings;
using static Lode.Tests.Chunking.ChunkAssertions;

namespace Lode.Tests.Chunking;

/// <summary>The chunker counting with the real all-MiniLM-L6-v2 tokenizer: what it produces must fit the model unchanged.</summary>
[Collection(MiniLmCollection.Name)]
public sealed class TokenAwareChunkerMiniLmTests(MiniLmFixture fixture)
{
    private readonly OnnxSentenceEmbeddingGenerator _model = fixture.Generator;

    private static readonly string[] Vocabulary =
    [
        "the", "retention", "policy", "requires", "that", "audit", "logs", "are", "kept", "for", "seven", "years", "patients",
        "consent", "form", "invoice", "approval", "two-factor", "authentication", "administrator", "e-mail", "https://example.org/a/b?c=1",
        "3.14", "2024-05-01", "ISO/IEC 27001", "GDPR", "Zugriffsrechte", "naïve", "café", "résumé", "(see", "section", "4.2)",
        "“quoted”", "don't", "state-of-the-art", "x86_64", "C#", "€1,250.00", "§12", "i.e.", "e.g.", "etc.", "Dr.", "well-known",
    ];

    private static string Prose(Random random, int sentences)
    {
        var builder = new StringBuilder();
        for (var s = 0; s < sentences; s++)
        {
            var words = random.Next(3, random.Next(10) == 0 ? 90 : 30);
            var sentence = string.Join(' ', Enumerable.Range(0, words).Select(_ => Vocabulary[random.Next(Vocabulary.Length)]));
            builder.Append(char.ToUpperInvariant(sentence[0])).Append(sentence.AsSpan(1)).Append(random.Next(8) == 0 ? "?" : ".");
            builder.Append(random.Next(6) == 0 ? "\n\n" : random.Next(4) == 0 ? "\n" : " ");
        }

        return builder.ToString();
    }

    [Fact]
    public async Task Chunks_fit_the_model_window_exactly_as_counted()
    {
        var random = new Random(2024);
        var document = Document(Enumerable.Range(0, 12).Select(_ => Prose(random, random.Next(5, 60))).ToArray());
        var chunker = new TokenAwareChunker(_model);

        var chunks = chunker.Chunk(document);

        Assert.True(chunks.Count > 10);
        WellFormed(chunks, _model, 254);
        CoversInOrder(document, chunks);
        Assert.Contains(chunks, c => c.PageStart < c.PageEnd);
        Assert.True(chunks.Average(c => c.TokenCount) > 150, $"chunks are poorly filled: {chunks.Average(c => c.TokenCount)}");

        // The embedder sees every token of every chunk: nothing is truncated.
        var embeddings = await _model.GenerateAsync(chunks.Select(c => c.Text));
        Assert.Equal(chunks.Sum(c => c.TokenCount + 2L), embeddings.Usage!.InputTokenCount);
    }

    [Fact]
    public void Giant_word_is_split_into_runs_that_fit()
    {
        var hex = new StringBuilder();
        var block = SHA256.HashData("seed"u8);
        while (hex.Length < 30_000)
        {
            hex.Append(Convert.ToHexStringLower(block));
            block = SHA256.HashData(block);
        }

        var giant = hex.ToString();
        var document = Document("Before the blob.", "key=" + giant + " after the blob.");
        var chunker = new TokenAwareChunker(_model);

        var chunks = chunker.Chunk(document);

        Assert.True(_model.CountTokens(giant) > 5 * 254);
        WellFormed(chunks, _model, 254);
        CoversInOrder(document, chunks);
        Assert.True(chunks.Count > 5);
        Assert.True(chunks.Count(c => c.Text.All(char.IsAsciiHexDigitLower)) >= 4);
    }

    [Fact]
    public void Unicode_text_is_never_cut_inside_a_character()
    {
        var random = new Random(9);
        var cjk = string.Concat(Enumerable.Range(0, 1500).Select(_ => (char)random.Next(0x4E00, 0x9FA5))); // no spaces at all
        var emojiRun = string.Concat(Enumerable.Repeat("👩‍👩‍👧‍👦🇩🇪é\u0301", 600)); // ZWJ sequences, flags, combining marks
        var mixed = string.Join(' ', Enumerable.Range(0, 400).Select(i => (i % 5) switch
        {
            0 => "naïve",
            1 => "Ελληνικά",
            2 => "مرحبا",
            3 => "😀",
            _ => "Zürich",
        }));
        var document = Document(cjk + "。这是第二句。", emojiRun, mixed + ".");
        var strict = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

        var chunks = new TokenAwareChunker(_model).Chunk(document);

        WellFormed(chunks, _model, 254);
        CoversInOrder(document, chunks);
        foreach (var chunk in chunks)
        {
            _ = strict.GetBytes(chunk.Text); // throws on a lone surrogate
            var category = CharUnicodeInfo.GetUnicodeCategory(chunk.Text, 0);
            Assert.NotEqual(UnicodeCategory.NonSpacingMark, category);
            Assert.False(char.IsLowSurrogate(chunk.Text[0]));
            Assert.False(char.IsHighSurrogate(chunk.Text[^1]));
        }
    }

    [Fact]
    public void Large_document_chunks_in_reasonable_time_and_deterministically()
    {
        var random = new Random(77);
        var document = Document(Enumerable.Range(0, 200).Select(_ => Prose(random, 40)).ToArray()); // ~1 MB of text
        var chunker = new TokenAwareChunker(_model);

        var watch = Stopwatch.StartNew();
        var first = chunker.Chunk(document);
        watch.Stop();
        var second = chunker.Chunk(document);

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(20), $"chunking took {watch.Elapsed}");
        Assert.Equal(first.Select(c => Convert.ToHexString(c.ContentHash)), second.Select(c => Convert.ToHexString(c.ContentHash)));
        Assert.Equal(first.Select(c => (c.Ordinal, c.PageStart, c.PageEnd, c.TokenCount)), second.Select(c => (c.Ordinal, c.PageStart, c.PageEnd, c.TokenCount)));
        WellFormed(first, _model, 254);
        CoversInOrder(document, first);
    }
}
