using Lode.Embeddings;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;

namespace Lode.Tests.Support;

/// <summary>Wraps the app's configured embedder (the real model) in a test's own generator, resolvable as its type.</summary>
public static class AppEmbedder
{
    public static void Replace<T>(IServiceCollection services, Func<OnnxSentenceEmbeddingGenerator, T> wrap)
        where T : class, IEmbeddingGenerator<string, Embedding<float>>
    {
        services.AddSingleton(sp => wrap(sp.GetRequiredService<OnnxSentenceEmbeddingGenerator>()));
        services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp => sp.GetRequiredService<T>());
    }
}
