using Lode.Ingestion;
using Lode.Storage;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Lode.Functions.HealthChecks;

/// <summary>The object store answers and every configured bucket exists.</summary>
public sealed class ObjectStoreHealthCheck(IObjectStore store, IOptions<IngestionOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var missing = new List<string>();
            foreach (var bucket in options.Value.Buckets)
            {
                if (!await store.BucketExistsAsync(bucket, cancellationToken)) missing.Add(bucket);
            }
            return missing.Count == 0
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Degraded($"Configured bucket(s) missing: {string.Join(", ", missing)}");
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The reason stays in the exception (logged by the health service), not in the anonymous response.
            return HealthCheckResult.Unhealthy("Object store unreachable", e);
        }
    }
}
