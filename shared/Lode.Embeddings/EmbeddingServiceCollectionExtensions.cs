using Microsoft.Extensions.AI;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Lode.Embeddings;

/// <summary>Registers the in-process sentence embedder (the model <c>Embeddings:Model</c> names).</summary>
public static class EmbeddingServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="OnnxSentenceEmbeddingGenerator"/> singleton, exposed as
    /// <see cref="IEmbeddingGenerator{TInput, TEmbedding}"/> (string → <see cref="Embedding{T}"/> of float) and as
    /// <see cref="ITokenCounter"/>, with <see cref="EmbeddingOptions"/> bound from <paramref name="configuration"/>
    /// (e.g. the <c>Embeddings</c> section), and the <see cref="IEmbeddingModelRegistry"/> that also serves the other
    /// models the index uses. Models load on first use; the options are validated at start-up.
    /// </summary>
    public static IServiceCollection AddSentenceEmbeddings(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<EmbeddingOptions>().Bind(configuration).ValidateDataAnnotations().ValidateOnStart();
        return AddGenerator(services);
    }

    /// <summary>As <see cref="AddSentenceEmbeddings(IServiceCollection, IConfiguration)"/>, configured in code (defaults when null).</summary>
    public static IServiceCollection AddSentenceEmbeddings(this IServiceCollection services, Action<EmbeddingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<EmbeddingOptions>().ValidateDataAnnotations().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return AddGenerator(services);
    }

    private static IServiceCollection AddGenerator(IServiceCollection services)
    {
        // One instance behind every interface: one ONNX session (~90 MB of weights) per process. The container owns
        // and disposes it (Dispose is idempotent, since each registration below hands out the same object).
        services.TryAddSingleton(sp => new OnnxSentenceEmbeddingGenerator(sp.GetRequiredService<IOptions<EmbeddingOptions>>().Value));
        // Concurrent questions share one model run (QueryBatchSize 1: each runs alone). The container disposes the
        // batching front before the model it wraps (reverse order of creation).
        services.TryAddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(sp =>
        {
            var model = sp.GetRequiredService<OnnxSentenceEmbeddingGenerator>();
            var queryBatch = sp.GetRequiredService<IOptions<EmbeddingOptions>>().Value.QueryBatchSize;
            return queryBatch > 1 ? new QueryBatchingEmbeddingGenerator(model, queryBatch) : model;
        });
        services.TryAddSingleton<ITokenCounter>(sp => sp.GetRequiredService<OnnxSentenceEmbeddingGenerator>());
        // The other models' embedders, for the index generations that use them.
        services.TryAddSingleton<IEmbeddingModelRegistry>(sp => new SentenceEmbedderRegistry(
            sp.GetRequiredService<IOptions<EmbeddingOptions>>().Value,
            sp.GetRequiredService<IEmbeddingGenerator<string, Embedding<float>>>(),
            sp.GetRequiredService<ITokenCounter>()));
        return services;
    }
}
