using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Lode.Retrieval;

public static class RetrievalServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="HybridRetriever"/> as <see cref="IRetriever"/>, measured by <see cref="InstrumentedRetriever"/>,
    /// with <see cref="RetrievalOptions"/> bound from <paramref name="configuration"/> (the <c>Retrieval</c> section) and
    /// validated at start-up, and the <see cref="Evaluation.RetrievalEvaluator"/> that measures it. Needs the database (<c>AddLodeDatabase</c>) and the
    /// embedders (<c>AddSentenceEmbeddings</c>: the <c>IEmbeddingModelRegistry</c>).
    /// </summary>
    public static IServiceCollection AddLodeRetrieval(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<RetrievalOptions>().Bind(configuration).ValidateDataAnnotations().ValidateOnStart();
        services.TryAddSingleton<TermStatistics>();
        services.TryAddSingleton<HybridRetriever>();
        services.TryAddSingleton<RetrievalTelemetry>();
        services.TryAddSingleton<IRetriever>(sp =>
            new InstrumentedRetriever(sp.GetRequiredService<HybridRetriever>(), sp.GetRequiredService<RetrievalTelemetry>()));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<Evaluation.RetrievalEvaluator>();
        return services;
    }
}
