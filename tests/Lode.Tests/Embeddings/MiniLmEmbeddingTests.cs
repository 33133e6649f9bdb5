using Lode.Embeddings;
using Microsoft.Extensions.AI;

namespace Lode.Tests.Embeddings;

/// <summary>The generator running all-MiniLM-L6-v2 (the default model): reference vectors, batching, limits, services.</summary>
[Collection(MiniLmCollection.Name)]
public sealed class MiniLmEmbeddingTests(MiniLmFixture fixture)
{
    private const float BatchTolerance = 1e-5f;
    private readonly OnnxSentenceEmbeddingGenerator _generator = fixture.Generator;

    // First six dimensions published with an R port's integration test against Python sentence-transformers
    // (all-MiniLM-L6-v2, normalised), together with the token ids of the same inputs.
    public static TheoryData<string, long[], float[]> References => new()
    {
        { "This is an example sentence", [101, 2023, 2003, 2019, 2742, 6251, 102], [0.06765693f, 0.06349593f, 0.04871314f, 0.07930495f, 0.03744806f, 0.00265273f] },
        { "Each sentence is converted.", [101, 2169, 6251, 2003, 4991, 1012, 102], [0.07853645f, 0.08856265f, -0.00209270f, -0.00717247f, -0.01252624f, 0.01881747f] },
        { "", [101, 102], [-0.11883835f, 0.04829856f, -0.00254805f, -0.01101118f, 0.05195070f, 0.01029179f] },
        { "Café déjà vu — 東京", [101, 7668, 2139, 3900, 24728, 1517, 1879, 1755, 102], [0.05083271f, 0.00967685f, 0.09635572f, -0.00997369f, -0.01987603f, 0.01692343f] },
    };

    [Theory]
    [MemberData(nameof(References))]
    public async Task Matches_sentence_transformers_reference(string text, long[] tokenIds, float[] expectedPrefix)
    {
        Assert.Equal(tokenIds.Length - 2, _generator.CountTokens(text));

        var vector = (await _generator.GenerateAsync([text])).Single().Vector.ToArray();

        for (var d = 0; d < expectedPrefix.Length; d++)
        {
            Assert.True(Math.Abs(vector[d] - expectedPrefix[d]) < 1e-5, $"dim {d}: {vector[d]} vs {expectedPrefix[d]}");
        }
    }

    [Fact]
    public async Task Vectors_have_384_dimensions_and_unit_norm()
    {
        var embeddings = await _generator.GenerateAsync(["Quarterly revenue grew by 12 percent.", "x", "   "]);

        Assert.Equal(3, embeddings.Count);
        foreach (var embedding in embeddings)
        {
            Assert.Equal(384, embedding.Dimensions);
            Assert.Equal(384, embedding.Vector.Length);
            Assert.Equal("all-MiniLM-L6-v2", embedding.ModelId);
            Assert.Equal(1.0, Vectors.Norm(embedding.Vector.Span), 5);
        }
    }

    [Fact]
    public async Task A_query_is_embedded_like_a_document()
    {
        const string text = "How do I reset my password?";

        var document = (await _generator.GenerateAsync([text]))[0].Vector.ToArray();
        var query = (await _generator.GenerateQueryEmbeddingAsync(text)).Vector.ToArray();

        Assert.Equal("", _generator.Model.QueryPrefix);
        Assert.Equal(document, query);
    }

    [Fact]
    public async Task Same_input_gives_identical_vector()
    {
        const string text = "Invoices must be approved by two people before payment.";

        var first = (await _generator.GenerateAsync([text]))[0].Vector.ToArray();
        var second = (await _generator.GenerateAsync([text]))[0].Vector.ToArray();

        Assert.Equal(first, second);
    }

    [Fact]
    public async Task Batched_results_equal_single_results()
    {
        string[] texts =
        [
            "Short.",
            "A somewhat longer sentence about the retention policy for audit logs in the finance department.",
            "Patients must sign the consent form before the procedure is scheduled.",
            "",
            string.Join(' ', Enumerable.Repeat("The backup runs nightly and keeps thirty days of snapshots.", 8)),
            "Two-factor authentication is mandatory for all administrator accounts.",
            "Wie setze ich mein Passwort zurück?",
            "数据保留政策",
            "The quick brown fox jumps over the lazy dog.",
            "Reimbursement requests are processed within ten business days.",
        ];

        var batched = await _generator.GenerateAsync(texts); // batch size 8: two batches, sorted by length, padded
        for (var i = 0; i < texts.Length; i++)
        {
            var single = (await _generator.GenerateAsync([texts[i]]))[0].Vector.Span;
            var fromBatch = batched[i].Vector.Span;
            for (var d = 0; d < single.Length; d++)
            {
                Assert.True(Math.Abs(single[d] - fromBatch[d]) <= BatchTolerance, $"text {i} dim {d}: {single[d]} vs {fromBatch[d]}");
            }
        }
    }

    [Fact]
    public async Task Paraphrase_is_closer_than_unrelated_sentence()
    {
        var embeddings = await _generator.GenerateAsync(
        [
            "How do I reset my password?",
            "Steps to change your account password",
            "The cat sat on the mat",
        ]);

        var related = Vectors.Dot(embeddings[0].Vector.Span, embeddings[1].Vector.Span);
        var unrelated = Vectors.Dot(embeddings[0].Vector.Span, embeddings[2].Vector.Span);

        Assert.True(related > unrelated + 0.3, $"related {related}, unrelated {unrelated}");
    }

    [Fact]
    public async Task Empty_input_list_gives_empty_result_and_null_element_is_rejected()
    {
        var none = await _generator.GenerateAsync([]);
        Assert.Empty(none);

        await Assert.ThrowsAsync<ArgumentNullException>(() => _generator.GenerateAsync(null!));
        var error = await Assert.ThrowsAsync<ArgumentException>(() => _generator.GenerateAsync(["fine", null!]));
        Assert.Contains("values[1]", error.Message);
    }

    [Fact]
    public async Task Other_dimension_counts_are_rejected()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _generator.GenerateAsync(["text"], new EmbeddingGenerationOptions { Dimensions = 768 }));

        var ok = await _generator.GenerateAsync(["text"], new EmbeddingGenerationOptions { Dimensions = 384 });
        Assert.Single(ok);
    }

    [Fact]
    public async Task Cancelled_token_cancels()
    {
        using var cts = new CancellationTokenSource();
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _generator.GenerateAsync(["text"], cancellationToken: cts.Token));
    }

    [Fact]
    public async Task Concurrent_callers_get_the_same_vectors()
    {
        string[] texts = ["alpha beta gamma", "Security incidents are reported within 24 hours.", "lorem ipsum dolor sit amet"];
        var expected = await _generator.GenerateAsync(texts);

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => _generator.GenerateAsync(texts))));

        foreach (var result in results)
        {
            for (var i = 0; i < texts.Length; i++)
            {
                Assert.Equal(expected[i].Vector.ToArray(), result[i].Vector.ToArray());
            }
        }
    }

    [Fact]
    public void Counts_tokens_without_special_tokens_and_without_truncation()
    {
        Assert.Equal(0, _generator.CountTokens(""));
        Assert.Equal(0, _generator.CountTokens("   \n "));
        Assert.Equal(5, _generator.CountTokens("This is an example sentence"));
        Assert.Equal(2000, _generator.CountTokens(string.Join(' ', Enumerable.Repeat("the", 2000))));
        Assert.Equal(256, _generator.MaxTokens);
    }

    [Fact]
    public void Metadata_and_services()
    {
        Assert.Equal("all-MiniLM-L6-v2", _generator.ModelName);
        Assert.Equal(384, _generator.Dimensions);

        var metadata = _generator.GetService<EmbeddingGeneratorMetadata>();
        Assert.NotNull(metadata);
        Assert.Equal("all-MiniLM-L6-v2", metadata.DefaultModelId);
        Assert.Equal(384, metadata.DefaultModelDimensions);
        Assert.False(string.IsNullOrEmpty(metadata.ProviderName));

        IEmbeddingGenerator<string, Embedding<float>> asInterface = _generator;
        Assert.Same(_generator, asInterface.GetService(typeof(ITokenCounter)));
        Assert.Same(_generator, asInterface.GetService(typeof(OnnxSentenceEmbeddingGenerator)));
        Assert.Same(_generator, asInterface.GetService(typeof(IEmbeddingGenerator<string, Embedding<float>>)));
        Assert.Null(asInterface.GetService(typeof(string)));
        Assert.Null(asInterface.GetService(typeof(ITokenCounter), serviceKey: "other"));
    }
}
