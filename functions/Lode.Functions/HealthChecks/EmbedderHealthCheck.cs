using Microsoft.Extensions.AI;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Lode.Functions.HealthChecks;

/// <summary>The embedding model is loaded (resolving the generator loads it) and says what it is.</summary>
public sealed class EmbedderHealthCheck(IEmbeddingGenerator<string, Embedding<float>> generator) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var metadata = generator.GetService<EmbeddingGeneratorMetadata>();
        return Task.FromResult(HealthCheckResult.Healthy(data: new Dictionary<string, object>
        {
            ["model"] = metadata?.DefaultModelId ?? "unknown",
            ["dimensions"] = metadata?.DefaultModelDimensions ?? 0,
        }));
    }
}
