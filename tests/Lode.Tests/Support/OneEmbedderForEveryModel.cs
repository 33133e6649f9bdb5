using Lode.Embeddings;
using Microsoft.Extensions.AI;

namespace Lode.Tests.Support;

/// <summary>
/// An embedder registry that answers every model id with one embedder: for tests of what retrieval may return, whose
/// vectors need no meaning (or come from the one real model they name), over a database whose generation names a model.
/// </summary>
public sealed class OneEmbedderForEveryModel(IEmbeddingGenerator<string, Embedding<float>> embedder) : IEmbeddingModelRegistry
{
    public IEmbeddingGenerator<string, Embedding<float>> Generator(string modelId) => embedder;

    public ITokenCounter TokenCounter(string modelId) =>
        embedder.GetService(typeof(ITokenCounter)) as ITokenCounter
        ?? throw new NotSupportedException("This test's embedder counts no tokens.");
}
