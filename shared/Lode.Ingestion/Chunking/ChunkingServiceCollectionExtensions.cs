using Lode.Embeddings;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Lode.Ingestion.Chunking;

/// <summary>
/// Registers the token-aware chunker (it needs an <see cref="ITokenCounter"/>, e.g. from AddSentenceEmbeddings), with
/// <see cref="ChunkingOptions"/> validated at start-up (its attributes and <see cref="ChunkingOptionsValidator"/>).
/// </summary>
public static class ChunkingServiceCollectionExtensions
{
    /// <summary>Registers a <see cref="TokenAwareChunker"/> singleton with <see cref="ChunkingOptions"/> bound from <paramref name="configuration"/>.</summary>
    public static IServiceCollection AddTokenAwareChunker(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<ChunkingOptions>().Bind(configuration).ValidateDataAnnotations().ValidateOnStart();
        return AddChunker(services);
    }

    /// <summary>Registers a <see cref="TokenAwareChunker"/> singleton configured in code (defaults when null).</summary>
    public static IServiceCollection AddTokenAwareChunker(this IServiceCollection services, Action<ChunkingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = services.AddOptions<ChunkingOptions>().ValidateDataAnnotations().ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return AddChunker(services);
    }

    private static IServiceCollection AddChunker(IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ChunkingOptions>, ChunkingOptionsValidator>());
        services.TryAddSingleton(sp => new TokenAwareChunker(
            sp.GetRequiredService<ITokenCounter>(), sp.GetRequiredService<IOptions<ChunkingOptions>>().Value));
        return services;
    }
}
