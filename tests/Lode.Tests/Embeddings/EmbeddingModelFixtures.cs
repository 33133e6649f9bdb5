using Lode.Embeddings;

namespace Lode.Tests.Embeddings;

/// <summary>One loaded model shared by every test of a collection (loading takes about a second and ~90 MB).</summary>
public abstract class EmbeddingModelFixture(SentenceEmbeddingModel model) : IDisposable
{
    public OnnxSentenceEmbeddingGenerator Generator { get; } = new(new EmbeddingOptions { Model = model.Id, BatchSize = 8 });

    public void Dispose() => Generator.Dispose();
}

/// <summary>all-MiniLM-L6-v2, the default model.</summary>
public sealed class MiniLmFixture() : EmbeddingModelFixture(SentenceEmbeddingModel.MiniLm);

/// <summary>snowflake-arctic-embed-xs.</summary>
public sealed class ArcticXsFixture() : EmbeddingModelFixture(SentenceEmbeddingModel.ArcticXs);

[CollectionDefinition(Name)]
public sealed class MiniLmCollection : ICollectionFixture<MiniLmFixture>
{
    public const string Name = "MiniLM";
}

[CollectionDefinition(Name)]
public sealed class ArcticXsCollection : ICollectionFixture<ArcticXsFixture>
{
    public const string Name = "ArcticXs";
}
