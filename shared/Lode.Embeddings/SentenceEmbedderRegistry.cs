using System.Collections.Concurrent;
using Microsoft.Extensions.AI;

namespace Lode.Embeddings;

/// <summary>
/// One embedder per known model, created on first use and kept (one ONNX session each, ~90 MB of weights). The
/// configured model's is the one registered in the container (<see cref="IEmbeddingGenerator{TInput, TEmbedding}"/>
/// and <see cref="ITokenCounter"/>), so whatever wraps it there wraps it here too; the others are
/// <see cref="OnnxSentenceEmbeddingGenerator"/>s with the same <see cref="EmbeddingOptions"/> (threads, batch size,
/// window), owned and disposed by this registry.
/// </summary>
public sealed class SentenceEmbedderRegistry(
    EmbeddingOptions options,
    IEmbeddingGenerator<string, Embedding<float>> configured,
    ITokenCounter configuredCounter) : IEmbeddingModelRegistry, IDisposable
{
    private readonly string _configuredId = options.SelectedModel().Id;
    private readonly ConcurrentDictionary<string, Lazy<OnnxSentenceEmbeddingGenerator>> _others = new(StringComparer.Ordinal);

    public IEmbeddingGenerator<string, Embedding<float>> Generator(string modelId)
    {
        var model = SentenceEmbeddingModel.Named(modelId);
        return model.Id == _configuredId ? configured : Other(model);
    }

    public ITokenCounter TokenCounter(string modelId)
    {
        var model = SentenceEmbeddingModel.Named(modelId);
        return model.Id == _configuredId ? configuredCounter : Other(model);
    }

    public void Dispose()
    {
        foreach (var created in _others.Values.Where(l => l.IsValueCreated)) created.Value.Dispose();
    }

    // Lazy: two callers asking at once load the model once.
    private OnnxSentenceEmbeddingGenerator Other(SentenceEmbeddingModel model) =>
        _others.GetOrAdd(model.Id, _ => new Lazy<OnnxSentenceEmbeddingGenerator>(() => new OnnxSentenceEmbeddingGenerator(options.For(model)))).Value;
}
