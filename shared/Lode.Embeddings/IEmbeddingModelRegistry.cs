using Microsoft.Extensions.AI;

namespace Lode.Embeddings;

/// <summary>
/// The embedders of every model the index uses, by model id (<see cref="SentenceEmbeddingModel.Id"/>): while the index
/// moves to another model, searches embed with the current generation's model and ingestion with each generation's.
/// </summary>
public interface IEmbeddingModelRegistry
{
    /// <summary>The embedder of the model (loaded on first use).</summary>
    /// <exception cref="ArgumentException">No known model has this id.</exception>
    IEmbeddingGenerator<string, Embedding<float>> Generator(string modelId);

    /// <summary>The model's token counter, which chunks for it.</summary>
    /// <exception cref="ArgumentException">No known model has this id.</exception>
    ITokenCounter TokenCounter(string modelId);
}
