using Lode.Embeddings;
using Lode.Tests.Support;
using Microsoft.Extensions.AI;

namespace Lode.Tests.Embeddings;

/// <summary>How a caller asks for a query embedding through any IEmbeddingGenerator, and how a generator reads it.</summary>
public sealed class EmbeddingInputKindTests
{
    [Fact]
    public void Options_ask_for_documents_unless_they_say_otherwise()
    {
        Assert.Equal(EmbeddingInputKind.Document, ((EmbeddingGenerationOptions?)null).GetInputKind());
        Assert.Equal(EmbeddingInputKind.Document, new EmbeddingGenerationOptions().GetInputKind());
        Assert.Equal(EmbeddingInputKind.Query, new EmbeddingGenerationOptions().WithInputKind(EmbeddingInputKind.Query).GetInputKind());
        Assert.Equal(EmbeddingInputKind.Document, new EmbeddingGenerationOptions().WithInputKind(EmbeddingInputKind.Document).GetInputKind());
    }

    [Fact]
    public void The_kind_survives_as_its_name_and_a_wrong_one_is_an_error()
    {
        var named = new EmbeddingGenerationOptions { AdditionalProperties = new() { [EmbeddingInputKindExtensions.PropertyName] = "query" } };
        Assert.Equal(EmbeddingInputKind.Query, named.GetInputKind());

        var wrong = new EmbeddingGenerationOptions { AdditionalProperties = new() { [EmbeddingInputKindExtensions.PropertyName] = "question" } };
        var error = Assert.Throws<ArgumentException>(() => wrong.GetInputKind());
        Assert.Contains("Document, Query", error.Message, StringComparison.Ordinal);
        var undefined = new EmbeddingGenerationOptions().WithInputKind((EmbeddingInputKind)7);
        Assert.Throws<ArgumentException>(() => undefined.GetInputKind());
    }

    [Fact]
    public async Task A_query_embedding_passes_through_delegating_generators()
    {
        using var inner = new RecordingGenerator();
        using var wrapped = new CountingEmbeddingGenerator(inner); // a DelegatingEmbeddingGenerator, as telemetry or caching would be

        var embedding = await wrapped.GenerateQueryEmbeddingAsync("where is the fire assembly point?");

        Assert.Equal(["where is the fire assembly point?"], inner.Values);
        Assert.Equal(EmbeddingInputKind.Query, inner.Options.GetInputKind());
        Assert.Equal([1f, 0f], embedding.Vector.ToArray());
    }

    private sealed class RecordingGenerator : IEmbeddingGenerator<string, Embedding<float>>
    {
        public List<string> Values { get; } = [];
        public EmbeddingGenerationOptions? Options { get; private set; }

        public Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
            IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            Values.AddRange(values);
            Options = options;
            return Task.FromResult(new GeneratedEmbeddings<Embedding<float>>(Values.Select(_ => new Embedding<float>(new float[] { 1f, 0f }))));
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
        }
    }
}
