using Lode.Embeddings;
using Microsoft.Extensions.AI;

namespace Lode.Tests.Embeddings;

/// <summary>The generator running snowflake-arctic-embed-xs: queries and documents, its window, what it reports.</summary>
[Collection(ArcticXsCollection.Name)]
public sealed class ArcticXsEmbeddingTests(ArcticXsFixture fixture)
{
    private const string Prefix = "Represent this sentence for searching relevant passages: ";
    private readonly OnnxSentenceEmbeddingGenerator _generator = fixture.Generator;

    [Fact]
    public async Task A_query_is_embedded_with_the_prefix_and_a_document_without()
    {
        const string text = "how long are audit logs kept";

        var document = (await _generator.GenerateAsync([text]))[0].Vector.ToArray();
        var prefixedDocument = (await _generator.GenerateAsync([Prefix + text]))[0].Vector.ToArray();
        var query = (await _generator.GenerateQueryEmbeddingAsync(text)).Vector.ToArray();

        Assert.Equal(prefixedDocument, query);
        Assert.True(Vectors.Dot(document, query) < 0.99, "the query vector should differ from the document vector");
    }

    [Fact]
    public async Task Query_usage_counts_the_prefix_the_model_read()
    {
        const string text = "how long are audit logs kept";

        var documents = await _generator.GenerateAsync([text]);
        var queries = await _generator.GenerateAsync([text], new EmbeddingGenerationOptions().WithInputKind(EmbeddingInputKind.Query));

        Assert.Equal(_generator.CountTokens(text) + 2, documents.Usage!.InputTokenCount);
        Assert.Equal(_generator.CountTokens(Prefix + text) + 2, queries.Usage!.InputTokenCount);
    }

    [Fact]
    public async Task A_query_finds_its_passage_before_an_unrelated_one()
    {
        var passages = await _generator.GenerateAsync(
        [
            "To change your account password, open Settings, choose Security and follow the steps.",
            "The cat sat on the mat and watched the birds in the garden.",
        ]);

        var query = (await _generator.GenerateQueryEmbeddingAsync("How do I reset my password?")).Vector;

        var related = Vectors.Dot(query.Span, passages[0].Vector.Span);
        var unrelated = Vectors.Dot(query.Span, passages[1].Vector.Span);
        Assert.True(related > unrelated + 0.1, $"related {related}, unrelated {unrelated}");
    }

    [Fact]
    public async Task It_reports_its_own_model_id_and_dimensions()
    {
        var embedding = (await _generator.GenerateAsync(["text"]))[0];
        var metadata = _generator.GetService<EmbeddingGeneratorMetadata>();

        Assert.Equal(("snowflake-arctic-embed-xs", 384, 512), (_generator.ModelName, _generator.Dimensions, _generator.MaxTokens));
        Assert.Equal(("snowflake-arctic-embed-xs", 384), (metadata!.DefaultModelId, metadata.DefaultModelDimensions));
        Assert.Equal("snowflake-arctic-embed-xs", embedding.ModelId);
        Assert.Equal(384, embedding.Vector.Length);
        Assert.Equal(1.0, Vectors.Norm(embedding.Vector.Span), 5);
        Assert.Same(SentenceEmbeddingModel.ArcticXs, _generator.Model);
    }
}
