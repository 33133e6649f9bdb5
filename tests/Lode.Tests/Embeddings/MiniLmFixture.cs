using Lode.Embeddings;

namespace Lode.Tests.Embeddings;

/// <summary>One loaded model for every test that needs the real MiniLM (loading takes about a second).</summary>
public sealed class MiniLmFixture : IDisposable
{
    public MiniLmEmbeddingGenerator Generator { get; } = new(new EmbeddingOptions { BatchSize = 8 });

    public void Dispose() => Generator.Dispose();
}

[CollectionDefinition(Name)]
public sealed class MiniLmCollection : ICollectionFixture<MiniLmFixture>
{
    public const string Name = "MiniLM";
}
