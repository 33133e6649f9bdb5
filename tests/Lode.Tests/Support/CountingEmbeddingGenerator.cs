using Microsoft.Extensions.AI;

namespace Lode.Tests.Support;

/// <summary>Wraps the real embedder and counts the texts it was asked to embed, to see what was re-embedded.</summary>
public sealed class CountingEmbeddingGenerator(IEmbeddingGenerator<string, Embedding<float>> inner)
    : DelegatingEmbeddingGenerator<string, Embedding<float>>(inner)
{
    private int _texts;

    public int Texts => Volatile.Read(ref _texts);

    public override Task<GeneratedEmbeddings<Embedding<float>>> GenerateAsync(
        IEnumerable<string> values, EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = values.ToList();
        Interlocked.Add(ref _texts, list.Count);
        return base.GenerateAsync(list, options, cancellationToken);
    }

    // DelegatingEmbeddingGenerator would dispose the shared real model; the container owns that.
    protected override void Dispose(bool disposing)
    {
    }
}
